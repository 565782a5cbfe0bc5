import { Module } from '@nestjs/common';
import { DiagnosticsProcessor } from './diagnostics.processor.js';
import { DiagnosticsModule } from './diagnostics.module.js';

/** The `diagnostics` queue's processor. */
@Module({ imports: [DiagnosticsModule], providers: [DiagnosticsProcessor] })
export class DiagnosticsWorkerModule {}
