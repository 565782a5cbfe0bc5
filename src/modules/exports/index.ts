/** The exports module's public surface: the rest of src/ imports it from here, and only from here. */
export { ExportsModule } from './exports.module.js';
export { ExportsWorkerModule } from './exports-worker.module.js';
export { ExportsService } from './exports.service.js';
