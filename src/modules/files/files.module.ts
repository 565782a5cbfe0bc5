import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StoredFile, StoredFileSchema } from './file.schema.js';
import { FilesController } from './files.controller.js';
import { FilesRepository } from './files.repository.js';
import { FilesService } from './files.service.js';
import { FileStorage } from './storage/file-storage.js';
import { LocalDiskStorage } from './storage/local-disk.storage.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: StoredFile.name, schema: StoredFileSchema }])],
  controllers: [FilesController],
  providers: [FilesRepository, FilesService, { provide: FileStorage, useClass: LocalDiskStorage }],
  exports: [FilesService],
})
export class FilesModule {}
