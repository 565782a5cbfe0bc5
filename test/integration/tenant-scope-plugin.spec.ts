import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import mongoose, { type Connection, type Model, Schema } from 'mongoose';
import { MissingTenantContextError, TenantContext } from '../../src/infrastructure/tenancy/tenant-context.js';
import { TenantScopeViolationError, tenantScopePlugin } from '../../src/infrastructure/tenancy/tenant-scope.plugin.js';
import { useTestEnvironment } from '../support/test-environment.js';

interface Widget {
  tenant_id: string;
  name: string;
  size: number;
  owner?: string;
}

const A = 'alpha';
const B = 'beta';
const asA = <T>(work: () => PromiseLike<T>) => TenantContext.runForTenant(A, work);
const asB = <T>(work: () => PromiseLike<T>) => TenantContext.runForTenant(B, work);
const asSystem = <T>(work: () => PromiseLike<T>) => TenantContext.runAsSystem('test inspection', work);

describe('tenant scope plugin on the real store', () => {
  let connection: Connection;
  let widgets: Model<Widget>;
  let bWidgetId: mongoose.Types.ObjectId;

  beforeAll(async () => {
    useTestEnvironment('tenant-plugin');
    connection = await mongoose.createConnection(process.env.MONGO_URL!).asPromise();
    connection.plugin(tenantScopePlugin);
    widgets = connection.model<Widget>(
      'Widget',
      new Schema<Widget>({ tenant_id: { type: String, required: true }, name: String, size: Number, owner: String }),
    );
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  beforeEach(async () => {
    await asSystem(() => widgets.deleteMany({}));
    await asA(() =>
      widgets.create([
        { name: 'a1', size: 1 },
        { name: 'a2', size: 2 },
      ] as Widget[]),
    );
    const [b1] = await asB(() =>
      widgets.create([
        { name: 'b1', size: 10 },
        { name: 'b2', size: 20 },
      ] as Widget[]),
    );
    bWidgetId = b1._id;
  });

  const everything = () => asSystem(() => widgets.find({}).sort({ name: 1 }).lean());
  const namesOf = (docs: { name: string }[]) => docs.map((doc) => doc.name).sort();

  it('stamps the tenant on save and refuses a document naming another tenant', async () => {
    const saved = await asA(() => widgets.create({ name: 'a3', size: 3 } as Widget));
    expect(saved.tenant_id).toBe(A);
    await expect(asA(() => widgets.create({ name: 'x', size: 0, tenant_id: B }))).rejects.toThrow(
      TenantScopeViolationError,
    );
  });

  it('refuses to save a loaded document into another tenant', async () => {
    await expect(
      asA(async () => {
        const document = await widgets.findOne({ name: 'a1' }).orFail();
        document.tenant_id = B;
        await document.save();
      }),
    ).rejects.toThrow(TenantScopeViolationError);
  });

  it('stamps insertMany documents, as an array or a single object', async () => {
    await asA(() => widgets.insertMany([{ name: 'a3', size: 3 }]));
    await asA(() => widgets.insertMany({ name: 'a4', size: 4 }));
    const stored = await asSystem(() => widgets.find({ name: { $in: ['a3', 'a4'] } }).lean());
    expect(stored.map((doc) => doc.tenant_id)).toEqual([A, A]);
  });

  it('scopes find, findOne, countDocuments and distinct', async () => {
    expect(namesOf(await asA(() => widgets.find({}).lean()))).toEqual(['a1', 'a2']);
    expect(await asA(() => widgets.findOne({ _id: bWidgetId }).lean())).toBeNull();
    expect(await asA(() => widgets.findById(bWidgetId).lean())).toBeNull();
    expect(await asA(() => widgets.countDocuments({}))).toBe(2);
    expect((await asA(() => widgets.distinct('name'))).sort()).toEqual(['a1', 'a2']);
    expect(namesOf(await asA(() => widgets.find({ tenant_id: B }).lean()))).toEqual([]);
  });

  it('scopes findOneAndUpdate, findOneAndReplace and findOneAndDelete', async () => {
    expect(await asA(() => widgets.findOneAndUpdate({ _id: bWidgetId }, { $set: { size: 99 } }))).toBeNull();
    expect(await asA(() => widgets.findOneAndReplace({ _id: bWidgetId }, { name: 'hijack', size: 0 }))).toBeNull();
    expect(await asA(() => widgets.findOneAndDelete({ _id: bWidgetId }))).toBeNull();
    const replaced = await asA(() =>
      widgets.findOneAndReplace({ name: 'a1' }, { name: 'a1-replaced', size: 5 }, { returnDocument: 'after' }),
    );
    expect(replaced).toMatchObject({ name: 'a1-replaced', tenant_id: A });
    expect(await everything()).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'b1', size: 10 })]));
  });

  it('scopes updateOne, updateMany, replaceOne, deleteOne and deleteMany', async () => {
    expect((await asA(() => widgets.updateOne({ _id: bWidgetId }, { $set: { size: 0 } }))).matchedCount).toBe(0);
    expect((await asA(() => widgets.updateMany({}, { $inc: { size: 100 } }))).modifiedCount).toBe(2);
    expect((await asA(() => widgets.replaceOne({ _id: bWidgetId }, { name: 'x', size: 0 }))).matchedCount).toBe(0);
    expect((await asA(() => widgets.deleteOne({ _id: bWidgetId }))).deletedCount).toBe(0);
    expect((await asA(() => widgets.deleteMany({}))).deletedCount).toBe(2);
    const left = await everything();
    expect(left.map(({ name, size, tenant_id }) => ({ name, size, tenant_id }))).toEqual([
      { name: 'b1', size: 10, tenant_id: B },
      { name: 'b2', size: 20, tenant_id: B },
    ]);
  });

  it('scopes document updateOne and deleteOne', async () => {
    const bDocument = await asB(() => widgets.findById(bWidgetId).orFail());
    await asA(() => bDocument.updateOne({ $set: { size: 0 } }));
    await asA(() => bDocument.deleteOne());
    expect(await asSystem(() => widgets.findById(bWidgetId).lean())).toMatchObject({ size: 10 });
  });

  it('scopes every bulkWrite operation and stamps inserts and upserts', async () => {
    await asA(() =>
      widgets.bulkWrite([
        { insertOne: { document: { name: 'a3', size: 3 } as Widget } },
        { updateOne: { filter: { _id: bWidgetId }, update: { $set: { size: 0 } } } },
        { updateMany: { filter: {}, update: { $set: { owner: 'bulk' } } } },
        { updateOne: { filter: { name: 'a-upserted' }, update: { $set: { size: 7 } }, upsert: true } },
        { replaceOne: { filter: { name: 'b2' }, replacement: { name: 'hijack', size: 0 } as Widget } },
        { deleteMany: { filter: { name: 'b2' } } },
        { deleteOne: { filter: { _id: bWidgetId } } },
      ]),
    );
    const all = await everything();
    expect(all.filter((doc) => doc.tenant_id === B).map(({ name, size }) => ({ name, size }))).toEqual([
      { name: 'b1', size: 10 },
      { name: 'b2', size: 20 },
    ]);
    expect(namesOf(all.filter((doc) => doc.tenant_id === A))).toEqual(['a-upserted', 'a1', 'a2', 'a3']);
    expect(all.filter((doc) => doc.owner === 'bulk').every((doc) => doc.tenant_id === A)).toBe(true);
  });

  it('prepends a tenant $match to aggregations and refuses cross-collection stages', async () => {
    const sums = await asA(() =>
      widgets.aggregate<{ _id: null; total: number }>([{ $group: { _id: null, total: { $sum: '$size' } } }]),
    );
    expect(sums).toEqual([{ _id: null, total: 3 }]);
    await expect(
      asA(() =>
        widgets.aggregate([{ $lookup: { from: 'widgets', localField: 'name', foreignField: 'name', as: 'x' } }]).exec(),
      ),
    ).rejects.toThrow(TenantScopeViolationError);
    await expect(asA(() => widgets.aggregate([{ $match: {} }, { $out: 'stolen' }]).exec())).rejects.toThrow(
      TenantScopeViolationError,
    );
  });

  // The local store runs neither $facet nor pipeline updates; MongoDB runs both, so the plugin must
  // refuse them itself, before the store sees them (the error type says who refused).
  it('looks inside $facet: its sub-pipelines may not reach another collection', async () => {
    const reaching = [
      { $facet: { stolen: [{ $lookup: { from: 'widgets', pipeline: [], as: 'everything' } }] } },
      { $facet: { stolen: [{ $unionWith: { coll: 'widgets' } }] } },
      { $facet: { ok: [{ $count: 'n' }], stolen: [{ $match: {} }, { $graphLookup: { from: 'widgets' } }] } },
    ];
    for (const stage of reaching) {
      await expect(asA(() => widgets.aggregate([stage as never]).exec())).rejects.toThrow(TenantScopeViolationError);
    }
  });

  it('refuses pipeline-style updates, which can drop tenant_id in too many ways', async () => {
    const pipelines: object[][] = [
      [{ $unset: 'tenant_id' }],
      [{ $unset: ['owner', 'tenant_id'] }],
      [{ $project: { name: 1, size: 1 } }],
      [{ $replaceWith: { name: '$name', size: '$size' } }],
      [{ $replaceRoot: { newRoot: { name: '$name' } } }],
      [{ $set: { size: 1 } }],
    ];
    for (const pipeline of pipelines) {
      await expect(
        asA(() => widgets.updateOne({ name: 'a1' }, pipeline as never, { updatePipeline: true })),
      ).rejects.toThrow(TenantScopeViolationError);
      await expect(
        asA(() =>
          widgets.bulkWrite([{ updateMany: { filter: {}, update: pipeline as never } }], {
            updatePipeline: true,
          } as never),
        ),
      ).rejects.toThrow(TenantScopeViolationError);
    }
    const stored = await everything();
    expect(stored.filter((doc) => doc.tenant_id === A).map((doc) => doc.name)).toEqual(['a1', 'a2']);
  });

  it('refuses updates that set, unset or rename tenant_id, in every form', async () => {
    const attempts: Array<() => PromiseLike<unknown>> = [
      () => widgets.updateOne({ name: 'a1' }, { $set: { tenant_id: B } }),
      () => widgets.updateOne({ name: 'a1' }, { tenant_id: B }),
      () => widgets.updateMany({}, { $unset: { tenant_id: 1 } }),
      () => widgets.updateMany({}, { $rename: { tenant_id: 'old_tenant' } }),
      () => widgets.updateMany({}, { $rename: { owner: 'tenant_id' } }),
      () => widgets.updateOne({ name: 'a1' }, [{ $set: { tenant_id: B } }], { updatePipeline: true }),
      () => widgets.replaceOne({ name: 'a1' }, { name: 'a1', size: 1, tenant_id: B }),
      () => widgets.findOneAndUpdate({ name: 'a1' }, { $setOnInsert: { tenant_id: B } }, { upsert: true }),
    ];
    for (const attempt of attempts) {
      await expect(asA(attempt)).rejects.toThrow(TenantScopeViolationError);
    }
    expect((await everything()).filter((doc) => doc.tenant_id === A)).toHaveLength(2);
  });

  it('allows an update that keeps tenant_id as it is', async () => {
    await asA(() => widgets.updateOne({ name: 'a1' }, { $set: { tenant_id: A, size: 11 } }));
    expect(await asA(() => widgets.findOne({ name: 'a1' }).lean())).toMatchObject({ size: 11, tenant_id: A });
  });

  it('refuses estimatedDocumentCount, which would count every tenant', async () => {
    await expect(asA(() => widgets.estimatedDocumentCount())).rejects.toThrow(TenantScopeViolationError);
  });

  it('throws instead of running unscoped outside any tenant context', async () => {
    await expect(widgets.find({}).exec()).rejects.toThrow(MissingTenantContextError);
    await expect(widgets.create({ name: 'orphan', size: 0 } as Widget)).rejects.toThrow(MissingTenantContextError);
  });

  it('sees every tenant inside an explicit system scope', async () => {
    expect(await asSystem(() => widgets.countDocuments({}))).toBe(4);
  });
});
