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

export async function registerUser(
  api: E2eApp,
  tenant_id: string,
  email = `owner@${tenant_id}.test`,
): Promise<SignedInUser> {
  const registered = await api.http
    .post('/api/v1/auth/register')
    .set('x-tenant-id', tenant_id)
    .send({ email, password: 'password-123', name: 'Test User' })
    .expect(201);
  const token: string = registered.body.access_token;
  return { tenant_id, user_id: registered.body.user.user_id, email, token, headers: bearer(token) };
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
