import { Ledger, testDatabases } from '@xdv/db';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgUrl: string | null;
  }
}

// The template is a database a Ledger has opened once (migrated, empty trace).
export default async function setup(project: TestProject) {
  const dbs = await testDatabases('api', async (dataDir) => {
    const ledger = await Ledger.open({ databaseUrl: null, dataDir });
    await ledger.close();
  });
  project.provide('pgliteTemplate', dbs.pgliteTemplate);
  project.provide('pgUrl', dbs.pgUrl);
  return dbs.cleanup;
}
