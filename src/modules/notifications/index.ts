/** The notifications module's public surface: the rest of src/ imports it from here, and only from here. */
export { NotificationsModule } from './notifications.module.js';
export { NotificationsWorkerModule } from './notifications-worker.module.js';
/** Other modules queue the emails they cause (a disabled webhook's) through it: ids only in the job. */
export { EmailJobsService } from './email-jobs.service.js';
