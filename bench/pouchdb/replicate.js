// The PouchDB peer of Hearth's sync benchmark (run by `cargo bench -p hearth-sync --bench sync`
// through `make bench`; not part of `make test`).
//
//   node replicate.js RECORDS.ndjson [BATCH]
//
// Starts express-pouchdb (PouchDB 9, memory adapter) on a loopback port, seeds it with the
// records of RECORDS.ndjson (one JSON object per line, `_id` set; seeding is not timed), then
// times one replication of the whole database into a fresh local PouchDB (memory adapter)
// with `batch_size` BATCH (default 500, Hearth's pull page). Prints one JSON line:
// {"records": N, "ms": T, "pouchdb": "9.0.0"}.
'use strict';
const fs = require('fs');
const readline = require('readline');
const express = require('express');
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));

async function main() {
  const [file, batchArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node replicate.js RECORDS.ndjson [BATCH]');
    process.exit(2);
  }
  const batch = Number(batchArg || 500);
  const ServerDB = PouchDB.defaults({ adapter: 'memory' });
  const app = express();
  app.use('/', require('express-pouchdb')(ServerDB, { mode: 'minimumForPouchDB', logPath: '/dev/null' }));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${server.address().port}/records`;

  // Seed (not timed).
  const remote = new ServerDB('records');
  let pending = [];
  let seeded = 0;
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    pending.push(JSON.parse(line));
    if (pending.length === 1000) {
      await remote.bulkDocs(pending);
      seeded += pending.length;
      pending = [];
    }
  }
  if (pending.length) {
    await remote.bulkDocs(pending);
    seeded += pending.length;
  }

  // Timed: one replication into a fresh local database.
  const local = new PouchDB(`local-${Date.now()}`, { adapter: 'memory' });
  const started = process.hrtime.bigint();
  const result = await local.replicate.from(url, { batch_size: batch, batches_limit: 10 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const info = await local.info();
  if (result.ok !== true || info.doc_count !== seeded) {
    console.error(`replication incomplete: ${info.doc_count} of ${seeded} records`);
    process.exit(1);
  }
  console.log(JSON.stringify({ records: info.doc_count, ms, pouchdb: require('pouchdb/package.json').version }));
  server.close();
  process.exit(0);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
