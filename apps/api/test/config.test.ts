import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApp } from '../src/app.js';
import { configFromEnv, configWith } from '../src/config.js';

describe('configuration from the environment', () => {
  it('reads the defaults and every setting, and refuses bad values with the variable named', () => {
    expect(configFromEnv({})).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './data',
      nodeId: null,
    });
    expect(configFromEnv({ PORT: '9000', XDV_NODE_ID: 'eu-1:a' })).toMatchObject({
      port: 9000,
      nodeId: 'eu-1:a',
    });
    expect(() => configFromEnv({ PORT: 'x' })).toThrow(/PORT/);
    expect(() => configFromEnv({ XDV_NODE_ID: 'has space' })).toThrow(/XDV_NODE_ID/);
  });

  it('names the ledger node after XDV_NODE_ID', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xdv-config-'));
    const app = await openApp(
      configWith({ dataDir: join(dir, 'data'), nodeId: 'edge-7', webDir: '/nonexistent', logLevel: 'warn' }),
      { logger: false },
    );
    try {
      expect(app.ledger.nodeId).toBe('edge-7');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
