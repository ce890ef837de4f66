import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindQ, type HttpFleet, ok, seedFleet } from './fleet.js';
import { type Api, startApi } from './harness.js';

// One allocation, every view: two tenants share a Q provider; each sees its own qubits on it in
// the overview, the provider list and detail, replay state and diff, the cluster view and the
// stream, and never the other's; the operator sees the fleet total everywhere.

let api: Api;
let f: HttpFleet;
const A_QUBITS = 3; // tenant 1: an active contract (bound)
const B_QUBITS = 5; // tenant 2: an issued contract, allocated after A's
/** L after A allocated and before B did, and L after both. */
let lBefore: number;
let lAfter: number;

beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
  await bindQ(api, f, A_QUBITS);
  // State at L holds every command up to L: B allocates only after the clock has left lBefore.
  lBefore = api.app.ledger.state.l;
  await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } }));
  const v = await ok(
    api.call<{ created: { vhm: string; capability: string } }>('POST', '/v1/vhms', {
      token: f.tok2,
      body: { name: 'other', quota: { qubits: 10 } },
    }),
  );
  await ok(api.call('POST', `/v1/vhms/${v.created.vhm}/validate`, { token: f.tok2 }));
  await ok(api.call('POST', `/v1/vhms/${v.created.vhm}/activate`, { token: f.tok2 }));
  await ok(
    api.call('POST', `/v1/vhms/${v.created.vhm}/contracts`, {
      token: f.tok2,
      body: {
        capability: v.created.capability,
        domain: 'Q',
        provider: f.q,
        q: { qubits: B_QUBITS, budget: 5, calibration: f.cal },
      },
    }),
  );
  await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } }));
  lAfter = api.app.ledger.state.l;
});
afterAll(async () => api?.close());

/** Every qubit allocation figure a response gives for provider `q`, wherever it sits in the body. */
function qubitFigures(body: unknown, q: string): number[] {
  const out: number[] = [];
  const walk = (v: unknown, key: string | null) => {
    if (Array.isArray(v)) for (const x of v) walk(x, null);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const alloc = o.allocated as { qubits?: unknown } | undefined;
      if ((o.id === q || o.provider === q || key === q) && alloc && typeof alloc.qubits === 'number')
        out.push(alloc.qubits);
      for (const [k, x] of Object.entries(o)) walk(x, k);
    }
  };
  walk(body, null);
  return out;
}

async function get(token: string, path: string): Promise<unknown> {
  const r = await api.call('GET', path, { token });
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}

/** The figures each view gives `token` for the shared Q provider, by view. */
async function figures(token: string): Promise<Record<string, number[]>> {
  const q = f.q;
  return {
    overview: qubitFigures(await get(token, '/v1/overview'), q),
    providers: qubitFigures(await get(token, '/v1/providers'), q),
    provider: qubitFigures(await get(token, `/v1/providers/${q}`), q),
    replayNow: qubitFigures(await get(token, `/v1/replay/state?l=${lAfter}`), q),
    cluster: qubitFigures(await get(token, '/v1/cluster'), q),
  };
}

/** The qubits of the accepted Q allocations a principal's stream delivers, from the start. */
async function streamedQubits(token: string): Promise<{ qubits: number; contracts: string[] }> {
  const listed = (await get(token, '/v1/trace?limit=1000')) as { items: Array<{ seq: number }> };
  const ctrl = new AbortController();
  const res = await fetch(`${api.base}/v1/trace/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'last-event-id': '0' },
    signal: ctrl.signal,
  });
  const reader = res.body!.getReader();
  const entries: Array<{
    seq: number;
    type: string;
    outcome: string;
    contract: string | null;
    payload: { command?: { q?: { qubits: number } } };
  }> = [];
  const dec = new TextDecoder();
  let buf = '';
  try {
    while (entries.length < listed.items.length) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = /^data: (.*)$/m.exec(block);
        if (data && /^event: entry$/m.test(block)) entries.push(JSON.parse(data[1]!));
      }
    }
  } finally {
    ctrl.abort();
  }
  // The stream sends exactly what the principal may read from the trace.
  expect(entries.map((e) => e.seq)).toEqual(listed.items.map((e) => e.seq));
  const allocations = entries.filter((e) => e.type === 'contract.allocate' && e.outcome === 'accepted');
  return {
    qubits: allocations.reduce((n, e) => n + (e.payload.command?.q?.qubits ?? 0), 0),
    contracts: [...new Set(entries.map((e) => e.contract).filter((c): c is string => c !== null))],
  };
}

describe('allocation figures agree across every view', () => {
  it.each([
    ['tenant 1', () => f.tok1, A_QUBITS],
    ['tenant 2', () => f.tok2, B_QUBITS],
  ] as const)(
    '%s sees only its own qubits on the shared Q provider, in every view',
    async (_, token, mine) => {
      const byView = await figures(token());
      for (const [v, xs] of Object.entries(byView)) {
        expect(xs.length, `${v} gives no figure`).toBeGreaterThan(0);
        expect(xs, v).toEqual(xs.map(() => mine));
      }
      // The metric series hold no allocation at all (nothing there can disagree or leak).
      expect(qubitFigures(await get(token(), `/v1/providers/${f.q}/series`), f.q)).toEqual([]);
      expect(JSON.stringify(await get(token(), `/v1/providers/${f.q}/series`))).not.toContain('allocated');
      const s = await streamedQubits(token());
      expect(s.qubits).toBe(mine);
      const own = Object.keys(api.app.ledger.state.contracts).filter(
        (c) => api.app.ledger.state.contracts[c]!.tenant === (token() === f.tok1 ? f.t1 : f.t2),
      );
      for (const c of s.contracts) expect(own).toContain(c);
    },
  );

  it('replay state and diff between two logical times agree with each tenant own figures', async () => {
    for (const [token, atBefore, atAfter] of [
      [f.tok1, A_QUBITS, A_QUBITS],
      [f.tok2, 0, B_QUBITS],
    ] as const) {
      const before = (await get(token, `/v1/replay/state?l=${lBefore}`)) as {
        state: { providers: Record<string, unknown> };
      };
      const after = (await get(token, `/v1/replay/state?l=${lAfter}`)) as {
        state: { providers: Record<string, unknown> };
      };
      expect(qubitFigures(before, f.q)).toEqual(qubitFigures(before, f.q).map(() => atBefore));
      expect(qubitFigures(after, f.q)).toEqual(qubitFigures(after, f.q).map(() => atAfter));
      const diff = (await get(token, `/v1/replay/diff?from=${lBefore}&to=${lAfter}`)) as {
        changes: { providers?: { changed: string[] } };
      };
      // The diff names the provider changed exactly when this principal's own view of it changed.
      const changed =
        JSON.stringify(before.state.providers[f.q]) !== JSON.stringify(after.state.providers[f.q]);
      expect(diff.changes.providers?.changed.includes(f.q) ?? false).toBe(changed);
      if (token === f.tok1) expect(changed).toBe(false); // B's allocation moved nothing A can see
    }
  });

  it('the operator sees the fleet total everywhere', async () => {
    const total = api.app.ledger.state.providers[f.q]!.allocated.qubits;
    expect(total).toBe(A_QUBITS + B_QUBITS);
    const byView = await figures(api.operator);
    for (const [v, xs] of Object.entries(byView)) {
      expect(xs.length, `${v} gives no figure`).toBeGreaterThan(0);
      expect(xs, v).toEqual(xs.map(() => total));
    }
    const s = await streamedQubits(api.operator);
    expect(s.qubits).toBe(total);
  });
});
