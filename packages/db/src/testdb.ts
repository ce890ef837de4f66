import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from './database.js';
import { dumpPglite } from './driver.js';

/**
 * What a test run's global setup provides: one migrated PGlite dumped as a template (opening a
 * fresh one costs 5–10 s here) that every test database starts from, and a fresh PostgreSQL
 * database for the run when TEST_DATABASE_URL or DATABASE_URL is set. `prepare` migrates the
 * template's data directory; `cleanup` removes both.
 */
export async function testDatabases(
  name: string,
  prepare: (dataDir: string) => Promise<void>,
): Promise<{ pgliteTemplate: string; pgUrl: string | null; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `xdv-${name}-template-`));
  await prepare(join(dir, 'data'));
  const blob = await dumpPglite(join(dir, 'data'));
  const pgliteTemplate = join(dir, 'template.tar');
  writeFileSync(pgliteTemplate, Buffer.from(await blob.arrayBuffer()));
  const base = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
  const pgDb = base ? await createDatabase(base, `xdv_${name}_test_${process.pid}_${Date.now()}`) : null;
  const pgUrl = pgDb?.url ?? null;
  return {
    pgliteTemplate,
    pgUrl,
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
      await pgDb?.drop();
    },
  };
}
