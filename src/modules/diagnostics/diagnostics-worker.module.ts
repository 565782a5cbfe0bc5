import { Module } from '@nestjs/common';
import { DiagnosticsModule } from './diagnostics.module.js';
import { DiagnosticsProcessor } from './diagnostics.processor.js';

/** The `diagnostics` queue's processor. */
@Module({ imports: [DiagnosticsModule], providers: [DiagnosticsProcessor] })
export class DiagnosticsWorkerModule {}
