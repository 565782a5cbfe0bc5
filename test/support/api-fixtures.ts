import type { Role } from '../../src/infrastructure/auth/roles.js';
import { TenantsService } from '../../src/modules/tenants/tenants.service.js';
import type { E2eApp } from './e2e-app.js';
import { TEST_ADMIN_KEY } from './test-environment.js';

export const adminHeaders = { 'x-admin-key': TEST_ADMIN_KEY };

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface SignedInUser {
  tenant_id: string;
  user_id: string;
  email: string;
  token: string;
  headers: { authorization: string };
}

export async function createTenant(api: E2eApp, tenant_id: string, settings?: object): Promise<void> {
  await api.http
    .post('/api/v1/admin/tenants')
    .set(adminHeaders)
    .send({ tenant_id, name: tenant_id, ...(settings ? { settings } : {}) })
    .expect(201);
}

/** The token in an emailed or printed accept/reset link. */
export function tokenOfLink(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/** The token of an invitation made the operator's way (the CLI's path: printed, not emailed). */
export async function operatorInviteToken(api: E2eApp, tenant_id: string, email: string, role: Role): Promise<string> {
  const { link } = await api.app.get(TenantsService).inviteWithLink(tenant_id, { email, role });
  return tokenOfLink(link);
}

/** A member of the tenant with this role, signed in: invited the operator's way, then accepted over HTTP. */
export async function addMember(
  api: E2eApp,
  tenant_id: string,
  email = `owner@${tenant_id}.test`,
  role: Role = 'owner',
): Promise<SignedInUser> {
  const accepted = await api.http
    .post('/api/v1/auth/invitations/accept')
    .set('x-tenant-id', tenant_id)
    .send({
      token: await operatorInviteToken(api, tenant_id, email, role),
      name: 'Test User',
      password: 'password-123',
    })
    .expect(201);
  const token: string = accepted.body.access_token;
  return { tenant_id, user_id: accepted.body.user.user_id, email, token, headers: bearer(token) };
}

/** A form with one field of each kind most tests need; published unless told otherwise. */
export async function createForm(
  api: E2eApp,
  user: SignedInUser,
  overrides: Record<string, unknown> = {},
  publish = true,
): Promise<string> {
  const created = await api.http
    .post('/api/v1/forms')
    .set(user.headers)
    .send({
      title: 'Contact',
      fields: [
        { key: 'email', type: 'email', label: 'Email', required: true },
        { key: 'message', type: 'textarea', label: 'Message', max_length: 500 },
      ],
      ...overrides,
    })
    .expect(201);
  const formId: string = created.body.form_id;
  if (publish) await api.http.post(`/api/v1/forms/${formId}/publish`).set(user.headers).expect(200);
  return formId;
}
