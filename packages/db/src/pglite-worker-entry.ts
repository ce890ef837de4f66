import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type QueryOptions, type Results, type Transaction, types } from '@electric-sql/pglite';
import type { WorkerData, WorkerError, WorkerReply, WorkerRequest } from './pglite-worker.js';

// The worker that owns a PGlite: it runs every query of the process's database, so the WASM's cost
// per statement is paid on this thread and not on the one serving HTTP. A transaction is opened by
// `begin`, runs the queries that carry its id, and ends with `end` (COMMIT or ROLLBACK); PGlite's
// own transaction mutex queues every other query and transaction until it ends.

const port = parentPort;
if (!port) throw new Error('pglite-worker-entry runs as a worker thread');

/** The parsers drizzle-orm/pglite passes (date and time types kept as text; Drizzle maps them). */
const keep = (v: string) => v;
const DRIZZLE_PARSERS = {
  [types.TIMESTAMP]: keep,
  [types.TIMESTAMPTZ]: keep,
  [types.INTERVAL]: keep,
  [types.DATE]: keep,
  1231: keep, // numeric[]
  1115: keep, // timestamp[]
  1185: keep, // timestamptz[]
  1187: keep, // interval[]
  1182: keep, // date[]
};

function serialiseError(e: unknown): WorkerError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(e)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
  }
  return { name: e.name, message: e.message, fields, ...(e.stack ? { stack: e.stack } : {}) };
}

const data = workerData as WorkerData;
const fresh = data.fresh;
// A failure here reaches the opener as the worker's 'error' event.
const pglite = await PGlite.create({
  ...(data.dataDir ? { dataDir: data.dataDir } : {}),
  ...(data.loadDataDir && fresh ? { loadDataDir: new Blob([data.loadDataDir]) } : {}),
});

interface OpenTx {
  /** The transaction once PGlite has begun it (after whatever held its mutex); rejects if BEGIN failed. */
  t: Promise<Transaction>;
  end: (commit: boolean) => void;
  done: Promise<unknown>;
}
const open = new Map<number, OpenTx>();
const ROLLBACK = Symbol('rollback');

function opened(tx: number): Promise<Transaction> {
  const o = open.get(tx);
  return o ? o.t : Promise.reject(new Error(`transaction ${tx} is not open`));
}

async function handle(m: WorkerRequest): Promise<unknown> {
  switch (m.op) {
    case 'query': {
      const on = m.tx ? await opened(m.tx) : pglite;
      if (m.mode === 'plain') return (await on.query(m.text, m.params)).rows;
      const opts: QueryOptions = {
        rowMode: m.mode === 'array' ? 'array' : 'object',
        parsers: DRIZZLE_PARSERS,
      };
      const r: Results = await on.query(m.text, m.params, opts);
      return {
        rows: r.rows,
        fields: r.fields,
        ...(r.affectedRows === undefined ? {} : { affectedRows: r.affectedRows }),
      };
    }
    case 'begin': {
      // Registered at once: the transaction's queries may arrive before PGlite has begun it.
      let began: (t: Transaction) => void = () => {};
      let failed: (e: unknown) => void = () => {};
      const t = new Promise<Transaction>((ok, ko) => {
        began = ok;
        failed = ko;
      });
      t.catch(() => {});
      let end: (commit: boolean) => void = () => {};
      const ended = new Promise<boolean>((r) => {
        end = r;
      });
      const done = pglite.transaction(async (tx) => {
        began(tx);
        if (!(await ended)) throw ROLLBACK;
      });
      done.catch(failed); // BEGIN itself failed: the transaction's queries fail with its error
      open.set(m.tx, { t, end, done });
      await t;
      return null;
    }
    case 'end': {
      const tx = open.get(m.tx);
      if (!tx) throw new Error(`transaction ${m.tx} is not open`);
      tx.end(m.commit);
      try {
        await tx.done;
      } catch (e) {
        if (e !== ROLLBACK) throw e;
      } finally {
        open.delete(m.tx);
      }
      return null;
    }
    case 'close':
      // PGlite waits for a transaction in flight to end before it closes.
      await pglite.close();
      return null;
  }
}

port.on('message', (m: WorkerRequest) => {
  handle(m).then(
    (value) => port.postMessage({ id: m.id, ok: true, value } satisfies WorkerReply),
    (e) => port.postMessage({ id: m.id, ok: false, error: serialiseError(e) } satisfies WorkerReply),
  );
});
port.postMessage({ id: 0, ok: true, value: null } satisfies WorkerReply);
