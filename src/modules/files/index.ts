/** The files module's public surface: the rest of src/ imports it from here, and only from here. */
export { FilesModule } from './files.module.js';
export { FilesService } from './files.service.js';
export { FileErasureService } from './file-erasure.service.js';
export { ResponseFilesService } from './response-files.service.js';
export { PublicUploadsService } from './public-uploads.service.js';
export type { Upload } from './files.service.js';
