// `npm run seed:legacy -- --docs N [--with-duplicates] [--mongo-url URL]`: fills a database with
// documents as the single-tenant v1 application stored them (no tenant_id, users without a role,
// responses without a dedup_key, emails as typed), for tests, benchmarks and operators' rehearsals of
// migration 001. Plain JavaScript: it runs without a build.
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import bcrypt from 'bcryptjs';
import mongoose from 'mongoose';

/** Every seeded user's password: the v1 hashes below all verify it. */
export const LEGACY_PASSWORD = 'v1-password';

/** Shares of the documents per collection (responses take the rest). */
const SHARES = { users: 0.02, forms: 0.03, form_versions: 0.05, files: 0.05 };
const BATCH = 1000;

/** The hashes a Flask v1 holds: werkzeug's pbkdf2 and scrypt formats, and bcrypt. Salted once per run. */
function legacyHashes(password) {
  const salt = randomBytes(12).toString('base64url');
  const pbkdf2 = pbkdf2Sync(password, salt, 600_000, 32, 'sha256').toString('hex');
  const scrypt = scryptSync(password, salt, 64, { N: 32768, r: 8, p: 1, maxmem: 132 * 32768 * 8 }).toString('hex');
  return [
    `pbkdf2:sha256:600000$${salt}$${pbkdf2}`,
    `scrypt:32768:8:1$${salt}$${scrypt}`,
    bcrypt.hashSync(password, 10),
  ];
}

const FIELDS = [
  { key: 'name', type: 'text', label: 'Your name', required: true, max_length: 200 },
  { key: 'email', type: 'email', label: 'Email', required: true },
  { key: 'age', type: 'number', label: 'Age', min: 0, max: 150 },
  { key: 'topic', type: 'select', label: 'Topic', options: ['sales', 'support', 'other'] },
  { key: 'message', type: 'textarea', label: 'Message', max_length: 5000 },
];

const ago = (days) => new Date(Date.now() - days * 86_400_000);

export function legacyCounts(docs) {
  const counts = Object.fromEntries(
    Object.entries(SHARES).map(([name, share]) => [name, Math.max(1, Math.floor(docs * share))]),
  );
  counts.form_responses = Math.max(1, docs - Object.values(counts).reduce((sum, count) => sum + count, 0));
  return counts;
}

/** Seeds `docs` v1 documents over the five collections of `db`; answers the counts per collection. */
export async function seedLegacy(db, { docs, withDuplicates = false }) {
  const counts = legacyCounts(docs);
  const hashes = legacyHashes(LEGACY_PASSWORD);
  const users = Array.from({ length: counts.users }, () => new mongoose.Types.ObjectId());
  const forms = Array.from({ length: counts.forms }, (_, index) => ({
    _id: new mongoose.Types.ObjectId(),
    owner: users[index % users.length],
    versions: 1 + (index % 3),
  }));

  await insertAll(db.collection('users'), counts.users, (index) => ({
    _id: users[index],
    // v1 kept emails as typed: every third one has capitals.
    email: index % 3 === 0 ? `User${index}@Example.com` : `user${index}@example.com`,
    name: `User ${index}`,
    password_hash: hashes[index % hashes.length],
    created_at: ago(400 - (index % 300)),
    updated_at: ago(100),
  }));

  await insertAll(db.collection('forms'), counts.forms, (index) => {
    const { _id, owner, versions } = forms[index];
    const status = index % 5 === 4 ? 'draft' : index % 7 === 6 ? 'archived' : 'published';
    const published = {
      version: versions,
      title: `Form ${index}`,
      description: '',
      fields: FIELDS,
      published_at: ago(30),
    };
    return {
      _id,
      title: `Form ${index}`,
      slug: `form-${index}`,
      description: 'A v1 form',
      status,
      version: status === 'draft' ? 0 : versions,
      fields: FIELDS,
      settings: { send_notification: false, notification_emails: [] },
      owner_id: owner.toHexString(),
      ...(status === 'draft' ? {} : { published }),
      revision: versions,
      created_at: ago(200),
      updated_at: ago(30),
    };
  });

  await insertAll(db.collection('form_versions'), counts.form_versions, (index) => {
    const form = forms[index % forms.length];
    // Versions beyond a form's own count are earlier drafts' history: numbered on past the published one.
    const version = 1 + Math.floor(index / forms.length);
    return {
      _id: new mongoose.Types.ObjectId(),
      form_id: form._id,
      version,
      title: `Form ${index % forms.length}`,
      description: '',
      fields: FIELDS,
      published_at: ago(60 - version),
    };
  });

  await insertAll(db.collection('form_responses'), counts.form_responses, (index) => {
    const form = forms[index % forms.length];
    return {
      _id: new mongoose.Types.ObjectId(),
      form_id: form._id,
      form_version: form.versions,
      data: {
        name: `Respondent ${index}`,
        email: `respondent${index}@example.org`,
        age: 18 + (index % 60),
        topic: ['sales', 'support', 'other'][index % 3],
        message: `Message number ${index}: ${'lorem ipsum '.repeat(1 + (index % 8))}`,
      },
      created_at: ago(index % 365),
      updated_at: ago(index % 365),
    };
  });

  await insertAll(db.collection('files'), counts.files, (index) => ({
    _id: new mongoose.Types.ObjectId(),
    filename: `attachment-${index}.pdf`,
    content_type: 'application/pdf',
    size: 1024 + index,
    storage_key: `v1/${index}.pdf`,
    uploaded_by: users[index % users.length].toHexString(),
    created_at: ago(index % 200),
  }));

  if (withDuplicates) {
    // What breaks the tenant-prefixed unique indexes: emails that differ only in case, a repeated slug.
    await db.collection('users').insertMany([
      { email: 'Duplicate@Example.com', name: 'Dup A', password_hash: hashes[0], created_at: ago(10) },
      { email: 'duplicate@example.com', name: 'Dup B', password_hash: hashes[1], created_at: ago(9) },
    ]);
    await db
      .collection('forms')
      .insertOne({ ...(await db.collection('forms').findOne({}, { projection: { _id: 0 } })) });
    counts.users += 2;
    counts.forms += 1;
  }
  return counts;
}

async function insertAll(collection, count, documentAt) {
  for (let start = 0; start < count; start += BATCH) {
    const batch = [];
    for (let index = start; index < Math.min(count, start + BATCH); index += 1) batch.push(documentAt(index));
    await collection.insertMany(batch, { ordered: false });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      docs: { type: 'string', default: '1000' },
      'with-duplicates': { type: 'boolean', default: false },
      'mongo-url': { type: 'string' },
    },
  });
  const docs = Number(values.docs);
  if (!Number.isInteger(docs) || docs < 10) {
    process.stderr.write('seed:legacy failed: --docs must be a whole number of at least 10\n');
    process.exit(1);
  }
  if (!values['mongo-url'] && !process.env.MONGO_URL && existsSync('.env')) process.loadEnvFile('.env');
  const url = values['mongo-url'] ?? process.env.MONGO_URL;
  if (!url) {
    process.stderr.write('seed:legacy failed: give --mongo-url or set MONGO_URL (as in .env)\n');
    process.exit(1);
  }
  const connection = await mongoose.createConnection(url).asPromise();
  try {
    const counts = await seedLegacy(connection.db, { docs, withDuplicates: values['with-duplicates'] });
    process.stdout.write(`${JSON.stringify({ seeded: counts, password: LEGACY_PASSWORD })}\n`);
  } finally {
    await connection.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
