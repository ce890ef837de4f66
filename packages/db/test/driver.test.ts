import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Driver, openPglite, pgliteOnWorker, schema } from '../src/index.js';
import { isSeqConflict } from '../src/store/answers.js';
import { pgliteTemplate } from './helpers.js';

// The two PGlite drivers behind one Driver surface: on the caller's thread and on a worker thread.
// Both must answer the same rows, fail with the same PostgreSQL fields, roll back the same way.

const pkg = fileURLToPath(new URL('..', import.meta.url));
// The worker thread runs the built entry (Node 20 runs no TypeScript in workers): build if missing.
if (!existsSync(join(pkg, 'dist/pglite-worker-entry.js')))
  execSync('npx tsc -p tsconfig.build.json', { cwd: pkg });

const row = (seq: number) => [seq, seq, 'x', `{"seq":${seq}}`, 'p', `h${seq}`];
const INSERT_TRACE = 'INSERT INTO "trace" ("seq","l","type","text","prev","hash") VALUES ($1,$2,$3,$4,$5,$6)';

describe.each([
  ['in-thread', false],
  ['worker', true],
] as const)('PGlite driver %s', (_name, worker) => {
  let dir: string;
  let d: Driver;
  const open = () => openPglite({ worker, dataDir: join(dir, 'data'), loadDataDir: pgliteTemplate() });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xdv-driver-'));
    d = await open();
  });
  afterAll(async () => {
    await d?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers rows with PGlite types (int8, jsonb, timestamptz, bytea, arrays, null)', async () => {
    const rows = await d.query(
      `SELECT 42::int8 AS n, '{"a":[1,2]}'::jsonb AS j, '2026-01-02T03:04:05Z'::timestamptz AS t,
              '\\x0102'::bytea AS b, ARRAY[1,2]::int4[] AS a, NULL::text AS z, $1::text AS p`,
      ['param'],
    );
    expect(rows).toEqual([
      {
        n: 42,
        j: { a: [1, 2] },
        t: new Date('2026-01-02T03:04:05Z'),
        b: new Uint8Array([1, 2]),
        a: [1, 2],
        z: null,
        p: 'param',
      },
    ]);
  });

  it('commits a transaction and rolls a failing one back, with the seq conflict classified', async () => {
    await d.tx(async (q) => {
      await q.query(INSERT_TRACE, row(1));
    });
    let err: unknown;
    try {
      await d.tx(async (q) => {
        await q.query(INSERT_TRACE, row(2));
        await q.query(INSERT_TRACE, row(1));
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '23505', constraint: 'trace_pkey' });
    expect(isSeqConflict(err)).toBe(true);
    expect(await d.query('SELECT "seq" FROM "trace" ORDER BY "seq"')).toEqual([{ seq: 1 }]);
    // A throw from the callback itself rolls back too.
    await expect(
      d.tx(async (q) => {
        await q.query(INSERT_TRACE, row(3));
        throw new Error('caller gave up');
      }),
    ).rejects.toThrow('caller gave up');
    expect(await d.query('SELECT count(*)::int AS n FROM "trace"')).toEqual([{ n: 1 }]);
  });

  it('runs nothing else while a transaction is open: other queries wait for its end', async () => {
    const seen: string[] = [];
    let outside: Promise<unknown> | null = null;
    await d.tx(async (q) => {
      await q.query(INSERT_TRACE, row(10));
      outside = d.query('SELECT count(*)::int AS n FROM "trace"').then((r) => {
        seen.push('outside');
        return r;
      });
      // Give the outside query every chance to overtake the open transaction.
      for (let i = 0; i < 5; i++) await q.query('SELECT 1');
      seen.push('tx');
    });
    expect(await outside).toEqual([{ n: 2 }]);
    expect(seen).toEqual(['tx', 'outside']);
  });

  it('serves Drizzle (select, insert, transaction rolled back)', async () => {
    const t = schema.apiTokens;
    const [cols] = await d.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'api_tokens'`,
    );
    expect(cols?.n).toBeGreaterThan(0);
    expect(await d.db.select().from(t).where(eq(t.id, 'nobody'))).toEqual([]);
    await expect(
      d.db.transaction(async (tx) => {
        await tx.execute('CREATE TABLE drizzle_probe (x int)');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await d.query(`SELECT to_regclass('drizzle_probe') AS r`)).toEqual([{ r: null }]);
  });

  it('close() lets a transaction in flight finish, then refuses new work', async () => {
    let closed: Promise<void> | null = null;
    await d.tx(async (q) => {
      await q.query(INSERT_TRACE, row(20));
      closed = d.close();
      await q.query(INSERT_TRACE, row(21));
    });
    await closed;
    await expect(d.query('SELECT 1')).rejects.toThrow();
    d = await open();
    expect(await d.query('SELECT "seq" FROM "trace" WHERE "seq" >= 20 ORDER BY "seq"')).toEqual([
      { seq: 20 },
      { seq: 21 },
    ]);
  });
});

describe('XDV_PGLITE_WORKER', () => {
  it('chooses the driver: 1 or 0, anything else refused', () => {
    expect(pgliteOnWorker({ XDV_PGLITE_WORKER: '1' })).toBe(true);
    expect(pgliteOnWorker({ XDV_PGLITE_WORKER: '0' })).toBe(false);
    expect(typeof pgliteOnWorker({})).toBe('boolean');
    expect(() => pgliteOnWorker({ XDV_PGLITE_WORKER: 'yes' })).toThrow(/XDV_PGLITE_WORKER/);
  });
});
