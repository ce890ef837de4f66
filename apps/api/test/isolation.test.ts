import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindQ, type HttpFleet, ok, seedFleet } from './fleet.js';
import { type Api, startApi } from './harness.js';

// Tenant isolation matrix: every route that names an object, called by another tenant with the
// first tenant's ids, answers exactly as for a missing id and leaks nothing.

let api: Api;
let f: HttpFleet;
let ids: {
  vhm: string;
  capability: string;
  contract: string;
  binding: string;
  process: string;
  tenant: string;
  ipc: string;
} & Record<string, string>;
let mine: { vhm: string; root: string };

beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
  const q = await bindQ(api, f);
  const proc = await ok(
    api.call<{ created: { process: string } }>('POST', `/v1/vhms/${f.vhm}/processes`, {
      token: f.tok1,
      body: { capability: f.root, name: 'p' },
    }),
  );
  const other = await ok(
    api.call<{ created: { vhm: string; capability: string } }>('POST', '/v1/vhms', {
      token: f.tok1,
      body: { name: 'peer', quota: {} },
    }),
  );
  await ok(api.call('POST', `/v1/vhms/${other.created.vhm}/validate`, { token: f.tok1 }));
  await ok(api.call('POST', `/v1/vhms/${other.created.vhm}/activate`, { token: f.tok1 }));
  const ipc = await ok(
    api.call<{ created: { ipc: string } }>('POST', '/v1/ipc', {
      token: f.tok1,
      body: {
        a: f.vhm,
        capabilityA: f.root,
        b: other.created.vhm,
        capabilityB: other.created.capability,
        rights: ['MSG'],
      },
    }),
  );
  ids = {
    vhm: f.vhm,
    capability: f.root,
    contract: q.contract,
    binding: q.binding,
    process: proc.created.process,
    tenant: f.t1,
    ipc: ipc.created.ipc,
  };
  const m = await ok(
    api.call<{ created: { vhm: string; capability: string } }>('POST', '/v1/vhms', {
      token: f.tok2,
      body: { name: 'mine', quota: { qubits: 2 } },
    }),
  );
  mine = { vhm: m.created.vhm, root: m.created.capability };
  await ok(api.call('POST', `/v1/vhms/${mine.vhm}/validate`, { token: f.tok2 }));
  await ok(api.call('POST', `/v1/vhms/${mine.vhm}/activate`, { token: f.tok2 }));
});
afterAll(async () => api?.close());

/** A body that is valid except for the foreign ids it names, so the request reaches the core. */
function bodyFor(opId: string): unknown {
  const cap = f.root;
  switch (opId) {
    case 'spawnProcess':
      return { capability: cap, name: 'x' };
    case 'exitProcess':
    case 'revokeCapability':
    case 'activateContract':
    case 'releaseContract':
    case 'validateBinding':
    case 'activateBinding':
    case 'releaseBinding':
      return { capability: cap };
    case 'issueCapability':
    case 'deriveCapability':
      return { rights: ['IPC'] };
    case 'takeSnapshot':
      return { capability: cap };
    case 'migrateVhm':
      return { capability: cap, target: f.k2 };
    case 'allocateContract':
      return { capability: cap, domain: 'Q', provider: f.q, q: { qubits: 1, budget: 1, calibration: f.cal } };
    case 'requestBinding':
      return { capability: cap, contract: ids.contract };
    case 'runQJob':
      return { capability: cap, cost: 1 };
    case 'applyPhiTransform':
      return { capability: cap, transform: 'rotate' };
    case 'setVhmSchedule':
      return { weight: 1, maxQueued: 1 };
    case 'createVhm':
      return { name: 'sneak', parent: ids.vhm, capability: cap, quota: {} };
    case 'openIpc':
      return { a: mine.vhm, capabilityA: mine.root, b: ids.vhm, capabilityB: cap, rights: ['MSG'] };
    case 'submitUnit':
      return { vhm: ids.vhm, capability: cap, process: ids.process, domain: 'K' };
    default:
      return undefined;
  }
}

const OPERATOR_ONLY = new Set([
  'setTenantQuota',
  'revokeContract',
  'injectFault',
  'schedulerTick',
  'advanceClock',
  'trustFirmware',
  'createTenant',
  'listTokens',
  'createToken',
  'revokeToken',
  'verifyTrace',
  'traceHead',
  'acknowledgeAlert',
]);

describe('tenant isolation matrix', () => {
  it('answers every route × the other tenant’s ids with 404 (or 403 for operator-only) and no data', async () => {
    const doc = (
      await api.call<{ paths: Record<string, Record<string, { operationId: string }>> }>(
        'GET',
        '/openapi.json',
        { token: null },
      )
    ).body;
    const secrets = [f.t1 === 'tenant-1' ? 'acme' : f.t1, 'web', 'peer'];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1/') || path.includes('stream')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        const body = bodyFor(op.operationId);
        if (params.length === 0 && !['createVhm', 'openIpc', 'submitUnit'].includes(op.operationId)) continue;
        if (params.includes('provider') || params.includes('token')) continue;
        const url = path.replace(/\{(\w+)\}/g, (_m, p: string) => ids[p] ?? `${p}-1`);
        const before = api.app.ledger.state;
        const beforeVhms = JSON.stringify(before.vhms[ids.vhm]);
        const r = await api.call(method.toUpperCase(), url, {
          token: f.tok2,
          ...(body !== undefined ? { body } : method === 'post' ? { body: {} } : {}),
        });
        const allowed = OPERATOR_ONLY.has(op.operationId) ? [403, 400] : [404];
        expect(allowed, `${method} ${url} → ${r.status} ${JSON.stringify(r.body)}`).toContain(r.status);
        const text = JSON.stringify(r.body);
        for (const s of secrets) expect(text, `${method} ${url} leaked ${s}`).not.toContain(`"${s}"`);
        expect(JSON.stringify(api.app.ledger.state.vhms[ids.vhm])).toBe(beforeVhms);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('filters every list, the trace, replay and the overview', async () => {
    for (const path of [
      '/v1/vhms',
      `/v1/vhms?tenant=${f.t1}`,
      '/v1/contracts',
      `/v1/contracts?vhm=${f.vhm}`,
      '/v1/bindings',
      '/v1/ipc',
      '/v1/faults',
      '/v1/migrations',
      '/v1/tenants',
    ]) {
      const r = await ok(
        api.call<{ items: Array<{ id: string; tenant?: string }> }>('GET', path, { token: f.tok2 }),
      );
      expect(JSON.stringify(r.items), path).not.toContain(`${f.vhm}"`);
      expect(JSON.stringify(r.items), path).not.toContain(`"${f.t1}"`);
    }
    const trace = await ok(
      api.call<{ items: Array<{ tenant: string }> }>('GET', '/v1/trace?limit=1000', { token: f.tok2 }),
    );
    expect(trace.items.length).toBeGreaterThan(0);
    expect(trace.items.every((e) => e.tenant === f.t2)).toBe(true);
    expect(
      (await ok(api.call<{ items: unknown[] }>('GET', `/v1/trace?vhm=${f.vhm}`, { token: f.tok2 }))).items,
    ).toEqual([]);
    // Newest-first paging answers a foreign VHM exactly like one that never existed.
    const back = (vhm: string) =>
      api.call('GET', `/v1/trace?vhm=${vhm}&before=${api.app.ledger.state.seq + 1}&limit=5`, {
        token: f.tok2,
      });
    const [foreign, made] = await Promise.all([back(f.vhm), back('vhm-999999')]);
    expect(foreign.status).toBe(200);
    expect(foreign.body).toEqual(made.body);
    expect((foreign.body as { items: unknown[] }).items).toEqual([]);
    const rs = await ok(
      api.call<{ state: Record<string, unknown> }>('GET', `/v1/replay/state?l=${api.app.ledger.state.l}`, {
        token: f.tok2,
      }),
    );
    const text = JSON.stringify(rs.state);
    for (const id of [ids.contract, ids.binding, ids.process, ids.ipc, `"${f.t1}"`])
      expect(text).not.toContain(id.startsWith('"') ? id : `"${id}"`);
    const ov = JSON.stringify(await ok(api.call('GET', '/v1/overview', { token: f.tok2 })));
    expect(ov).not.toContain('acme');
    const sched = JSON.stringify(await ok(api.call('GET', '/v1/scheduler', { token: f.tok2 })));
    expect(sched).not.toContain(`"${f.vhm}"`);
  });

  it('files the rejected probe under the prober, invisible to the probed tenant', async () => {
    const t1 = await ok(
      api.call<{ items: Array<{ outcome: string; payload: { code?: string } }> }>(
        'GET',
        '/v1/trace?limit=1000',
        { token: f.tok1 },
      ),
    );
    expect(
      t1.items.filter((e) => e.outcome === 'rejected').map((e) => JSON.stringify(e).slice(0, 400)),
    ).toEqual([]);
    const t2 = await ok(
      api.call<{ items: Array<{ outcome: string; payload: { code?: string } }> }>(
        'GET',
        '/v1/trace?limit=1000',
        { token: f.tok2 },
      ),
    );
    expect(t2.items.some((e) => e.outcome === 'rejected' && e.payload.code === 'HV_NOT_FOUND')).toBe(true);
  });
});
