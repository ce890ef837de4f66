// Child of bench/db.mjs: a cold process that boots (mode "ledger") or only reopens the database
// (mode "floor"), and prints milliseconds since process start when ready.
import { PGlite } from '@electric-sql/pglite';
import { Ledger } from '@xdv/db';
import pg from 'pg';

const [mode, json] = process.argv.slice(2);
const opts = JSON.parse(json);
let extra = {};
if (mode === 'ledger' || mode === 'verify') {
  const l = await Ledger.open({ ...opts, checkpointOnClose: false });
  extra = { seq: l.state.seq, broken: l.broken };
  const ms = performance.now();
  if (mode === 'verify') {
    // Ready from the signed checkpoint; then the background check of every row (below it too).
    const v = await l.verified();
    extra = { ...extra, checked: v.checked, ok: v.result?.ok ?? null, verifiedMs: performance.now() };
  }
  await l.close();
  process.stdout.write(`${JSON.stringify({ ms, ...extra })}\n`);
} else {
  let close;
  if (opts.databaseUrl) {
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    await c.connect();
    await c.query('SELECT 1');
    close = () => c.end();
  } else {
    const db = await PGlite.create({ dataDir: opts.dataDir });
    await db.query('SELECT 1');
    close = () => db.close();
  }
  const ms = performance.now();
  await close();
  process.stdout.write(`${JSON.stringify({ ms })}\n`);
}
