// bench/db: durable append throughput with group commit, and boot time from a 1M-entry trace.
// Every figure is printed next to a ceiling measured in this same run (see shared BENCHMARKS.md).
// Env: TEST_DATABASE_URL / DATABASE_URL adds PostgreSQL; XDV_BENCH_APPEND (commands, default 20000);
// XDV_BENCH_BOOT_N (entries, default 1000000; 0 skips the boot benchmark); XDV_BENCH_SIGN_MS (head
// signing interval, default 5000; 0 signs every batch); XDV_PGLITE_WORKER=1|0 (PGlite on a worker thread
// or on this one; the ceiling then uses the same driver).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenario, step } from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';
import {
  APPEND_SQL,
  appendParams,
  CHECKPOINT_KIND,
  checkpointOf,
  Ledger,
  migratePg,
  migratePglite,
  NodeKey,
  openPg,
  openPglite,
  pgliteOnWorker,
  writeCheckpoint,
} from '@xdv/db';
import pg from 'pg';

const PG_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
const APPEND_N = Number(process.env.XDV_BENCH_APPEND ?? 20_000);
const BOOT_N = Number(process.env.XDV_BENCH_BOOT_N ?? 1_000_000);
// How often the Ledger signs its committed head (ms; 0 = every batch, to measure the worst case).
const SIGN_MS = Number(process.env.XDV_BENCH_SIGN_MS ?? 5000);
const child = fileURLToPath(new URL('./db-boot-child.mjs', import.meta.url));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const line = (what, figure, unit, ceiling, ratio, target) =>
  console.log(
    `${what.padEnd(44)} ${fmt(figure).padStart(9)} ${unit.padEnd(10)} ceiling ${fmt(ceiling).padStart(9)} ${unit.padEnd(10)} ratio ${ratio.toFixed(2)} (target ${target})  load ${load()}`,
  );

const temps = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'xdv-bench-db-'));
  temps.push(d);
  return d;
};
const schemas = [];
const freshSchema = () => {
  const s = `bench_${process.pid}_${schemas.length}`;
  schemas.push(s);
  return s;
};

/** The append workload: tenants, root VHMs and clock ticks (touches the read model as real traffic does). */
function appendCommands(n) {
  const op = { kind: 'operator' };
  const cmds = [];
  let tenants = 0;
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) {
      tenants++;
      cmds.push({
        type: 'tenant.create',
        name: `t${i}`,
        quota: scenario.quotaOf({ vhms: 1000, memory: 1 << 20, cpu: 64 }),
        actor: op,
      });
    } else if (i % 3 === 0) cmds.push({ type: 'clock.advance', ticks: 1, actor: op });
    else {
      const tenant = `tenant-${tenants}`;
      cmds.push({
        type: 'vhm.create',
        tenant,
        name: `v${i}`,
        quota: scenario.quotaOf({ memory: 64, cpu: 1 }),
        parent: null,
        capability: null,
        actor: { kind: 'tenant', tenant, role: 'admin' },
      });
    }
  }
  return cmds;
}

/** Raw batched INSERT of the same rows with the same driver, 2,000 rows per transaction: the ceiling. */
async function ceiling(driver, entries) {
  await driver.query('CREATE TABLE "trace_raw" (LIKE "trace" INCLUDING ALL)');
  const per = 2000;
  const values = Array.from(
    { length: per },
    (_, r) => `(${Array.from({ length: 11 }, (_, c) => `$${r * 11 + c + 1}`).join(',')})`,
  ).join(',');
  const sqlValues = `INSERT INTO "trace_raw" ("seq","l","type","tenant","vhm","domain","capability","contract","text","prev","hash") VALUES ${values}`;
  const sqlUnnest = APPEND_SQL.replace('"trace"', '"trace_raw"');
  const full = entries.length - (entries.length % per);
  const run = async (variant) => {
    await driver.query('TRUNCATE "trace_raw"');
    const t0 = performance.now();
    for (let i = 0; i < full; i += per) {
      const chunk = entries.slice(i, i + per);
      await driver.tx(async (q) => {
        if (variant === 'values') {
          const flat = [];
          for (const e of chunk)
            flat.push(
              e.seq,
              e.l,
              e.type,
              e.tenant,
              e.vhm,
              e.domain,
              e.capability,
              e.contract,
              e.text,
              e.prev,
              e.hash,
            );
          await q.query(sqlValues, flat, 'bench_values');
        } else await q.query(sqlUnnest, appendParams(chunk), 'bench_unnest');
      });
    }
    return full / ((performance.now() - t0) / 1000);
  };
  const values1 = await run('values');
  const unnest1 = await run('unnest');
  await driver.query('DROP TABLE "trace_raw"');
  // The better raw way is the ceiling.
  return { rate: Math.max(values1, unnest1), values: values1, unnest: unnest1 };
}

async function appendBench(kind) {
  const opts =
    kind === 'pg'
      ? { databaseUrl: PG_URL, schema: freshSchema() }
      : { databaseUrl: null, dataDir: join(tmp(), 'data') };
  const cmds = appendCommands(APPEND_N);
  const ledger = await Ledger.open({
    ...opts,
    keyDir: join(tmp(), 'keys'),
    signEveryMs: SIGN_MS,
    checkpointEvery: 0,
    checkpointOnClose: false,
  });
  const entries = [];
  ledger.onCommit((es) => entries.push(...es));
  const window = 1000; // commands in flight: the group-commit batch size under load
  const t0 = performance.now();
  for (let i = 0; i < cmds.length; i += window) await ledger.submitMany(cmds.slice(i, i + window));
  const secs = (performance.now() - t0) / 1000;
  const rate = entries.length / secs;
  const { batches, stepMs, flushMs, viewMs, signs, signMs } = ledger.stats;
  await ledger.close();
  // Ceiling in a fresh database of the same kind, same driver, same rows.
  const driver =
    kind === 'pg'
      ? await (async () => {
          const s = freshSchema();
          await migratePg(PG_URL, s);
          return openPg(PG_URL, s);
        })()
      : await (async () => {
          const d = await openPglite({ dataDir: join(tmp(), 'data') });
          await migratePglite(d);
          return d;
        })();
  const c = await ceiling(driver, entries);
  await driver.close();
  line(
    `append ${kind === 'pglite' && pgliteOnWorker() ? 'pglite/worker' : kind} (group commit, ${fmt(entries.length)} entries)`,
    rate,
    'entries/s',
    c.rate,
    rate / c.rate,
    '≥ 0.5',
  );
  console.log(
    `  ${batches} transactions, ${(entries.length / batches).toFixed(0)} entries each; core step + read-model rows ${(stepMs / 1000).toFixed(2)} s, committed-state advance ${((viewMs ?? 0) / 1000).toFixed(2)} s, transactions ${(flushMs / 1000).toFixed(2)} s, ${signs} head signatures ${(signMs / 1000).toFixed(2)} s (every ${SIGN_MS} ms) of ${secs.toFixed(2)} s; raw ceiling VALUES ${fmt(c.values)}/s, unnest ${fmt(c.unnest)}/s`,
  );
}

function bootChild(mode, opts) {
  const out = execFileSync(process.execPath, [child, mode, JSON.stringify(opts)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1));
}

async function bootBench(kind) {
  const opts =
    kind === 'pg'
      ? { databaseUrl: PG_URL, schema: freshSchema() }
      : { databaseUrl: null, dataDir: join(tmp(), 'data') };
  // The node's key directory (outside the database): boot uses only a checkpoint signed by a trusted key.
  opts.keyDir = join(tmp(), 'keys');
  // Build the trace fast: cheap commands through the core, inserted in big batches.
  const t0 = performance.now();
  const ledger = await Ledger.open({ ...opts, checkpointEvery: 0, checkpointOnClose: false });
  const state = structuredClone(ledger.state);
  await ledger.close();
  const driver =
    kind === 'pg' ? await openPg(PG_URL, opts.schema) : await openPglite({ dataDir: opts.dataDir });
  const op = { kind: 'operator' };
  let buf = [];
  while (state.seq < BOOT_N) {
    const r = step(state, { type: 'clock.advance', ticks: 1, actor: op }, { hasher: nodeSha256 });
    for (const e of r.entries) buf.push(e);
    if (buf.length >= 20_000 || state.seq >= BOOT_N) {
      await driver.tx((q) => q.query(APPEND_SQL, appendParams(buf), 'bench_fill'));
      buf = [];
    }
  }
  const n = state.seq;
  const cp = checkpointOf(state, nodeSha256);
  const key = NodeKey.loadOrCreate(opts.keyDir);
  const body = { seq: cp.seq, l: cp.l, head: cp.head, stateHash: cp.stateHash };
  await writeCheckpoint(driver, { ...cp, key: key.fingerprint, sig: key.sign(CHECKPOINT_KIND, body) });
  const fillSecs = (performance.now() - t0) / 1000;
  // Raw read rate of the same rows with the same driver, in the chunks boot uses.
  const r0 = performance.now();
  let after = 0;
  let read = 0;
  const sample = [];
  for (;;) {
    const rows = await driver.query(
      'SELECT "seq","l","text","hash" FROM "trace" WHERE "seq" > $1 ORDER BY "seq" LIMIT $2',
      [after, 20_000],
      'bench_read',
    );
    if (rows.length === 0) break;
    read += rows.length;
    after = rows.at(-1).seq;
    if (sample.length < 200_000) sample.push(...rows);
  }
  const readRate = read / ((performance.now() - r0) / 1000);
  // Ceiling of the background check: parse, re-serialise, SHA-256 and link the same stored rows.
  const c0 = performance.now();
  let prev = null;
  let linked = 0;
  for (const r of sample) {
    const e = JSON.parse(r.text);
    if (nodeSha256(JSON.stringify(e)) === r.hash && (prev === null || e.prev === prev)) linked++;
    prev = r.hash;
  }
  const chainRate = sample.length / ((performance.now() - c0) / 1000);
  if (linked !== sample.length) console.log(`  ! chain ceiling: ${sample.length - linked} rows did not link`);
  await driver.close();
  const childOpts =
    kind === 'pg'
      ? { databaseUrl: PG_URL, schema: opts.schema, keyDir: opts.keyDir }
      : { databaseUrl: null, dataDir: opts.dataDir, keyDir: opts.keyDir };
  const floor = bootChild('floor', childOpts);
  const withCp = bootChild('ledger', childOpts);
  const bg = bootChild('verify', childOpts);
  const d2 = kind === 'pg' ? await openPg(PG_URL, opts.schema) : await openPglite({ dataDir: opts.dataDir });
  await d2.query('DELETE FROM "checkpoints"');
  await d2.close();
  const noCp = bootChild('ledger', childOpts);
  if (withCp.seq !== n || noCp.seq !== n || withCp.broken || noCp.broken)
    console.log(`  ! boot reached seq ${withCp.seq}/${noCp.seq} of ${n}`);
  console.log(`boot ${kind}: trace of ${fmt(n)} entries built in ${fillSecs.toFixed(1)} s`);
  const floorS = floor.ms / 1000;
  const cpS = withCp.ms / 1000;
  console.log(
    `${`boot ${kind} with checkpoint`.padEnd(44)} ${cpS.toFixed(2).padStart(9)} s          floor ${floorS.toFixed(2).padStart(9)} s          over floor ${(cpS - floorS).toFixed(2)} s (target ≤ 1.00)  load ${load()}`,
  );
  // Background verification after a signed-checkpoint start: rows hashed, linked and replayed per
  // second, beside "serialise + SHA-256 + chain check" of the same rows measured here.
  const bgRate = bg.checked / ((bg.verifiedMs - bg.ms) / 1000);
  line(
    `boot ${kind} background verification (${bg.ok ? 'ok' : 'BROKEN'})`,
    bgRate,
    'rows/s',
    chainRate,
    bgRate / chainRate,
    '≥ 0.6',
  );
  const noCpS = noCp.ms / 1000;
  const replayRate = n / (noCpS - floorS);
  line(
    `boot ${kind} without checkpoint (${noCpS.toFixed(1)} s)`,
    replayRate,
    'entries/s',
    readRate,
    replayRate / readRate,
    '≥ 0.8',
  );
  console.log(`  (entries / (boot − floor); over the whole boot incl. floor: ${fmt(n / noCpS)}/s)`);
}

try {
  console.log(
    `bench/db  node ${process.version}  load ${load()}  PostgreSQL: ${PG_URL ? 'yes' : 'no (set TEST_DATABASE_URL)'}`,
  );
  await appendBench('pglite');
  if (PG_URL) await appendBench('pg');
  if (BOOT_N > 0) {
    await bootBench('pglite');
    if (PG_URL) await bootBench('pg');
  }
} finally {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
  if (PG_URL && schemas.length > 0) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await c.end();
  }
}
