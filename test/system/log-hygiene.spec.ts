import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../harness/ports.js';
import { type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { type RunningProcess, startNode } from '../support/child-process.js';
import { eventually } from '../support/eventually.js';
import { TEST_ADMIN_KEY, useTestEnvironment } from '../support/test-environment.js';

const linkToken = (text: string) => /token=([\w.-]+)/.exec(text)?.[1] ?? '';

/**
 * Runs the real API and worker processes at LOG_LEVEL=trace through a member's whole life and a
 * respondent's submission, then searches every line they logged for the secrets that went through.
 */
describe('logs never contain response data, passwords, tokens or secrets, at any level', () => {
  let smtp: SmtpSink;
  let api: RunningProcess;
  let worker: RunningProcess;
  let base: string;
  const secrets: Record<string, string> = {};

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        'x-tenant-id': 'hygiene',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const mailTo = (address: string, subject: string) =>
    eventually(
      async () => smtp.messages.filter((mail) => mail.to.includes(address) && mail.subject.includes(subject)),
      (mails) => mails.length > 0,
      20_000,
    );

  beforeAll(async () => {
    smtp = await startSmtpSink();
    const port = await freePort();
    useTestEnvironment('log-hygiene', { SMTP_URL: smtp.url, QUEUE_BACKOFF_MS: '100' });
    const processEnv = { LOG_LEVEL: 'trace', PORT: String(port), HOST: '127.0.0.1', WORKER_METRICS_PORT: '0' };
    secrets.jwt_secret = process.env.JWT_SECRET!;
    secrets.admin_key = TEST_ADMIN_KEY;
    api = startNode(['dist/main.js'], processEnv);
    worker = startNode(['dist/worker.js'], processEnv);
    await api.waitForOutput('API listening', 30_000);
    await worker.waitForOutput('worker started', 30_000);
    base = `http://127.0.0.1:${port}/api/v1`;
  });

  afterAll(async () => {
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    await Promise.all([api.exit(), worker.exit()]);
    await smtp.stop();
  });

  it('keeps every secret of a whole session out of the API and worker logs', async () => {
    const owner = 'owner@hygiene.test';
    const created = await call(
      'POST',
      '/admin/tenants',
      { tenant_id: 'hygiene', name: 'Hygiene', owner: { email: owner, name: 'Owner' } },
      { 'x-admin-key': TEST_ADMIN_KEY },
    );
    expect(created.status).toBe(201);
    const [invitation] = await mailTo(owner, 'invit');
    secrets.invitation_token = linkToken(invitation.text);
    secrets.first_password = `first-${randomBytes(8).toString('hex')}`;
    const accepted = await call('POST', '/auth/invitations/accept', {
      token: secrets.invitation_token,
      name: 'Owner',
      password: secrets.first_password,
    });
    expect(accepted.status).toBe(201);
    secrets.first_access_token = accepted.body.access_token;
    const member = { authorization: `Bearer ${accepted.body.access_token}` };

    const form = await call(
      'POST',
      '/forms',
      {
        title: 'Hygiene',
        fields: [{ key: 'answer', type: 'text', label: 'Answer', required: true }],
        settings: { send_notification: true },
      },
      member,
    );
    expect((await call('POST', `/forms/${form.body.form_id}/publish`, undefined, member)).status).toBe(200);
    secrets.submitted_value = `answer-${randomBytes(8).toString('hex')}`;
    const submitted = await call('POST', `/forms/${form.body.form_id}/submit`, {
      data: { answer: secrets.submitted_value },
    });
    expect(submitted.status).toBe(201);
    const [notification] = await mailTo(owner, 'New response');
    expect(notification.text).toContain(secrets.submitted_value);
    // An invalid submission carries data into an error path too.
    secrets.refused_value = `refused-${randomBytes(8).toString('hex')}`;
    const refused = await call('POST', `/forms/${form.body.form_id}/submit`, {
      data: { answer: 42, extra: secrets.refused_value },
    });
    expect(refused.status).toBe(400);

    expect((await call('POST', '/auth/password-reset', { email: owner })).status).toBe(202);
    const [reset] = await mailTo(owner, 'eset');
    secrets.reset_token = linkToken(reset.text);
    secrets.second_password = `second-${randomBytes(8).toString('hex')}`;
    const confirmed = await call('POST', '/auth/password-reset/confirm', {
      token: secrets.reset_token,
      password: secrets.second_password,
    });
    expect(confirmed.status).toBe(204);
    const wrong = await call('POST', '/auth/login', { email: owner, password: secrets.first_password });
    expect(wrong.status).toBe(401);
    const login = await call('POST', '/auth/login', { email: owner, password: secrets.second_password });
    expect(login.status).toBe(200);
    secrets.second_access_token = login.body.access_token;

    // Whatever the processes still log about this session (email jobs, relay passes) is in by now.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const logs = api.output() + worker.output();
    expect(logs.split('\n').length).toBeGreaterThan(50);
    expect(logs).toContain('"level":"debug"');
    const leaked = Object.entries(secrets).filter(([, secret]) => secret && logs.includes(secret));
    expect(leaked.map(([name]) => name)).toEqual([]);
  }, 90_000);
});
