import { describe, expect, it } from '@jest/globals';
import type { FormsService } from '../../src/modules/forms/forms.service.js';
import type { EmailJobsService } from '../../src/modules/notifications/email-jobs.service.js';
import type { MailService } from '../../src/modules/notifications/mail.service.js';
import { ResponseNotificationsService } from '../../src/modules/notifications/response-notifications.service.js';
import type { ResponsesService } from '../../src/modules/responses/responses.service.js';
import type { UsersService } from '../../src/modules/users/users.service.js';

const job = {
  tenant_id: 'acme',
  event_id: 'evt-1',
  form_id: '64b000000000000000000001',
  response_id: '64b000000000000000000002',
};
const email = { tenant_id: 'acme', to: 'team@acme.test', form_id: job.form_id, response_id: job.response_id };
const form = { title: 'Contact', owner_id: 'u1', settings: { send_notification: true, notification_emails: [] } };

function notifications(find: () => Promise<unknown>, options: { response?: object | null; member?: boolean } = {}) {
  const queued: { to: string }[] = [];
  const sent: { to: string; context: unknown }[] = [];
  const service = new ResponseNotificationsService(
    { find } as unknown as FormsService,
    { emailOf: async () => 'owner@acme.test', isMember: async () => options.member ?? true } as unknown as UsersService,
    {
      findLive: async () =>
        options.response === undefined
          ? { form_id: job.form_id, data: { email: 'bob@example.com' } }
          : options.response,
    } as unknown as ResponsesService,
    {
      sendResponseEmails: async (jobs: { job: { to: string } }[]) => void queued.push(...jobs.map((j) => j.job)),
    } as unknown as EmailJobsService,
    {
      send: async (mail: { to: string; context: unknown }) => {
        sent.push(mail);
        return '<id@test>';
      },
    } as unknown as MailService,
  );
  return { service, queued, sent };
}

describe('response notifications', () => {
  it("queues one email per recipient naming the response, never its answers: the form's addresses, else its owner", async () => {
    const { service, queued } = notifications(async () => form);
    expect(await service.fanOut(job)).toEqual({ recipients: 1 });
    expect(queued).toEqual([
      { tenant_id: 'acme', to: 'owner@acme.test', form_id: job.form_id, response_id: job.response_id },
    ]);
  });

  it('notifies nobody for a form deleted since the response arrived', async () => {
    const { service, queued } = notifications(async () => null);
    expect(await service.fanOut(job)).toEqual({ recipients: 0 });
    expect(queued).toEqual([]);
  });

  it('fails, so the job is retried, when the form cannot be read (the store is down)', async () => {
    const { service, queued } = notifications(async () => {
      throw new Error('connection refused');
    });
    await expect(service.fanOut(job)).rejects.toThrow('connection refused');
    expect(queued).toEqual([]);
  });

  it('sends the answers read when the email goes out', async () => {
    const { service, sent } = notifications(async () => form);
    expect(await service.send(email, 'job-1')).toEqual({ message_id: '<id@test>' });
    expect(sent).toEqual([
      expect.objectContaining({
        to: 'team@acme.test',
        context: {
          form_title: 'Contact',
          response_id: job.response_id,
          fields: [{ key: 'email', value: '"bob@example.com"' }],
        },
      }),
    ]);
  });

  it('sends nothing once the response or its form is deleted, or the recipient left', async () => {
    for (const [setup, reason] of [
      [notifications(async () => form, { response: null }), 'response deleted'],
      [notifications(async () => null), 'form deleted'],
      [notifications(async () => form, { member: false }), 'recipient no longer a member'],
    ] as const) {
      expect(await setup.service.send(email)).toEqual({ skipped: reason });
      expect(setup.sent).toEqual([]);
    }
  });
});
