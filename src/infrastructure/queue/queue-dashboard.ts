import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import { AppConfigService } from '../config/app-config.service.js';
import { secretMatcher } from '../auth/secret-matcher.js';
import { QueueName } from './queue-names.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The queue dashboard (jobs per state, retries, payloads) at /admin/queues, for operators: the admin
 * key goes in `X-Admin-Key`, or as the password of HTTP Basic auth so a browser can open it. Read-only
 * by default (`QUEUE_DASHBOARD_READ_ONLY`).
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const { adminApiKey, queueDashboardReadOnly } = app.get(AppConfigService).auth;
  const matches = secretMatcher(adminApiKey);
  const queues = Object.values(QueueName).map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  const board = new FastifyAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  // Read-only unless the operator opts out: the admin key then only shows jobs, it cannot remove them.
  const adapterOptions = { readOnlyMode: queueDashboardReadOnly };
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue, adapterOptions)), serverAdapter: board });
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (matches(request.headers['x-admin-key']) || matches(basicPassword(request.headers.authorization))) return;
      await reply
        .code(401)
        .header('www-authenticate', 'Basic realm="queues"')
        .send({ statusCode: 401, error: 'unauthorized', message: 'The admin key is required' });
    });
    await scope.register(board.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}

function basicPassword(authorization: string | undefined): string | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}
