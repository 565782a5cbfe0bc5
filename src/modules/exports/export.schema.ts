import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, type Types } from 'mongoose';
import { EXPORT_FORMATS, type ExportFormat } from './export-format.js';

export const EXPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

@Schema({ collection: 'exports', timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false })
export class FormExport {
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ type: MongooseSchema.Types.ObjectId, required: true }) form_id!: Types.ObjectId;
  /** Exports recorded before formats existed are CSV. */
  @Prop({ type: String, required: true, enum: EXPORT_FORMATS, default: 'csv' }) format!: ExportFormat;
  /** Only responses submitted within these (both included; an absent end is open). */
  @Prop() from?: Date;
  @Prop() to?: Date;
  @Prop({ type: String, required: true, enum: EXPORT_STATUSES, default: 'queued' }) status!: ExportStatus;
  @Prop({ required: true, default: 0 }) row_count!: number;
  @Prop() error?: string;
  /** The export's file (CSV, JSON or xlsx), stored as a file of the tenant. */
  @Prop({ type: MongooseSchema.Types.ObjectId }) file_id?: Types.ObjectId;
  /**
   * When the run under way (or the run whose file is recorded) started: a run that started after a
   * response was deleted never read it (see `ExportsService.eraseFilesThatMayHold`). Absent on
   * exports written before it was recorded.
   */
  @Prop() started_at?: Date;
  @Prop() completed_at?: Date;
  /** When its file was erased, `EXPORT_TTL_HOURS` after completion. */
  @Prop() expired_at?: Date;
  created_at!: Date;
  updated_at!: Date;
}

export const FormExportSchema = SchemaFactory.createForClass(FormExport);
FormExportSchema.index({ tenant_id: 1, form_id: 1, created_at: -1 });
// Which files are an export's (FilesService asks, for files written before they were marked).
FormExportSchema.index({ tenant_id: 1, file_id: 1 });
