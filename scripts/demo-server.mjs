// The console's built web app served by the API on a temporary PGlite, with the demo fleet the
// simulated providers set up and 40 steps of logical time (history for charts, alerts and trace);
// the simulator is then stopped, so every page load sees the same data (`liveMs` keeps it going).
// Shared by the page tools (lighthouse.mjs, page-cost.mjs, profile-page.mjs, shift-probe.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configWith, openApp } from '@xdv/api';
import { Simulator } from '@xdv/provider-sim';

/**
 * @param {{ webDir: string, operator: string, config?: (dir: string) => Record<string, unknown>,
 *   steps?: number, liveMs?: number }} o
 *   `config` adds settings that need the temporary directory (e.g. a compliance report's path);
 *   `liveMs` keeps the simulator running after its `steps`, one step per `liveMs` (a live fleet).
 */
export async function startDemoServer({ webDir, operator, config = () => ({}), steps = 40, liveMs }) {
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
  for (let i = 0; i < steps; i++) await sim.step();
  if (liveMs === undefined) await sim.stop();
  else sim.start(liveMs);
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
      if (liveMs !== undefined) await sim.stop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
