/** The housekeeping module's public surface: the rest of src/ imports it from here, and only from here. */
export { HousekeepingModule } from './housekeeping.module.js';
export { HousekeepingWorkerModule } from './housekeeping-worker.module.js';
