import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StoreLock } from '../../infrastructure/database/store-lock.js';
import { RateLimitModule } from '../../infrastructure/rate-limit/rate-limit.module.js';
import { FormsModule } from '../forms/index.js';
import { FileErasureService } from './file-erasure.service.js';
import { StoredFile, StoredFileSchema } from './file.schema.js';
import { FilesController } from './files.controller.js';
import { FilesRepository } from './files.repository.js';
import { FilesService } from './files.service.js';
import { KeptFiles } from './kept-files.js';
import { PublicUploadsController } from './public-uploads.controller.js';
import { PublicUploadsService } from './public-uploads.service.js';
import { ResponseFilesService } from './response-files.service.js';
import { BlobChunk, BlobChunkSchema } from './storage/blob-chunk.schema.js';
import { BlobFile, BlobFileSchema } from './storage/blob-file.schema.js';
import { FileStorage } from './storage/file-storage.js';
import { GridFsStorage } from './storage/grid-fs.storage.js';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: StoredFile.name, schema: StoredFileSchema },
      { name: BlobFile.name, schema: BlobFileSchema },
      { name: BlobChunk.name, schema: BlobChunkSchema },
    ]),
    FormsModule,
    RateLimitModule,
  ],
  controllers: [FilesController, PublicUploadsController],
  providers: [
    FilesRepository,
    FilesService,
    KeptFiles,
    PublicUploadsService,
    ResponseFilesService,
    FileErasureService,
    StoreLock,
    { provide: FileStorage, useClass: GridFsStorage },
  ],
  exports: [FilesService, ResponseFilesService, FileErasureService, PublicUploadsService],
})
export class FilesModule {}
