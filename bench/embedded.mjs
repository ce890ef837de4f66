// The API embedded in a benchmark's own process: PGlite in a fresh temporary directory (or
// PostgreSQL when DATABASE_URL is set), no rate limit, no console, listening on a free port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configWith, openApp } from '@xdv/api';

export async function embeddedApi(name, operator = 'xdv_bench_operator') {
  const dir = mkdtempSync(join(tmpdir(), `xdv-${name}-`));
  const app = await openApp(
    configWith({
      databaseUrl: process.env.DATABASE_URL || null,
      dataDir: join(dir, 'data'),
      bootstrapToken: operator,
      rateLimit: 0,
      webDir: '/nonexistent',
      logLevel: 'warn',
      // Signature verification workers (the server's default: one per core; 0 verifies inline).
      ...(process.env.XDV_VERIFY_WORKERS ? { verifyWorkers: Number(process.env.XDV_VERIFY_WORKERS) } : {}),
    }),
    { logger: false },
  );
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    base: `http://127.0.0.1:${app.server.server.address().port}`,
    operator,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
