import { Ledger } from '@xdv/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindQ, type HttpFleet, ok, seedFleet } from './fleet.js';
import { type Api, pgUrl, startApi } from './harness.js';

// GET /v1/cluster: what each principal sees. Nodes hold no tenant data, so a tenant sees the node
// list and its health, but not node internals; contracts and allocations are counted from the
// tenant's own contracts only; commit rounds are seq ranges and counts.

interface ProviderRow {
  provider: string;
  contracts: { issued: number; active: number; released: number; revoked: number };
  allocated: { memory: number; cpu: number; qubits: number; envelopes: number };
  capacity: { qubits: number };
}
interface NodeView {
  id: string;
  self: boolean;
  status: string;
  appliedSeq: number;
  lag: number;
  hashAgrees: boolean | null;
  stateHash?: string;
  hostname?: string;
  commits?: number;
}
interface Cluster {
  scope: string;
  ordering: { seq: number; l: number; source: string };
  nodes: NodeView[];
  contracts: { scope: string; providers: ProviderRow[] };
  rounds: Array<{ firstSeq: number; lastSeq: number; entries: number; node: string; retries: number }>;
}

let api: Api;
let f: HttpFleet;
let t1Contract: string;
let t2Vhm: string;
beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
  t1Contract = (await bindQ(api, f, 4)).contract; // tenant 1: one active Q contract of 4 qubits
  const v = await ok(
    api.call<{ created: { vhm: string; capability: string } }>('POST', '/v1/vhms', {
      token: f.tok2,
      body: { name: 'other', quota: { qubits: 10 } },
    }),
  );
  t2Vhm = v.created.vhm;
  await ok(api.call('POST', `/v1/vhms/${t2Vhm}/validate`, { token: f.tok2 }));
  await ok(api.call('POST', `/v1/vhms/${t2Vhm}/activate`, { token: f.tok2 }));
  // tenant 2: one issued (not yet active) Q contract of 2 qubits
  await ok(
    api.call('POST', `/v1/vhms/${t2Vhm}/contracts`, {
      token: f.tok2,
      body: {
        capability: v.created.capability,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 2, budget: 5, calibration: f.cal },
      },
    }),
  );
});
afterAll(async () => api?.close());

const get = async (token: string | null, query = '') => {
  const r = await api.call<Cluster>('GET', `/v1/cluster${query}`, { token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const qpu = (c: Cluster) => c.contracts.providers.find((p) => p.provider === f.q)!;

describe('GET /v1/cluster', () => {
  it('an operator sees every node with its internals, the global order and every contract', async () => {
    const c = await get(api.operator);
    const state = api.app.ledger.state;
    expect(c.scope).toBe('operator');
    expect(c.ordering).toEqual({ seq: state.seq, l: state.l, source: 'trace' });
    const self = c.nodes.filter((n) => n.self);
    expect(self.map((n) => n.id)).toEqual([api.app.ledger.nodeId]);
    // The answering node reports its own position live, not as of its last heartbeat.
    expect(self[0]).toMatchObject({ status: 'ok', broken: false, appliedSeq: state.seq, lag: 0 });
    expect(self[0]!.hostname).toEqual(expect.any(String));
    expect(self[0]!.stateHash).toMatch(/^[0-9a-f]{64}$/);
    expect(c.nodes.map((n) => n.id)).toEqual([...c.nodes.map((n) => n.id)].sort());
    expect(c.contracts.scope).toBe('fleet');
    expect(qpu(c).contracts).toEqual({ issued: 1, active: 1, released: 0, revoked: 0 });
    expect(qpu(c).allocated.qubits).toBe(6);
    expect(qpu(c).allocated.qubits).toBe(state.providers[f.q]!.allocated.qubits);
    expect(qpu(c).capacity.qubits).toBe(50);
    // Rounds: newest first, contiguous, ending at the head.
    expect(c.rounds.length).toBeGreaterThan(0);
    expect(c.rounds.length).toBeLessThanOrEqual(20);
    expect(c.rounds[0]!.lastSeq).toBe(state.seq);
    for (let i = 1; i < c.rounds.length; i++)
      expect(c.rounds[i - 1]!.firstSeq).toBe(c.rounds[i]!.lastSeq + 1);
    expect((await get(api.operator, '?limit=2')).rounds.length).toBe(2);
  });

  it('a tenant sees node health but no internals, and counts only its own contracts', async () => {
    const c2 = await get(f.tok2);
    expect(c2.scope).toBe('tenant');
    expect(c2.contracts.scope).toBe('own');
    // Tenant 2 holds one issued contract of 2 qubits; tenant 1's active 4-qubit contract is invisible.
    expect(qpu(c2).contracts).toEqual({ issued: 1, active: 0, released: 0, revoked: 0 });
    expect(qpu(c2).allocated).toEqual({ memory: 0, cpu: 0, qubits: 2, envelopes: 0 });
    expect(qpu(c2).capacity.qubits).toBe(50);
    for (const p of c2.contracts.providers)
      if (p.provider !== f.q) expect(p.contracts).toEqual({ issued: 0, active: 0, released: 0, revoked: 0 });

    const c1 = await get(f.viewer1);
    expect(qpu(c1).contracts).toEqual({ issued: 0, active: 1, released: 0, revoked: 0 });
    expect(qpu(c1).allocated.qubits).toBe(4);

    for (const c of [c1, c2]) {
      expect(c.nodes.length).toBeGreaterThan(0);
      for (const n of c.nodes) {
        for (const k of [
          'hostname',
          'pid',
          'version',
          'stateHash',
          'hashSeq',
          'commits',
          'entries',
          'conflicts',
        ])
          expect(n, k).not.toHaveProperty(k);
        expect(['ok', 'lagging', 'stale', 'stopped', 'broken']).toContain(n.status);
        expect(n.id).toMatch(/^node-\d+$/);
      }
      for (const r of c.rounds) expect(r.node).toMatch(/^node(-\d+)?$/);
      expect(c.rounds[0]).toEqual({
        firstSeq: expect.any(Number),
        lastSeq: expect.any(Number),
        firstL: expect.any(Number),
        lastL: expect.any(Number),
        entries: expect.any(Number),
        node: expect.any(String),
        retries: expect.any(Number),
        committedAt: expect.any(String),
      });
    }
    // Nothing of the other tenant: its ids and name do not appear anywhere in the answer.
    const text2 = JSON.stringify(c2);
    for (const foreign of [t1Contract, f.vhm, f.t1, 'acme']) expect(text2).not.toContain(foreign);
    const text1 = JSON.stringify(c1);
    for (const foreign of [t2Vhm, f.t2, 'globex']) expect(text1).not.toContain(foreign);
  });

  it('answers a malformed query and a missing token with problem+json', async () => {
    for (const [token, q, status, code] of [
      [api.operator, '?limit=0', 400, 'HV_BAD_REQUEST'],
      [api.operator, '?limit=x', 400, 'HV_BAD_REQUEST'],
      [null, '', 401, 'HV_UNAUTHENTICATED'],
    ] as const) {
      const r = await api.call<{ code: string }>('GET', `/v1/cluster${q}`, { token });
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.code).toBe(code);
    }
  });
});

describe.skipIf(!pgUrl)('GET /v1/cluster with two nodes on one PostgreSQL', () => {
  it('lists both nodes in id order; they converge on the same seq and agree on the state hash', async () => {
    const pgApi = await startApi({ backend: 'pg' });
    const other = await Ledger.open({
      databaseUrl: pgUrl!,
      schema: pgApi.schema,
      followPollMs: 200,
      heartbeatMs: 100,
      nodeId: '~second-node', // sorts after any hostname
    });
    try {
      const pf = await seedFleet(pgApi);
      await bindQ(pgApi, pf, 3);
      const head = pgApi.app.ledger.state.seq;
      const end = Date.now() + 20_000;
      while (other.state.seq < head && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await Promise.all([pgApi.app.ledger.heartbeatNow(), other.heartbeatNow()]);
      const c = (await pgApi.call<Cluster>('GET', '/v1/cluster')).body;
      const ids = c.nodes.map((n) => n.id);
      expect(ids).toContain(pgApi.app.ledger.nodeId);
      expect(ids.at(-1)).toBe('~second-node');
      const live = c.nodes.filter((n) => n.status !== 'stopped');
      expect(live.map((n) => n.id)).toEqual([pgApi.app.ledger.nodeId, '~second-node']);
      for (const n of live) {
        expect(n).toMatchObject({ appliedSeq: head, lag: 0, hashAgrees: true, status: 'ok' });
        expect(n.stateHash).toBe(pgApi.app.ledger.stateHash());
      }
      // A tenant sees the same nodes and health, and whether they agree, but not the hashes.
      const t = (await pgApi.call<Cluster>('GET', '/v1/cluster', { token: pf.tok1 })).body;
      // Node ids hold the hostname and pid: a tenant gets labels by position instead.
      expect(t.nodes.map((n) => [n.id, n.status, n.hashAgrees])).toEqual(
        c.nodes.map((n, i) => [`node-${i + 1}`, n.status, n.hashAgrees]),
      );
      expect(t.nodes.every((n) => n.stateHash === undefined)).toBe(true);
    } finally {
      await other.close();
      await pgApi.close();
    }
  });
});
