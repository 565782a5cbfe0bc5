/** The diagnostics module's public surface: the rest of src/ imports it from here, and only from here. */
export { DiagnosticsModule } from './diagnostics.module.js';
export { DiagnosticsWorkerModule } from './diagnostics-worker.module.js';
