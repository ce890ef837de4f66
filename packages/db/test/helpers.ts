import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, type CommandBody, replay, scenario, stateHash } from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';
import { afterAll, beforeAll, inject } from 'vitest';
import { Ledger, type LedgerOptions } from '../src/index.js';

export const pgUrl = inject('pgUrl');

let template: Blob | null = null;
export function pgliteTemplate(): Blob {
  template ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
  return template;
}

let n = 0;
/** A fresh, isolated store: a PGlite data dir from the template, or a new PostgreSQL schema. */
export interface Backend {
  name: BackendKind;
  /** Options that open this store again (same data dir or schema). */
  opts: LedgerOptions;
  cleanup(): Promise<void>;
}

export function freshBackend(name: BackendKind, extra: LedgerOptions = {}): Backend {
  if (name !== 'pg') {
    const dir = mkdtempSync(join(tmpdir(), 'xdv-db-test-'));
    return {
      name,
      opts: { databaseUrl: null, dataDir: join(dir, 'data'), pgliteTemplate: pgliteTemplate(), ...extra },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!pgUrl) throw new Error('no PostgreSQL URL');
  const schema = `t_${process.pid}_${++n}_${Date.now() % 100000}`;
  return {
    name,
    opts: { databaseUrl: pgUrl, schema, followPollMs: 200, ...extra },
    cleanup: async () => {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** `pglite-worker`: PGlite on its own thread (XDV_PGLITE_WORKER=1), the same data directories. */
export type BackendKind = 'pglite' | 'pglite-worker' | 'pg';

/** The backends every suite runs on: PGlite always (default driver), PostgreSQL when a URL is set. */
export const BACKENDS: BackendKind[] = pgUrl ? ['pglite', 'pg'] : ['pglite'];

/** The core suites also run on both PGlite drivers: `pglite` in-thread, `pglite-worker` on a worker. */
export const BACKENDS_BOTH_PGLITE: BackendKind[] = [
  'pglite',
  'pglite-worker',
  ...(pgUrl ? ['pg' as const] : []),
];

/**
 * In a describe block: open every PGlite of this block (and of the processes it spawns) with the
 * driver `kind` names, through XDV_PGLITE_WORKER, and restore the variable afterwards.
 */
export function usePgliteDriverOf(kind: BackendKind): void {
  let before: string | undefined;
  beforeAll(() => {
    before = process.env.XDV_PGLITE_WORKER;
    if (kind === 'pglite') process.env.XDV_PGLITE_WORKER = '0';
    if (kind === 'pglite-worker') process.env.XDV_PGLITE_WORKER = '1';
  });
  afterAll(() => {
    if (before === undefined) delete process.env.XDV_PGLITE_WORKER;
    else process.env.XDV_PGLITE_WORKER = before;
  });
}

export const op = (body: CommandBody): Command => ({ ...body, actor: scenario.OPERATOR }) as Command;

/** Replay the whole stored trace from genesis and hash the result (independent of the Ledger). */
export async function replayedHash(ledger: Ledger): Promise<{ ok: boolean; hash: string; seq: number }> {
  const rows = await ledger.sql<{ seq: number; text: string; hash: string }>(
    'SELECT "seq","text","hash" FROM "trace" ORDER BY "seq"',
  );
  const r = replay(rows, { hasher: nodeSha256 });
  return { ok: r.ok, hash: stateHash(r.state, nodeSha256), seq: r.state.seq };
}

export async function withLedger<T>(opts: LedgerOptions, fn: (l: Ledger) => Promise<T>): Promise<T> {
  const l = await Ledger.open(opts);
  try {
    return await fn(l);
  } finally {
    await l.close();
  }
}
