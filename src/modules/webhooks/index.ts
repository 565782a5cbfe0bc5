/** The webhooks module's public surface: the rest of src/ imports it from here, and only from here. */
export { WebhooksModule } from './webhooks.module.js';
export { WebhooksWorkerModule } from './webhooks-worker.module.js';
