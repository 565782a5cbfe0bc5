import { Module } from '@nestjs/common';
import { ExportProcessor } from './export.processor.js';
import { ExportsModule } from './exports.module.js';

/** The `export` queue's processor. */
@Module({ imports: [ExportsModule], providers: [ExportProcessor] })
export class ExportsWorkerModule {}
