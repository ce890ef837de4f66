import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ErrorParams, StoreErrorCode } from '@xdv/core';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { openPgliteWorker } from './pglite-worker.js';
import * as schema from './schema.js';

/** Where the migration set lives: next to dist/ and src/ alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));

export type Row = Record<string, unknown>;

/** A named statement: prepared once per connection on PostgreSQL (node-postgres), plain on PGlite. */
export interface Query {
  query<T extends Row = Row>(text: string, params?: unknown[], name?: string): Promise<T[]>;
}

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** The two drivers behind one small surface; the hot path uses `query`, the rest Drizzle. */
export interface Driver extends Query {
  readonly kind: 'pglite' | 'pg';
  readonly db: Db;
  /**
   * Run `fn` in one transaction. With `lock` (PostgreSQL), the transaction first takes that
   * transaction-level advisory lock, in the same round trip as BEGIN; PGlite is single-process and
   * ignores it.
   */
  tx<T>(fn: (q: Query) => Promise<T>, lock?: string): Promise<T>;
  /**
   * Take a session advisory lock without waiting, on a connection of its own, and hold it until
   * released or until this process (or its connection) dies. Null when another session holds it.
   * PGlite is single-process: the lock is always granted.
   */
  tryLock(key: string): Promise<HeldLock | null>;
  /** Subscribe to NOTIFY on a channel (PostgreSQL only; PGlite is single-process). */
  listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface HeldLock {
  /** True once the lock's connection has gone: the lock may now be another session's. */
  readonly lost: boolean;
  release(): Promise<void>;
}

/**
 * A store failure with its stable code (declared in @xdv/core's STORE_ERROR_CODES, so the API maps
 * it to a status and renders its text from `params`). The message is for the log only.
 */
export class DbError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    override readonly cause?: unknown,
    readonly params: ErrorParams = {},
  ) {
    super(message);
    this.name = 'DbError';
  }
}

export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export function validSchemaName(s: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(s))
    throw new DbError('HV_DB_CONFIG', `schema name ${JSON.stringify(s)} must match [a-z_][a-z0-9_]*`);
  return s;
}

// ---------------------------------------------------------------- PGlite

/**
 * Whether PGlite runs on a worker thread of its own (`XDV_PGLITE_WORKER=1`) or on the caller's
 * thread (`0`). Unset: the default below.
 */
export function pgliteOnWorker(env: Record<string, string | undefined> = process.env): boolean {
  const v = env.XDV_PGLITE_WORKER;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  if (v === undefined || v === '') return PGLITE_WORKER_DEFAULT;
  throw new DbError('HV_DB_CONFIG', `XDV_PGLITE_WORKER must be 1 or 0, got ${JSON.stringify(v)}`);
}
const PGLITE_WORKER_DEFAULT = false;

export interface PgliteOptions {
  dataDir?: string;
  loadDataDir?: Blob | File;
  /** Run PGlite on a worker thread (default: `pgliteOnWorker()`, from XDV_PGLITE_WORKER). */
  worker?: boolean;
}

export async function openPglite(opts: PgliteOptions): Promise<Driver> {
  if (opts.worker ?? pgliteOnWorker()) return openPgliteWorker(opts);
  return openPgliteInThread(opts);
}

/** PGlite on the caller's thread. */
export async function openPgliteInThread(opts: {
  dataDir?: string;
  loadDataDir?: Blob | File;
}): Promise<Driver> {
  // A template only seeds a data directory that does not exist yet.
  const fresh = !opts.dataDir || !existsSync(join(opts.dataDir, 'PG_VERSION'));
  const pglite = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir && fresh ? { loadDataDir: opts.loadDataDir } : {}),
  });
  const { drizzle } = await import('drizzle-orm/pglite');
  const db = drizzle(pglite, { schema }) as unknown as Db;
  const wrap = (q: Pick<PGlite, 'query'>): Query => ({
    async query<T extends Row>(text: string, params: unknown[] = []): Promise<T[]> {
      return (await q.query<T>(text, params)).rows;
    },
  });
  const plain = wrap(pglite);
  return {
    kind: 'pglite',
    db,
    query: plain.query,
    tx: (fn) => pglite.transaction((t) => fn(wrap(t))),
    async tryLock() {
      return { lost: false, release: async () => {} };
    },
    async listen() {
      return async () => {};
    },
    close: () => pglite.close(),
  };
}

/** Dump a PGlite data directory to a tarball (tests start many databases from one migrated template). */
export async function dumpPglite(dataDir: string): Promise<Blob> {
  const pglite = await PGlite.create({ dataDir });
  try {
    return await pglite.dumpDataDir('none');
  } finally {
    await pglite.close();
  }
}

// ---------------------------------------------------------------- PostgreSQL

// bigint columns hold seq and L (< 2^53): read them as numbers, not strings.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export async function openPg(url: string, schemaName: string): Promise<Driver> {
  const options = `-c search_path=${schemaName}`;
  const pool = new pg.Pool({ connectionString: url, options, types, max: 4 });
  pool.on('error', () => {}); // an idle client dropped by the server is replaced on next use
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const db = drizzle(pool, { schema }) as unknown as Db;
  const on = (c: pg.ClientBase | pg.Pool): Query => ({
    async query<T extends Row>(text: string, params: unknown[] = [], name?: string): Promise<T[]> {
      const r = await c.query<T>(name ? { name, text, values: params } : { text, values: params });
      return r.rows;
    },
  });
  const listeners: pg.Client[] = [];
  const locks = new Set<pg.Client>();
  return {
    kind: 'pg',
    db,
    query: on(pool).query,
    async tx(fn, lock) {
      const c = await pool.connect();
      try {
        // One simple-protocol round trip; the key is inlined (a simple query takes no parameters).
        await c.query(
          lock === undefined
            ? 'BEGIN'
            : `BEGIN; SELECT pg_advisory_xact_lock(hashtext('${lock.replaceAll("'", "''")}'))`,
        );
        const r = await fn(on(c));
        await c.query('COMMIT');
        c.release();
        return r;
      } catch (e) {
        // A failed ROLLBACK means the connection is unusable: destroy it instead of returning it.
        try {
          await c.query('ROLLBACK');
          c.release();
        } catch (re) {
          c.release(re as Error);
        }
        throw e;
      }
    },
    async tryLock(key) {
      const c = new pg.Client({ connectionString: url, options, types });
      const lock = { lost: false, release: async () => {} };
      c.on('error', () => {
        lock.lost = true;
      });
      c.on('end', () => {
        lock.lost = true;
      });
      await c.connect();
      try {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
        if (!r.rows[0]?.ok) {
          await c.end().catch(() => {});
          return null;
        }
      } catch (e) {
        await c.end().catch(() => {});
        throw e;
      }
      locks.add(c);
      // Ending the session releases a session-level advisory lock.
      lock.release = async () => {
        locks.delete(c);
        await c.end().catch(() => {});
      };
      return lock;
    },
    async listen(channel, cb) {
      const c = new pg.Client({ connectionString: url, options, types });
      c.on('error', () => {});
      await c.connect();
      c.on('notification', (n) => {
        if (n.channel === channel) cb(n.payload ?? '');
      });
      await c.query(`LISTEN ${quoteIdent(channel)}`);
      listeners.push(c);
      return async () => {
        listeners.splice(listeners.indexOf(c), 1);
        await c.end().catch(() => {});
      };
    },
    async close() {
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => {})));
      await Promise.all([...locks].map((c) => c.end().catch(() => {})));
      locks.clear();
      await pool.end();
    },
  };
}

/**
 * Create the schema and run the migration set, under a session advisory lock so two processes
 * opening the same database at once do not both apply it. Safe to run any number of times.
 */
export async function migratePg(url: string, schemaName: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schemaName}`, types });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`xdv-migrate:${schemaName}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemaName)}`);
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    await migrate(drizzle(client), {
      migrationsFolder: MIGRATIONS_FOLDER,
      migrationsSchema: schemaName === 'public' ? 'drizzle' : schemaName,
    });
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`xdv-migrate:${schemaName}`]);
  } finally {
    await client.end();
  }
}

export async function migratePglite(driver: Driver): Promise<void> {
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  // The PGlite drizzle instance is what drizzle-orm/pglite's migrator expects.
  await migrate(driver.db as unknown as Parameters<typeof migrate>[0], {
    migrationsFolder: MIGRATIONS_FOLDER,
    migrationsSchema: 'drizzle',
  });
}
