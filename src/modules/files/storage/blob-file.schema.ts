import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Types } from 'mongoose';

/** GridFS's chunk size (255 KiB): a chunk stays far below the 16 MiB document limit on every store. */
export const BLOB_CHUNK_BYTES = 255 * 1024;

/**
 * A GridFS file document of the `blobs` bucket (`blobs.files`), with the tenant it belongs to. Written
 * last, after every chunk: its presence is what says the bytes are complete. The layout is GridFS's,
 * so `mongofiles --prefix blobs` and every driver's bucket can read it; only writes go through here.
 */
@Schema({ collection: 'blobs.files', versionKey: false })
export class BlobFile {
  /** The owning `files` record's id. */
  _id!: Types.ObjectId;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ required: true }) length!: number;
  @Prop({ required: true }) chunkSize!: number;
  @Prop({ required: true }) uploadDate!: Date;
  /** The storage key (`<tenant_id>/<file_id>`). */
  @Prop({ required: true }) filename!: string;
}

export const BlobFileSchema = SchemaFactory.createForClass(BlobFile);
// Reads go by `_id`; this serves erasing a tenant (every document with its `tenant_id`) and a shard key's prefix.
BlobFileSchema.index({ tenant_id: 1, uploadDate: -1 });
