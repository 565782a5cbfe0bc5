import { describe, expect, it } from '@jest/globals';
import type { FormsService } from '../../src/modules/forms/forms.service.js';
import type { EmailJobsService } from '../../src/modules/notifications/email-jobs.service.js';
import { ResponseNotificationsService } from '../../src/modules/notifications/response-notifications.service.js';
import type { UsersService } from '../../src/modules/users/users.service.js';

const job = {
  tenant_id: 'acme',
  event_id: 'evt-1',
  form_id: '64b000000000000000000001',
  response_id: '64b000000000000000000002',
  data: { email: 'bob@example.com' },
};

function notifications(find: () => Promise<unknown>) {
  const queued: string[] = [];
  const service = new ResponseNotificationsService(
    { find } as unknown as FormsService,
    { emailOf: async () => 'owner@acme.test' } as unknown as UsersService,
    {
      sendEach: async (jobs: { job: { to: string } }[]) => void queued.push(...jobs.map((j) => j.job.to)),
    } as unknown as EmailJobsService,
  );
  return { service, queued };
}

describe('response notifications', () => {
  it("notifies the form's addresses, else its owner", async () => {
    const form = { title: 'Contact', owner_id: 'u1', settings: { send_notification: true, notification_emails: [] } };
    const { service, queued } = notifications(async () => form);
    expect(await service.fanOut(job)).toEqual({ recipients: 1 });
    expect(queued).toEqual(['owner@acme.test']);
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
});
