import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operatorInviteToken } from '../support/api-fixtures.js';
import { createE2eApp, type E2eApp } from '../support/e2e-app.js';
import { TEST_ADMIN_KEY, useTestEnvironment } from '../support/test-environment.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startWorker, type TestWorker } from '../support/worker-fixture.js';

const CLIENT_DIR = join(process.cwd(), 'test', 'client');
/** `walkMainFlow` of test/client/main-flow.ts, as this file sees it (that file is type-checked on its own). */
type WalkMainFlow = (settings: {
  baseUrl: string;
  adminKey: string;
  tenantId: string;
  inviteToken(email: string): Promise<string>;
  webhookUrl: string;
}) => Promise<{
  formId: string;
  responseId: string;
  listedResponseIds: string[];
  listedWithKey: string[];
  webhookId: string;
  exportCsv: string;
}>;
const GENERATED = join(CLIENT_DIR, 'generated');

/** Runs a Node.js script of a package (its CLI) to completion; answers its exit code and output. */
function runScript(script: string, args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * The OpenAPI document, proved by a client no one here wrote: types generated from the running API's
 * `/docs-json` with openapi-typescript, the main flow (test/client/main-flow.ts) type-checked against
 * them with tsc, then walked with openapi-fetch against the running API and worker.
 */
describe('a client generated from /docs-json', () => {
  let api: E2eApp;
  let worker: TestWorker;
  let receiver: WebhookReceiver;
  let baseUrl: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    useTestEnvironment('generated-client', { WEBHOOK_ALLOW_PRIVATE: 'true' });
    api = await createE2eApp();
    worker = await startWorker();
    await api.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await receiver?.stop();
  });

  it('generates types that the main flow type-checks against, and walks that flow', async () => {
    const document = await (await fetch(`${baseUrl}/docs-json`)).json();
    mkdirSync(GENERATED, { recursive: true });
    writeFileSync(join(GENERATED, 'openapi.json'), JSON.stringify(document));
    const generated = runScript('node_modules/openapi-typescript/bin/cli.js', [
      join(GENERATED, 'openapi.json'),
      '--output',
      join(GENERATED, 'schema.d.ts'),
    ]);
    expect(generated).toMatchObject({ status: 0 });

    const typeChecked = runScript('node_modules/typescript/bin/tsc', ['-p', join(CLIENT_DIR, 'tsconfig.json')]);
    // The compiler's messages say which route the document gets wrong.
    expect(typeChecked.output).toBe('');
    expect(typeChecked.status).toBe(0);

    // Imported by a computed name: tsc for the rest of test/ must not follow it into the generated types.
    const flowModule = '../client/main-flow.js';
    const { walkMainFlow } = (await import(flowModule)) as { walkMainFlow: WalkMainFlow };
    const tenantId = 'generated-client';
    const result = await walkMainFlow({
      baseUrl,
      adminKey: TEST_ADMIN_KEY,
      tenantId,
      inviteToken: (email) => operatorInviteToken(api, tenantId, email, 'owner'),
      webhookUrl: receiver.url('/generated-client'),
    });
    expect(result.listedResponseIds).toEqual([result.responseId]);
    expect(result.listedWithKey).toEqual([result.responseId]);
    expect(result.webhookId).toMatch(/^[0-9a-f]{24}$/);
    expect(result.exportCsv).toContain(result.responseId);
  });
});
