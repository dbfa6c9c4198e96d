// The PouchDB peer of Hearth's sync benchmark (run by `cargo bench -p hearth-sync --bench sync`
// through `make bench`; not part of `make test`).
//
//   node replicate.js RECORDS.ndjson [BATCH] [ADAPTER]
//
// Starts express-pouchdb (PouchDB 9) on a loopback port, seeds it with the records of
// RECORDS.ndjson (one JSON object per line, `_id` set; seeding is not timed), then times one
// replication of the whole database into a fresh local PouchDB with `batch_size` BATCH
// (default 500, Hearth's pull page). ADAPTER is the adapter of both databases:
// - `memory` (default): pouchdb-adapter-memory, nothing on disk;
// - `leveldb`: PouchDB's default Node persistence (the `pouchdb` package's node build,
//   leveldown), both databases in a fresh temporary folder removed afterwards.
// Prints one JSON line: {"records": N, "ms": T, "pouchdb": "9.0.0", "adapter": ADAPTER}.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const express = require('express');
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));

async function main() {
  const [file, batchArg, adapterArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node replicate.js RECORDS.ndjson [BATCH] [memory|leveldb]');
    process.exit(2);
  }
  const batch = Number(batchArg || 500);
  const adapter = adapterArg || 'memory';
  if (adapter !== 'memory' && adapter !== 'leveldb') {
    console.error(`unknown adapter ${adapter}: memory or leveldb`);
    process.exit(2);
  }
  let dir = null;
  let opts = { adapter };
  if (adapter === 'leveldb') {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-pouchdb-'));
    // The prefix is prepended to each database's name: both LevelDB folders live in `dir`.
    opts = { adapter, prefix: dir + path.sep };
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  const ServerDB = PouchDB.defaults(opts);
  const app = express();
  app.use('/', require('express-pouchdb')(ServerDB, { mode: 'minimumForPouchDB', logPath: '/dev/null' }));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${server.address().port}/records`;

  // Seed (not timed).
  const remote = new ServerDB('records');
  if (remote.adapter !== adapter) throw new Error(`server database on ${remote.adapter}, not ${adapter}`);
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
  const local = new PouchDB(`local-${Date.now()}`, opts);
  if (local.adapter !== adapter) throw new Error(`local database on ${local.adapter}, not ${adapter}`);
  const started = process.hrtime.bigint();
  const result = await local.replicate.from(url, { batch_size: batch, batches_limit: 10 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const info = await local.info();
  if (result.ok !== true || info.doc_count !== seeded) {
    console.error(`replication incomplete: ${info.doc_count} of ${seeded} records`);
    process.exit(1);
  }
  console.log(JSON.stringify({ records: info.doc_count, ms, pouchdb: require('pouchdb/package.json').version, adapter }));
  server.close();
  await local.close();
  await remote.close();
  process.exit(0);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
