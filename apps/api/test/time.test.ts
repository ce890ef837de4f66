import { canonicalJson, type State } from '@xdv/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindQ, type HttpFleet, ok, seedFleet } from './fleet.js';
import { type Api, startApi } from './harness.js';

// Logical time moves only when the clock ticks. A refused command, by any principal for any
// reason, appends its rejection record and changes nothing else: not L, not a window, not a
// calibration, not a budget. (Issue: a viewer's 100 refused POSTs used to close another
// tenant's Φ window.)

let api: Api;
let f: HttpFleet;
let q: { contract: string; binding: string };
let phi: string;

/** Everything but the trace position: what a refusal must leave byte for byte. */
const domain = (s: State) => canonicalJson({ ...s, seq: 0, head: '' });

beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
  q = await bindQ(api, f);
  const l = api.app.ledger.state.l;
  // A short Φ window: a few ticks, so any stray movement of L would close it.
  phi = (
    await ok(
      api.call<{ created: { contract: string } }>('POST', `/v1/vhms/${f.vhm}/contracts`, {
        token: f.tok1,
        body: {
          capability: f.root,
          domain: 'PHI',
          provider: f.phi,
          phi: { start: l, duration: 3, tolerance: 5000 },
        },
      }),
    )
  ).created.contract;
}, 60_000);

afterAll(async () => {
  await api?.close();
});

async function burst(n: number, send: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 50) {
    const rs = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => send(i + j)));
    statuses.push(...rs.map((r) => r.status));
  }
  return statuses;
}

describe('logical time', () => {
  it('1,000 refused requests from a viewer and 1,000 from another tenant change nothing but the trace', async () => {
    const ledger = api.app.ledger;
    const before = ledger.state;
    const snapshot = domain(before);
    const { l, seq } = before;
    const viewer = await burst(1000, (i) =>
      i % 2 === 0
        ? api.call('POST', `/v1/vhms/${f.vhm}/contracts`, {
            token: f.viewer1,
            body: {
              capability: f.root,
              domain: 'K',
              provider: f.k,
              k: { base: 0, size: 4096, cpu: 1, irqs: [] },
            },
          })
        : api.call('POST', `/v1/bindings/${q.binding}/jobs`, {
            token: f.viewer1,
            body: { capability: f.root, cost: 1, operations: ['h'] },
          }),
    );
    const foreign = await burst(1000, (i) =>
      i % 2 === 0
        ? api.call('POST', `/v1/bindings/${q.binding}/jobs`, {
            token: f.tok2,
            body: { capability: f.root, cost: 1, operations: ['h'] },
          })
        : api.call('POST', `/v1/contracts/${phi}/release`, { token: f.tok2, body: { capability: f.root } }),
    );
    for (const s of [...viewer, ...foreign]) expect(s).toBeGreaterThanOrEqual(400);
    const after = ledger.state;
    expect(after.l).toBe(l);
    // Byte-identical: L, every window, calibration, budget, quota and counter.
    expect(domain(after)).toBe(snapshot);
    expect(after.contracts[phi]!.status).toBe('issued');
    // The trace holds exactly the refusals, one rejection record each, all at the same L.
    const added = await ledger.entries({ afterSeq: seq, limit: 10_000 });
    expect(added.length).toBe(after.seq - seq);
    expect(added.length).toBeGreaterThan(0);
    for (const e of added) {
      expect(e.outcome).toBe('rejected');
      expect(e.l).toBe(l);
    }
  }, 120_000);

  it("a tenant's accepted commands never move L or touch another tenant's windows and calibrations", async () => {
    const ledger = api.app.ledger;
    const mine = () =>
      canonicalJson({
        contracts: [ledger.state.contracts[phi], ledger.state.contracts[q.contract]],
        calibration: ledger.state.calibrations[f.cal],
      });
    const before = mine();
    const l = ledger.state.l;
    const g = await ok(
      api.call<{ created: { vhm: string } }>('POST', '/v1/vhms', {
        token: f.tok2,
        body: { name: 'g', quota: {} },
      }),
    );
    for (const step of ['validate', 'activate', 'pause', 'resume', 'pause', 'resume'])
      await ok(api.call('POST', `/v1/vhms/${g.created.vhm}/${step}`, { token: f.tok2 }));
    expect(ledger.state.l).toBe(l);
    expect(mine()).toBe(before);
  });

  it('moves L only on clock ticks, and a window closes at the tick that reaches its end', async () => {
    const ledger = api.app.ledger;
    const c = ledger.state.contracts[phi]!;
    const end = c.phi!.start + c.phi!.duration;
    const ticks = end - ledger.state.l;
    expect(ticks).toBeGreaterThan(1);
    const r = await ok(api.call<{ l: number }>('POST', '/v1/clock/advance', { body: { ticks: ticks - 1 } }));
    expect(r.l).toBe(end - 1);
    expect(ledger.state.contracts[phi]!.status).toBe('issued');
    await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } }));
    expect(ledger.state.l).toBe(end);
    expect(ledger.state.contracts[phi]!.status).not.toBe('issued');
    expect(ledger.state.contracts[phi]!.endedL).toBe(end);
    const clock = await ok(
      api.call<{ l: number; tickMs: number; ticking: boolean }>('GET', '/v1/clock', { token: f.viewer1 }),
    );
    expect(clock).toEqual({ l: end, tickMs: 0, ticking: false });
    // Tenants cannot tick.
    const refused = await api.call('POST', '/v1/clock/advance', { token: f.tok1, body: { ticks: 1 } });
    expect(refused.status).toBe(403);
    expect(ledger.state.l).toBe(end);
  });
});
