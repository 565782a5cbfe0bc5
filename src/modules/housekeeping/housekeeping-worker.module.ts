import { Module } from '@nestjs/common';
import { ExportsModule } from '../exports/index.js';
import { FilesModule } from '../files/index.js';
import { HousekeepingModule } from './housekeeping.module.js';
import { HousekeepingProcessor } from './housekeeping.processor.js';

/** The `housekeeping` queue's processor and its schedule. */
@Module({
  imports: [HousekeepingModule, ExportsModule, FilesModule],
  providers: [HousekeepingProcessor],
})
export class HousekeepingWorkerModule {}
