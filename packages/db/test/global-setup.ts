import type { TestProject } from 'vitest/node';
import { migratePglite, openPglite } from '../src/driver.js';
import { testDatabases } from '../src/testdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgUrl: string | null;
  }
}

// The template holds only the migrated schema (no Ledger has run on it).
export default async function setup(project: TestProject) {
  const dbs = await testDatabases('db', async (dataDir) => {
    const driver = await openPglite({ dataDir });
    await migratePglite(driver);
    await driver.close();
  });
  project.provide('pgliteTemplate', dbs.pgliteTemplate);
  project.provide('pgUrl', dbs.pgUrl);
  return dbs.cleanup;
}
