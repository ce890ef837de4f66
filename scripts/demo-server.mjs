// The console's built web app served by the API on a temporary PGlite, with the demo fleet the
// simulated providers set up and 40 steps of logical time (history for charts, alerts and trace);
// the simulator is stopped, so every page load sees the same data. Shared by the page measurements
// (lighthouse.mjs, page-cost.mjs, profile-page.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configWith, openApp } from '@xdv/api';
import { Simulator } from '@xdv/provider-sim';

/**
 * @param {{ webDir: string, operator: string, config?: (dir: string) => Record<string, unknown> }} o
 *   `config` adds settings that need the temporary directory (e.g. a compliance report's path).
 */
export async function startDemoServer({ webDir, operator, config = () => ({}) }) {
  const dir = mkdtempSync(join(tmpdir(), 'xdv-demo-server-'));
  const app = await openApp(
    configWith({
      dataDir: join(dir, 'data'),
      bootstrapToken: operator,
      rateLimit: 0,
      webDir,
      logLevel: 'warn',
      ...config(dir),
    }),
    { logger: false },
  );
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${app.server.server.address().port}`;
  const sim = new Simulator({ base, operatorToken: operator, seed: 1, demo: true, driveClock: true });
  await sim.setup();
  for (let i = 0; i < 40; i++) await sim.step();
  await sim.stop();
  /** The id of the item named `name` in a list endpoint (`vhms`, `providers`). */
  const idOf = async (kind, name) => {
    const res = await fetch(`${base}/v1/${kind}?limit=500`, {
      headers: { authorization: `Bearer ${operator}` },
    });
    return (await res.json()).items.find((x) => x.name === name).id;
  };
  return {
    app,
    base,
    dir,
    idOf,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
