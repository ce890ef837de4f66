import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpPglite, Ledger } from '@xdv/db';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgUrl: string | null;
  }
}

// One migrated PGlite (opening a fresh one costs 5–10 s here) that every test database starts from,
// and one fresh PostgreSQL database per run when a URL is given.
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'xdv-api-template-'));
  const ledger = await Ledger.open({ databaseUrl: null, dataDir: join(dir, 'data') });
  await ledger.close();
  const blob = await dumpPglite(join(dir, 'data'));
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  const base = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
  let dbName: string | null = null;
  if (base) {
    dbName = `xdv_api_test_${process.pid}_${Date.now()}`;
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(base);
    u.pathname = `/${dbName}`;
    project.provide('pgUrl', u.toString());
  } else project.provide('pgUrl', null);
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (base && dbName) {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
  };
}
