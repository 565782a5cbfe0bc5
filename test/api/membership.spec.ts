import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Invitation } from '../../src/modules/invitations/invitation.schema.js';
import {
  addMember,
  adminHeaders,
  createTenant,
  operatorInviteToken,
  type SignedInUser,
} from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { useTestEnvironment } from '../support/test-environment.js';

describe('membership: invitations, members, roles and revocable sessions', () => {
  let api: E2eApp;
  let replica: E2eApp;
  let owner: SignedInUser;
  let viewer: SignedInUser;

  const accept = (tenant: string, token: string, name = 'New Member') =>
    api.http
      .post('/api/v1/auth/invitations/accept')
      .set('x-tenant-id', tenant)
      .send({ token, name, password: 'password-123' });

  beforeAll(async () => {
    useTestEnvironment('membership', { LOG_LEVEL: 'error' });
    api = await createE2eApp();
    replica = await createE2eApp();
    await createTenant(api, 'acme');
    await createTenant(api, 'globex');
    owner = await addMember(api, 'acme');
    viewer = await addMember(api, 'acme', 'viewer@acme.test', 'viewer');
  });

  afterAll(async () => {
    await replica.app.close();
    await api.close();
  });

  describe('invitations', () => {
    const invite = (body: object, user = owner) => api.http.post('/api/v1/invitations').set(user.headers).send(body);

    it('creates, lists and revokes invitations; a revoked token stops working', async () => {
      const created = await invite({ email: 'New@Example.com', role: 'editor' }).expect(201);
      expect(created.body).toMatchObject({
        email: 'new@example.com',
        role: 'editor',
        form_id: null,
        status: 'pending',
      });
      expect(JSON.stringify(created.body)).not.toMatch(/token/);
      const listed = await api.http.get('/api/v1/invitations').set(owner.headers).expect(200);
      expect(listed.body.data[0]).toEqual(created.body);

      const token = await operatorInviteToken(api, 'acme', 'revoked@example.com', 'viewer');
      const [pending] = (await api.http.get('/api/v1/invitations').set(owner.headers)).body.data;
      await api.http.delete(`/api/v1/invitations/${pending.invitation_id}`).set(owner.headers).expect(204);
      await api.http.delete(`/api/v1/invitations/${pending.invitation_id}`).set(owner.headers).expect(204);
      const refused = await accept('acme', token);
      expect([refused.status, refused.body.error]).toEqual([400, 'invalid_token']);
      const after = await api.http.get('/api/v1/invitations').set(owner.headers);
      expect(after.body.data.find((i: { email: string }) => i.email === 'revoked@example.com').status).toBe('revoked');
    });

    it('accepts once with the invited role; a second accept, an expired or a foreign token is invalid_token', async () => {
      const token = await operatorInviteToken(api, 'acme', 'twice@example.com', 'editor');
      const accepted = await accept('acme', token).expect(201);
      expect(accepted.body.user).toMatchObject({ email: 'twice@example.com', role: 'editor' });
      const again = await accept('acme', token);
      expect([again.status, again.body.error]).toEqual([400, 'invalid_token']);

      const expiring = await operatorInviteToken(api, 'acme', 'late@example.com', 'viewer');
      const invitations = api.app.get<Model<Invitation>>(getModelToken(Invitation.name));
      await invitations.collection.updateOne(
        { email: 'late@example.com' },
        { $set: { expires_at: new Date(Date.now() - 1000) } },
      );
      const expired = await accept('acme', expiring);
      expect([expired.status, expired.body.error]).toEqual([400, 'invalid_token']);
      const listed = await api.http.get('/api/v1/invitations').set(owner.headers);
      expect(listed.body.data.find((i: { email: string }) => i.email === 'late@example.com').status).toBe('expired');

      const foreign = await operatorInviteToken(api, 'globex', 'foreign@example.com', 'viewer');
      expect((await accept('acme', foreign)).body.error).toBe('invalid_token');
      for (const garbage of ['nope', '0123456789abcdef01234567.secret', `${foreign.split('.')[0]}.wrong`]) {
        expect((await accept('globex', garbage)).body.error).toBe('invalid_token');
      }
      await accept('globex', foreign).expect(201);
    });

    it('a newer invitation to the same address supersedes the pending one', async () => {
      const first = await operatorInviteToken(api, 'acme', 'again@example.com', 'viewer');
      const second = await operatorInviteToken(api, 'acme', 'again@example.com', 'viewer');
      expect((await accept('acme', first)).body.error).toBe('invalid_token');
      await accept('acme', second).expect(201);
    });

    it('refuses to invite a member (409), unknown roles and extra keys (400); only owners invite', async () => {
      const member = await invite({ email: viewer.email, role: 'editor' });
      expect([member.status, member.body.error]).toEqual([409, 'conflict']);
      const unknownRole = await invite({ email: 'x@example.com', role: 'admin' });
      expect([unknownRole.status, unknownRole.body.error]).toEqual([400, 'validation_failed']);
      const extra = await invite({ email: 'x@example.com', role: 'viewer', token: 'mine' });
      expect([extra.status, extra.body.error]).toEqual([400, 'validation_failed']);
      const asViewer = await invite({ email: 'x@example.com', role: 'viewer' }, viewer);
      expect([asViewer.status, asViewer.body.error]).toEqual([403, 'forbidden']);
      const elsewhere = await addMember(api, 'globex', 'owner2@globex.test');
      const [ours] = (await api.http.get('/api/v1/invitations').set(owner.headers)).body.data;
      const foreignRevoke = await api.http.delete(`/api/v1/invitations/${ours.invitation_id}`).set(elsewhere.headers);
      expect([foreignRevoke.status, foreignRevoke.body.error]).toEqual([404, 'not_found']);
    });

    it('the operator invites into a tenant by the admin API', async () => {
      const created = await api.http
        .post('/api/v1/admin/tenants/globex/invitations')
        .set(adminHeaders)
        .send({ email: 'second-owner@globex.test', role: 'owner' })
        .expect(201);
      expect(created.body).toMatchObject({ email: 'second-owner@globex.test', role: 'owner', invited_by: null });
      await api.http.post('/api/v1/admin/tenants/nowhere/invitations').set(adminHeaders).send(created.body).expect(400);
      const missing = await api.http
        .post('/api/v1/admin/tenants/nowhere/invitations')
        .set(adminHeaders)
        .send({ email: 'a@b.test', role: 'owner' });
      expect([missing.status, missing.body.error]).toEqual([404, 'not_found']);
    });
  });

  describe('members', () => {
    it('lists every member to any member', async () => {
      const listed = await api.http.get('/api/v1/users').set(viewer.headers).expect(200);
      expect(listed.body.data.map((user: { email: string }) => user.email)).toEqual(
        expect.arrayContaining([owner.email, viewer.email]),
      );
      expect(JSON.stringify(listed.body)).not.toMatch(/password|token_version/);
    });

    it("changes a role (owner only); the member's old token stops working on every replica within 1 s", async () => {
      const member = await addMember(api, 'acme', 'promoted@acme.test', 'viewer');
      await replica.http.get('/api/v1/users/me').set(member.headers).expect(200);
      const refused = await api.http
        .patch(`/api/v1/users/${member.user_id}`)
        .set(viewer.headers)
        .send({ role: 'editor' });
      expect([refused.status, refused.body.error]).toEqual([403, 'forbidden']);
      const changed = await api.http
        .patch(`/api/v1/users/${member.user_id}`)
        .set(owner.headers)
        .send({ role: 'editor' })
        .expect(200);
      expect(changed.body.role).toBe('editor');
      await waitUntilRefused(replica, member.headers);
      const bad = await api.http.patch(`/api/v1/users/${member.user_id}`).set(owner.headers).send({ role: 'admin' });
      expect([bad.status, bad.body.error]).toEqual([400, 'validation_failed']);
    });

    it("removes a member (owner, or the member themself); a removed member's token is refused on a second replica within 1 s", async () => {
      const member = await addMember(api, 'acme', 'removed@acme.test', 'editor');
      await replica.http.get('/api/v1/users/me').set(member.headers).expect(200);
      const byViewer = await api.http.delete(`/api/v1/users/${member.user_id}`).set(viewer.headers);
      expect([byViewer.status, byViewer.body.error]).toEqual([403, 'forbidden']);
      await api.http.delete(`/api/v1/users/${member.user_id}`).set(owner.headers).expect(204);
      await waitUntilRefused(replica, member.headers);
      const leaver = await addMember(api, 'acme', 'leaver@acme.test', 'viewer');
      await api.http.delete(`/api/v1/users/${leaver.user_id}`).set(leaver.headers).expect(204);
      await api.http.get('/api/v1/users/me').set(leaver.headers).expect(401);
    });

    it("answers 404 for another tenant's member, exactly as for a missing one", async () => {
      const outsider = await addMember(api, 'globex', 'outsider@globex.test', 'viewer');
      const foreign = await api.http
        .patch(`/api/v1/users/${outsider.user_id}`)
        .set(owner.headers)
        .send({ role: 'editor' });
      const missing = await api.http
        .patch('/api/v1/users/0123456789abcdef01234567')
        .set(owner.headers)
        .send({ role: 'editor' });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);
      await api.http.delete(`/api/v1/users/${outsider.user_id}`).set(owner.headers).expect(404);
      await api.http.get('/api/v1/users/me').set(outsider.headers).expect(200);
    });

    it('keeps the last owner: neither demoted nor removed, also when two owners demote each other at once', async () => {
      await createTenant(api, 'duo');
      const alone = await addMember(api, 'duo', 'alone@duo.test');
      const demote = await api.http.patch(`/api/v1/users/${alone.user_id}`).set(alone.headers).send({ role: 'editor' });
      expect([demote.status, demote.body.error]).toEqual([409, 'last_owner']);
      const leave = await api.http.delete(`/api/v1/users/${alone.user_id}`).set(alone.headers);
      expect([leave.status, leave.body.error]).toEqual([409, 'last_owner']);

      const other = await addMember(api, 'duo', 'other@duo.test');
      const [first, second] = await Promise.all([
        api.http.patch(`/api/v1/users/${other.user_id}`).set(alone.headers).send({ role: 'editor' }),
        replica.http.patch(`/api/v1/users/${alone.user_id}`).set(other.headers).send({ role: 'editor' }),
      ]);
      expect([first.status, second.status].filter((status) => status === 200)).toHaveLength(1);
      const checker = await addMember(api, 'duo', 'check@duo.test', 'viewer');
      const listed = await api.http.get('/api/v1/users').set(checker.headers);
      const owners = listed.body.data.filter((user: { role: string }) => user.role === 'owner');
      expect(owners).toHaveLength(1);
    });
  });

  describe('the tenant, for its members', () => {
    it('shows the tenant to any member and lets only an owner change its own settings', async () => {
      const shown = await api.http.get('/api/v1/tenant').set(viewer.headers).expect(200);
      expect(shown.body).toMatchObject({
        tenant_id: 'acme',
        settings: { registration: 'invite_only', signup_role: 'viewer' },
      });
      const change = {
        name: 'Acme Inc',
        settings: {
          registration: 'open',
          signup_role: 'editor',
          allowed_origins: ['https://acme.example'],
          response_retention_days: 30,
          spam_retention_days: 7,
        },
      };
      const refused = await api.http.patch('/api/v1/tenant').set(viewer.headers).send(change);
      expect([refused.status, refused.body.error]).toEqual([403, 'forbidden']);
      const changed = await api.http.patch('/api/v1/tenant').set(owner.headers).send(change).expect(200);
      expect(changed.body).toMatchObject({ name: 'Acme Inc', settings: { ...change.settings, max_forms: 100 } });
      const registered = await api.http
        .post('/api/v1/auth/register')
        .set('x-tenant-id', 'acme')
        .send({ email: 'walk-in@example.com', password: 'password-123', name: 'Walk In' })
        .expect(201);
      expect(registered.body.user.role).toBe('editor');
      await api.http
        .patch('/api/v1/tenant')
        .set(owner.headers)
        .send({ settings: { registration: 'invite_only' } })
        .expect(200);
    });

    it('keeps quotas, features and status with the operator (400), and checks every value', async () => {
      for (const body of [
        { settings: { max_forms: 1_000 } },
        { settings: { features: { webhooks: true } } },
        { status: 'active' },
        { settings: { registration: 'anyone' } },
        { settings: { signup_role: 'owner' } },
        { settings: { allowed_origins: ['javascript:alert(1)'] } },
        { settings: { response_retention_days: 0 } },
        { settings: { spam_retention_days: 0 } },
        { settings: { spam_retention_days: 1.5 } },
      ]) {
        const refused = await api.http.patch('/api/v1/tenant').set(owner.headers).send(body);
        expect([refused.status, refused.body.error]).toEqual([400, 'validation_failed']);
      }
      const tenant = await api.http.get('/api/v1/tenant').set(owner.headers);
      expect(tenant.body.settings).toMatchObject({ max_forms: 100, features: { webhooks: false } });
    });
  });
});

/** A revoked token is refused within a second, on a replica that did not make the change. */
async function waitUntilRefused(replica: E2eApp, headers: Record<string, string>): Promise<void> {
  const started = Date.now();
  let status = 200;
  while (status !== 401 && Date.now() - started < 1_000) {
    status = (await replica.http.get('/api/v1/users/me').set(headers)).status;
  }
  expect(status).toBe(401);
}
