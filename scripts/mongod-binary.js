// Prints the path of a `mongod` (MongoDB 7, the production major) that mongodb-memory-server has
// cached or can download; on failure prints the reason in one line and exits 1. Used by lib.sh's
// store choice: a real mongod is preferred to FerretDB whenever this machine can get one.
import { MongoBinary } from 'mongodb-memory-server-core';

process.env.MONGOMS_VERSION ??= '7.0.14';

try {
  process.stdout.write(`${await MongoBinary.getPath()}\n`);
} catch (error) {
  const reason = String(error instanceof Error ? error.message : error).replace(/\s+/g, ' ');
  process.stderr.write(`${reason.trim().slice(0, 300)}\n`);
  process.exit(1);
}
