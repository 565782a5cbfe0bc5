import mongoose from 'mongoose';
const url = process.argv[2];
const c = await mongoose.createConnection(url + 'exp').asPromise();
const db = c.db;
await db.dropDatabase();
const N = 20000;
const t = () => performance.now();
let s = t();
for (let i = 0; i < N; i += 1000) await db.collection('src').insertMany(Array.from({length: 1000}, (_, k) => ({ name: 'x' + (i+k), data: { a: i+k, b: 'lorem ipsum '.repeat(5) }, created_at: new Date() })));
console.log('seed insertMany', N, ((t()-s)/1000).toFixed(2), 's');
s = t(); let n = 0; let batch = [];
for await (const d of db.collection('src').find({}, { sort: { _id: 1 }, batchSize: 1000, promoteValues: false })) { d.tenant_id = 'default'; batch.push(d); if (batch.length === 1000) { await db.collection('copy').insertMany(batch, {ordered:false}); batch = []; } n++; }
console.log('copy sorted stream + insertMany', n, ((t()-s)/1000).toFixed(2), 's');
s = t(); n=0;
for await (const d of db.collection('src').find({}, { raw: true, batchSize: 1000 })) n++;
console.log('raw read', n, ((t()-s)/1000).toFixed(2), 's');
// in-place: bulkWrite updateOne by _id
s = t(); let ops = [];
for await (const d of db.collection('src').find({ tenant_id: { $exists: false } }, { projection: { _id: 1 }, batchSize: 1000 })) { ops.push({ updateOne: { filter: { _id: d._id }, update: { $set: { tenant_id: 'default', migrated_at: new Date() } } } }); if (ops.length === 1000) { await db.collection('src').bulkWrite(ops, {ordered:false}); ops = []; } }
if (ops.length) await db.collection('src').bulkWrite(ops);
console.log('in-place bulk updateOne by _id', ((t()-s)/1000).toFixed(2), 's');
// updateMany $in per batch
await db.collection('src').updateMany({}, { $unset: { tenant_id: '' } });
s = t(); let ids = [];
const all = await db.collection('src').find({}, { projection: { _id: 1 } }).toArray();
for (let i = 0; i < all.length; i += 1000) await db.collection('src').updateMany({ _id: { $in: all.slice(i, i+1000).map(d => d._id) } }, { $set: { tenant_id: 'default' } });
console.log('in-place updateMany $in per batch', ((t()-s)/1000).toFixed(2), 's');
s = t();
await db.renameCollection('src', 'src_backup');
await db.renameCollection('copy', 'src');
console.log('renames', ((t()-s)/1000).toFixed(3), 's', (await db.collection('src').countDocuments({})), await db.collection('src_backup').countDocuments({}));
const g = await db.collection('src').aggregate([{ $match: { tenant_id: 'default' } }, { $group: { _id: '$name', n: { $sum: 1 } } }, { $limit: 2 }]).toArray();
console.log('group', g);
s = t(); const last = await db.collection('src').find({ _id: { $gt: all[N/2]._id } }, { sort: { _id: 1 }, limit: 1 }).toArray();
console.log('gt sort limit', ((t()-s)/1000).toFixed(3), last.length);
await c.close();
