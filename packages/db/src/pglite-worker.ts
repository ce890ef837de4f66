import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db, Driver, Query, Row } from './driver.js';
import * as schema from './schema.js';

// PGlite on a thread of its own: the Driver below sends every statement to a worker that owns the
// PGlite (pglite-worker-entry.ts). `tx(fn)` runs `fn` here and its queries there, inside a
// transaction the worker holds open; everything else waits in PGlite's queue until it ends. Errors
// come back with PostgreSQL's fields (`code`, `constraint`, `detail`, ...) so callers classify them
// as they do in-thread. Drizzle runs here over a PGlite-shaped client that forwards to the worker.

/** What the worker is started with. */
export interface WorkerData {
  dataDir?: string;
  /** A data-directory tarball (only used when the data directory does not exist yet). */
  loadDataDir?: ArrayBuffer;
  fresh: boolean;
}

/** `plain`: rows as objects with PGlite's parsers; `array`/`object`: Drizzle's row mode and parsers. */
export type WorkerRequest =
  | {
      id: number;
      op: 'query';
      text: string;
      params: unknown[];
      tx: number;
      mode: 'plain' | 'array' | 'object';
    }
  | { id: number; op: 'begin'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = Distribute<WorkerRequest>;

export interface WorkerError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own scalar fields: PostgreSQL's code, constraint, detail, table, ... */
  fields: Record<string, string | number | boolean | null>;
}

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WorkerError };

/** An error from the worker, rebuilt here with PostgreSQL's fields as own properties. */
export class PgliteWorkerError extends Error {
  [field: string]: unknown;
  constructor(e: WorkerError) {
    super(e.message);
    Object.assign(this, e.fields);
    this.name = e.name;
    if (e.stack) this.stack = `${this.stack}\n    --- in the PGlite worker ---\n${e.stack}`;
  }
}

/**
 * The worker's entry: the compiled sibling. Under a TypeScript runner (the tests run src/) the
 * compiled one in dist/: Node 20 applies no module hooks (tsx) inside worker threads.
 */
function entry(): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL('../dist/pglite-worker-entry.js', here)
    : new URL('./pglite-worker-entry.js', here);
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw new Error(`the PGlite worker's entry ${path} is missing: build @xdv/db first`);
  return path;
}

interface PgliteLike {
  query(text: string, params?: unknown[], options?: { rowMode?: 'array' | 'object' }): Promise<unknown>;
}

export async function openPgliteWorker(opts: {
  dataDir?: string;
  loadDataDir?: Blob | File;
}): Promise<Driver> {
  const fresh = !opts.dataDir || !existsSync(join(opts.dataDir, 'PG_VERSION'));
  const data: WorkerData = {
    fresh,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir && fresh ? { loadDataDir: await opts.loadDataDir.arrayBuffer() } : {}),
  };
  const worker = new Worker(entry(), {
    workerData: data,
    transferList: data.loadDataDir ? [data.loadDataDir] : [],
  });

  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  let gone: Error | null = null;
  const fail = (e: Error) => {
    gone ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  await new Promise<void>((ready, failed) => {
    worker.once('error', failed);
    worker.once('exit', (code) =>
      failed(new Error(`PGlite worker exited with code ${code} before it was ready`)),
    );
    pending.set(0, { resolve: () => ready(), reject: failed });
    worker.on('message', (m: WorkerReply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new PgliteWorkerError(m.error));
    });
  }).catch(async (e) => {
    await worker.terminate();
    throw e;
  });
  worker.removeAllListeners('error').removeAllListeners('exit');
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new Error(`PGlite worker exited (code ${code})`)));

  const call = <T>(req: Request): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = ++nextId;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id });
    });
  };

  let closing: Promise<void> | null = null;
  const closedError = () => new Error('the PGlite driver is closed');
  /** Queries of the transaction `tx` (0: none). A transaction already open may finish after close(). */
  const on = (tx: number): Query => ({
    query<T extends Row>(text: string, params: unknown[] = []): Promise<T[]> {
      if (closing && tx === 0) return Promise.reject(closedError());
      return call<T[]>({ op: 'query', text, params, tx, mode: 'plain' });
    },
  });
  let nextTx = 0;
  async function tx<T>(fn: (q: Query, id: number) => Promise<T>): Promise<T> {
    if (closing) throw closedError();
    // BEGIN is not awaited before the first query: both go at once and the worker runs the queries
    // once the transaction has begun (one thread hop fewer per transaction).
    const id = ++nextTx;
    const began = call<null>({ op: 'begin', tx: id });
    began.catch(() => {});
    let r: T;
    try {
      r = await fn(on(id), id);
      await began;
    } catch (e) {
      await call({ op: 'end', tx: id, commit: false }).catch(() => {});
      throw e;
    }
    await call({ op: 'end', tx: id, commit: true });
    return r;
  }

  // Drizzle (drizzle-orm/pglite) over a PGlite-shaped client: its queries and transactions go to the
  // worker with its row mode, and the worker applies Drizzle's parsers.
  const like = (tx: number): PgliteLike => ({
    query(text, params = [], options) {
      if (closing && tx === 0) return Promise.reject(closedError());
      const mode = options?.rowMode === 'array' ? 'array' : 'object';
      return call({ op: 'query', text, params, tx, mode });
    },
  });
  const client = {
    ...like(0),
    transaction: <T>(cb: (t: PgliteLike) => Promise<T>) => tx((_q, id) => cb(like(id))),
  };
  const { drizzle } = await import('drizzle-orm/pglite');
  const db = drizzle({ client: client as never, schema }) as unknown as Db;

  const plain = on(0);
  return {
    kind: 'pglite',
    db,
    query: plain.query,
    tx: (fn) => tx((q) => fn(q)),
    async tryLock() {
      return { lost: false, release: async () => {} };
    },
    async listen() {
      return async () => {};
    },
    close() {
      closing ??= (async () => {
        try {
          await call({ op: 'close' });
        } finally {
          await worker.terminate();
        }
      })();
      return closing;
    },
  };
}
