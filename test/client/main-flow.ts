import createClient from 'openapi-fetch';
import type { paths } from './generated/schema.js';

/**
 * The main flow of an API consumer, written against a client generated from the running API's
 * `/docs-json` (openapi-typescript types, openapi-fetch calls). It is type-checked against those types
 * before it runs (test/api/generated-client.spec.ts): a route whose request or answer the document
 * leaves out or gets wrong breaks the build of this file, or its checks when it runs.
 */
export interface FlowSettings {
  baseUrl: string;
  adminKey: string;
  tenantId: string;
  /** The owner's invitation token, as the operator's CLI prints it (`cli invite`). */
  inviteToken(email: string): Promise<string>;
  /** A URL a webhook may be created for. */
  webhookUrl: string;
}

export interface FlowResult {
  formId: string;
  responseId: string;
  listedResponseIds: string[];
  /** The same list, read with an API key instead of the owner's token. */
  listedWithKey: string[];
  webhookId: string;
  exportCsv: string;
}

/** Fails with what the API answered when a step does not get the status it expects. */
function expectStatus(step: string, response: Response, status: number): void {
  if (response.status !== status) throw new Error(`${step}: expected ${status}, got ${response.status}`);
}

export async function walkMainFlow(settings: FlowSettings): Promise<FlowResult> {
  const client = createClient<paths>({ baseUrl: settings.baseUrl });
  const tenant = settings.tenantId;

  const created = await client.POST('/api/v1/admin/tenants', {
    headers: { 'x-admin-key': settings.adminKey },
    body: { tenant_id: tenant, name: 'Generated client', settings: { features: { webhooks: true } } },
  });
  expectStatus('create a tenant', created.response, 201);
  if (created.data?.tenant_id !== tenant) throw new Error('the tenant answer has no tenant_id');

  const email = `owner@${tenant}.test`;
  const accepted = await client.POST('/api/v1/auth/invitations/accept', {
    params: { header: { 'X-Tenant-ID': tenant } },
    body: { token: await settings.inviteToken(email), name: 'Owner', password: 'owner-password-1' },
  });
  expectStatus('accept the invitation', accepted.response, 201);
  const auth = { authorization: `Bearer ${accepted.data?.access_token ?? ''}` };

  const form = await client.POST('/api/v1/forms', {
    headers: auth,
    body: { title: 'Contact', fields: [{ key: 'email', type: 'email', label: 'Email', required: true }] },
  });
  expectStatus('create a form', form.response, 201);
  const formId = form.data?.form_id ?? '';
  const published = await client.POST('/api/v1/forms/{form_id}/publish', {
    headers: auth,
    params: { path: { form_id: formId } },
  });
  expectStatus('publish it', published.response, 200);
  if (published.data?.status !== 'published') throw new Error('the published form is not "published"');

  const submitted = await client.POST('/api/v1/forms/{form_id}/submit', {
    params: { path: { form_id: formId }, header: { 'X-Tenant-ID': tenant } },
    body: { data: { email: 'visitor@example.com' } },
  });
  expectStatus('submit', submitted.response, 201);
  const responseId = submitted.data?.response_id ?? '';

  const listed = await client.GET('/api/v1/forms/{form_id}/responses', {
    headers: auth,
    params: { path: { form_id: formId } },
  });
  expectStatus('list the responses', listed.response, 200);
  const listedResponseIds = (listed.data?.data ?? []).map((response) => response.response_id);

  const apiKey = await client.POST('/api/v1/api-keys', {
    headers: auth,
    body: { name: 'Generated client', role: 'viewer' },
  });
  expectStatus('create an API key', apiKey.response, 201);
  const withKey = await client.GET('/api/v1/forms/{form_id}/responses', {
    headers: { authorization: `Bearer ${apiKey.data?.key ?? ''}` },
    params: { path: { form_id: formId } },
  });
  expectStatus('list the responses with the API key', withKey.response, 200);
  const listedWithKey = (withKey.data?.data ?? []).map((response) => response.response_id);

  const webhook = await client.POST('/api/v1/webhooks', {
    headers: auth,
    body: { url: settings.webhookUrl, events: ['response.submitted'] },
  });
  expectStatus('create a webhook', webhook.response, 201);
  const webhookId = webhook.data?.webhook_id ?? '';

  const started = await client.POST('/api/v1/forms/{form_id}/exports', {
    headers: auth,
    params: { path: { form_id: formId } },
    body: { format: 'csv' },
  });
  expectStatus('start an export', started.response, 202);
  const exportId = started.data?.export_id ?? '';
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const state = await client.GET('/api/v1/exports/{export_id}', {
      headers: auth,
      params: { path: { export_id: exportId } },
    });
    expectStatus('read the export', state.response, 200);
    if (state.data?.status === 'completed') break;
    if (state.data?.status === 'failed') throw new Error(`the export failed: ${state.data.error ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const download = await client.GET('/api/v1/exports/{export_id}/download', {
    headers: auth,
    params: { path: { export_id: exportId } },
    parseAs: 'text',
  });
  expectStatus('download the export', download.response, 200);

  return { formId, responseId, listedResponseIds, listedWithKey, webhookId, exportCsv: download.data ?? '' };
}
