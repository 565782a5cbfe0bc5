import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, type Types } from 'mongoose';

/**
 * A GridFS chunk of the `blobs` bucket (`blobs.chunks`). GridFS's own writer cannot add a field, so
 * chunks are written here, through a tenant-scoped model: every chunk carries its `tenant_id`, the
 * tenant plugin scopes every read and delete of them, and erasing a tenant's documents erases its bytes.
 */
@Schema({ collection: 'blobs.chunks', versionKey: false })
export class BlobChunk {
  /**
   * `<files_id hex>:<n>` rather than GridFS's usual ObjectId (the spec only needs it unique): every
   * chunk is then read and deleted by `_id`, which FerretDB serves from its primary key where a
   * `files_id` filter would scan every chunk's bytes.
   */
  @Prop({ type: String }) _id!: string;
  @Prop({ required: true }) tenant_id!: string;
  @Prop({ type: MongooseSchema.Types.ObjectId, required: true }) files_id!: Types.ObjectId;
  @Prop({ required: true }) n!: number;
  @Prop({ type: Buffer, required: true }) data!: Buffer;
}

export const BlobChunkSchema = SchemaFactory.createForClass(BlobChunk);
// GridFS's `{ files_id, n }` index with the tenant first, like every other index (and a shard key's prefix).
BlobChunkSchema.index({ tenant_id: 1, files_id: 1, n: 1 }, { unique: true });
// GridFS's own index, which GridFS tools expect; here it also serves the cross-tenant sweep of abandoned
// bytes, which ranges over `files_id` (an ObjectId: its time) with `n: 0`.
BlobChunkSchema.index({ files_id: 1, n: 1 }, { name: 'system_gridfs_files_id_n' });
