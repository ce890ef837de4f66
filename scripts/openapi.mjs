// Write the OpenAPI document the server generates from its route schemas (for linting and publishing).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configWith, openApp } from '@xdv/api';

const out = process.argv[2] ?? 'openapi.json';
const dir = mkdtempSync(join(tmpdir(), 'xdv-openapi-'));
const app = await openApp(
  configWith({
    dataDir: join(dir, 'data'),
    bootstrapToken: 'xdv_openapi',
    rateLimit: 0,
    webDir: '/nonexistent',
    logLevel: 'warn',
  }),
  { logger: false },
);
writeFileSync(out, `${JSON.stringify(app.server.swagger(), null, 2)}\n`);
await app.close();
rmSync(dir, { recursive: true, force: true });
console.log(`wrote ${out}`);
