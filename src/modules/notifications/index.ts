/** The notifications module's public surface: the rest of src/ imports it from here, and only from here. */
export { NotificationsModule } from './notifications.module.js';
export { NotificationsWorkerModule } from './notifications-worker.module.js';
