import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migratePglite, openPglite } from '../src/driver.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgUrl: string | null;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'xdv-db-template-'));
  const driver = await openPglite({ dataDir: join(dir, 'data') });
  await migratePglite(driver);
  await driver.close();
  const blob = await (await PGlite.create({ dataDir: join(dir, 'data') })).dumpDataDir('none');
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  project.provide('pgliteTemplate', file);

  const base = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
  let dbName: string | null = null;
  if (base) {
    dbName = `xdv_test_${process.pid}_${Date.now()}`;
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
