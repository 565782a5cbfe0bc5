import type { INestApplicationContext } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

export interface StoredBlob {
  key: string;
  tenant_id: string;
  bytes: Buffer;
}

/** Every blob of the GridFS bucket, every tenant's, read past the app (the test's view of the store). */
export async function storedBlobs(context: INestApplicationContext): Promise<StoredBlob[]> {
  const db = context.get<Connection>(getConnectionToken()).db;
  if (!db) throw new Error('not connected');
  const files = await db.collection('blobs.files').find({}).toArray();
  const blobs: StoredBlob[] = [];
  for (const file of files) {
    const chunks = await db.collection('blobs.chunks').find({ files_id: file._id }).sort({ n: 1 }).toArray();
    const bytes = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.data.buffer)));
    blobs.push({ key: file.filename as string, tenant_id: file.tenant_id as string, bytes });
  }
  return blobs;
}

/** How many chunks the bucket holds, complete blobs or not. */
export async function storedChunkCount(context: INestApplicationContext): Promise<number> {
  const db = context.get<Connection>(getConnectionToken()).db;
  if (!db) throw new Error('not connected');
  return db.collection('blobs.chunks').countDocuments({});
}
