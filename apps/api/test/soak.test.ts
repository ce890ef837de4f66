import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The fast CI version of bench/soak.mjs: the real server (apps/api/dist/main.js, built by `npm test`)
// on a PGlite data directory, in its own process group, under mixed write load, SIGKILLed 3 times at
// seeded points. After each restart every acknowledged (2xx) command is in the trace with the hash the
// client saw, the chain verifies and the invariants hold.

const KILLS = Number(process.env.XDV_SOAK_KILLS ?? 3);
const SEED = Number(process.env.XDV_SOAK_SEED ?? 1);

describe('crash soak', () => {
  it(`${KILLS} SIGKILLs under write load lose no acknowledged command`, { timeout: 900_000 }, async () => {
    // A variable specifier: the bench is plain JS without types.
    const mod = pathToFileURL(resolve(import.meta.dirname, '../../../bench/soak.mjs')).href;
    const { soak, report } = await import(mod);
    const r = await soak({ kills: KILLS, seed: SEED, workers: 3 });
    const lines: string[] = [];
    report(r, SEED, (l: string) => lines.push(l));
    console.log(lines.join('\n'));
    expect(r.failures, lines.join('\n')).toEqual([]);
    expect(r.restarts).toBe(KILLS);
    expect(r.acknowledged).toBeGreaterThan(0);
  });
});
