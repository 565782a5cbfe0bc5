/** The erasure module's public surface: the rest of src/ imports it from here, and only from here. */
export { ErasureModule } from './erasure.module.js';
export { ErasureWorkerModule } from './erasure-worker.module.js';
