import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StoreLock } from '../../infrastructure/database/store-lock.js';
import { QueueName } from '../../infrastructure/queue/queue-names.js';
import { FilesModule } from '../files/index.js';
import { FormsModule } from '../forms/index.js';
import { ResponsesModule } from '../responses/index.js';
import { FormExport, FormExportSchema } from './export.schema.js';
import { ExportsController } from './exports.controller.js';
import { ExportsRepository } from './exports.repository.js';
import { ExportsService } from './exports.service.js';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: FormExport.name, schema: FormExportSchema }]),
    BullModule.registerQueue({ name: QueueName.Export }),
    FormsModule,
    FilesModule,
    ResponsesModule,
  ],
  controllers: [ExportsController],
  providers: [ExportsRepository, ExportsService, StoreLock],
  exports: [ExportsService],
})
export class ExportsModule {}
