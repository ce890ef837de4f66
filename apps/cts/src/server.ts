import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, configWith, openApp } from '@xdv/api';

export interface LocalService {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** A fresh service in this process: an empty PGlite in a temporary directory, removed on close. */
export async function startLocal(opts: { token?: string } = {}): Promise<LocalService> {
  const dir = mkdtempSync(join(tmpdir(), 'xdv-cts-'));
  // Like XDV_BOOTSTRAP_TOKEN: the suite picks the operator token, so nothing is printed or stored.
  const token = opts.token ?? `cts-${randomBytes(24).toString('hex')}`;
  const config: Config = configWith({
    port: 0,
    dataDir: join(dir, 'data'),
    bootstrapToken: token,
    rateLimit: 0,
    logLevel: 'warn',
  });
  try {
    const app = await openApp(config, { logger: false });
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      token,
      async close() {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
