import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindQ, type HttpFleet, ok, seedFleet, signReport } from './fleet.js';
import { type Api, startApi } from './harness.js';

// Every operation in the OpenAPI document is called once on its success path and once with a
// malformed request; the document and this table must stay in step (a new route without a case fails).

let api: Api;
let f: HttpFleet;
beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
});
afterAll(async () => api?.close());

type Call = () => Promise<{ status: number; body: unknown }>;

describe('every route', () => {
  it('succeeds on its happy path and answers a malformed request with a 4xx problem', async () => {
    const q = await bindQ(api, f);
    const c = (p: string) => api.call('GET', p, { token: f.tok1 });
    const post = (p: string, body?: unknown, token = f.tok1) =>
      api.call('POST', p, { token, ...(body !== undefined ? { body } : {}) });
    const proc = (await ok(post(`/v1/vhms/${f.vhm}/processes`, { capability: f.root, name: 'w' }))) as {
      created: { process: string };
    };
    const pid = proc.created.process;
    const child = (await ok(
      post('/v1/vhms', { name: 'c', parent: f.vhm, capability: f.root, quota: {} }),
    )) as { created: { vhm: string; capability: string } };
    const phiC = (await ok(
      post(`/v1/vhms/${f.vhm}/contracts`, {
        capability: f.root,
        domain: 'PHI',
        provider: f.phi,
        phi: { start: 0, duration: 100000, tolerance: 5000 },
      }),
    )) as { created: { contract: string } };
    await ok(post(`/v1/contracts/${phiC.created.contract}/activate`, { capability: f.root }));
    const phiB = (await ok(
      post(`/v1/vhms/${f.vhm}/bindings`, { capability: f.root, contract: phiC.created.contract }),
    )) as { created: { binding: string } };
    await ok(post(`/v1/bindings/${phiB.created.binding}/validate`, { capability: f.root }));
    await ok(post(`/v1/bindings/${phiB.created.binding}/activate`, { capability: f.root }));
    const env = Object.values(api.app.ledger.state.envelopes).find((e) => e.live)!.id;
    const tok = (await ok(
      api.call('POST', '/v1/tokens', { body: { kind: 'tenant', tenant: f.t1, role: 'viewer', label: 'x' } }),
    )) as { token: { id: string } };
    const happy: Record<string, Call> = {
      healthz: () => api.call('GET', '/healthz', { token: null }),
      readyz: () => api.call('GET', '/readyz', { token: null }),
      metrics: async () => ({ status: (await fetch(`${api.base}/metrics`)).status, body: null }),
      whoAmI: () => c('/v1/me'),
      getClock: () => c('/v1/clock'),
      listTenants: () => c('/v1/tenants'),
      getTenant: () => c(`/v1/tenants/${f.t1}`),
      createTenant: () => api.call('POST', '/v1/tenants', { body: { name: 'third', quota: {} } }),
      setTenantQuota: () =>
        api.call('PUT', `/v1/tenants/${f.t2}/quota`, { body: { quota: { vhms: 5, qubits: 10 } } }),
      listTokens: () => api.call('GET', '/v1/tokens'),
      createToken: () =>
        api.call('POST', '/v1/tokens', { body: { kind: 'provider', provider: 'x', label: 'x' } }),
      revokeToken: () => api.call('POST', `/v1/tokens/${tok.token.id}/revoke`),
      advanceClock: () => api.call('POST', '/v1/clock/advance', { body: { ticks: 2 } }),
      trustFirmware: () =>
        api.call('POST', '/v1/firmware/trusted', {
          body: { measurement: 'f1f2f3f4f5f6f7f8a1a2a3a4a5a6a7a8' },
        }),
      listFaults: () => c('/v1/faults'),
      listAlerts: () => c('/v1/alerts'),
      injectFault: () =>
        api.call('POST', '/v1/faults/inject', {
          body: { kind: 'decoherence_spike', target: q.contract, amount: 1 },
        }),
      getScheduler: () => c('/v1/scheduler'),
      submitUnit: () =>
        post('/v1/scheduler/units', { vhm: f.vhm, capability: f.root, process: pid, domain: 'K' }),
      schedulerTick: () => api.call('POST', '/v1/scheduler/tick'),
      listVhms: () => c('/v1/vhms'),
      getVhm: () => c(`/v1/vhms/${f.vhm}`),
      createVhm: () => post('/v1/vhms', { name: 'n2', quota: {} }),
      validateVhm: () => post(`/v1/vhms/${child.created.vhm}/validate`),
      activateVhm: () => post(`/v1/vhms/${child.created.vhm}/activate`),
      pauseVhm: () => post(`/v1/vhms/${child.created.vhm}/pause`),
      resumeVhm: () => post(`/v1/vhms/${child.created.vhm}/resume`),
      terminateVhm: () => post(`/v1/vhms/${child.created.vhm}/terminate`),
      releaseVhm: () => post(`/v1/vhms/${child.created.vhm}/release`),
      setVhmSchedule: () =>
        api.call('PUT', `/v1/vhms/${f.vhm}/schedule`, { token: f.tok1, body: { weight: 5, maxQueued: 9 } }),
      listProcesses: () => c(`/v1/vhms/${f.vhm}/processes`),
      spawnProcess: () => post(`/v1/vhms/${f.vhm}/processes`, { capability: f.root, name: 'x' }),
      exitProcess: () => post(`/v1/vhms/${f.vhm}/processes/${pid}/exit`, { capability: f.root }),
      listCapabilities: () => c(`/v1/vhms/${f.vhm}/capabilities`),
      issueCapability: () => post(`/v1/vhms/${f.vhm}/capabilities`, { rights: ['IPC'] }),
      deriveCapability: () =>
        post(`/v1/vhms/${f.vhm}/capabilities/${f.root}/derive`, { rights: ['SNAPSHOT'] }),
      revokeCapability: async () => {
        const d = (await ok(
          post(`/v1/vhms/${f.vhm}/capabilities/${f.root}/derive`, { rights: ['IPC'] }),
        )) as { created: { capability: string } };
        return post(`/v1/vhms/${f.vhm}/capabilities/${d.created.capability}/revoke`);
      },
      listSnapshots: () => c(`/v1/vhms/${f.vhm}/snapshots`),
      takeSnapshot: () => post(`/v1/vhms/${f.vhm}/snapshots`, { capability: f.root }),
      listMigrations: () => c('/v1/migrations'),
      migrateVhm: () => post(`/v1/vhms/${f.vhm}/migrations`, { capability: f.root, target: f.k2 }),
      listContracts: () => c('/v1/contracts'),
      getContract: () => c(`/v1/contracts/${q.contract}`),
      allocateContract: () =>
        post(`/v1/vhms/${f.vhm}/contracts`, {
          capability: f.root,
          domain: 'Q',
          provider: f.q,
          q: { qubits: 1, budget: 3, calibration: f.cal },
        }),
      activateContract: async () => {
        const n = (await ok(
          post(`/v1/vhms/${f.vhm}/contracts`, {
            capability: f.root,
            domain: 'Q',
            provider: f.q,
            q: { qubits: 1, budget: 3, calibration: f.cal },
          }),
        )) as { created: { contract: string } };
        return post(`/v1/contracts/${n.created.contract}/activate`, { capability: f.root });
      },
      releaseContract: async () => {
        const n = (await ok(
          post(`/v1/vhms/${f.vhm}/contracts`, {
            capability: f.root,
            domain: 'Q',
            provider: f.q,
            q: { qubits: 1, budget: 3, calibration: f.cal },
          }),
        )) as { created: { contract: string } };
        return post(`/v1/contracts/${n.created.contract}/release`, { capability: f.root });
      },
      revokeContract: async () => {
        const n = (await ok(
          post(`/v1/vhms/${f.vhm}/contracts`, {
            capability: f.root,
            domain: 'Q',
            provider: f.q,
            q: { qubits: 1, budget: 3, calibration: f.cal },
          }),
        )) as { created: { contract: string } };
        return api.call('POST', `/v1/contracts/${n.created.contract}/revoke`, { body: { reason: 'test' } });
      },
      listBindings: () => c('/v1/bindings'),
      getBinding: () => c(`/v1/bindings/${q.binding}`),
      requestBinding: async () => {
        const n = (await ok(
          post(`/v1/vhms/${f.vhm}/contracts`, {
            capability: f.root,
            domain: 'Q',
            provider: f.q,
            q: { qubits: 1, budget: 3, calibration: f.cal },
          }),
        )) as { created: { contract: string } };
        return post(`/v1/vhms/${f.vhm}/bindings`, { capability: f.root, contract: n.created.contract });
      },
      validateBinding: async () => (await bindQ(api, f, 1, 2)) && { status: 200, body: null },
      activateBinding: async () => (await bindQ(api, f, 1, 2)) && { status: 200, body: null },
      releaseBinding: async () =>
        post(`/v1/bindings/${(await bindQ(api, f, 1, 2)).binding}/release`, { capability: f.root }),
      runQJob: () =>
        post(`/v1/bindings/${q.binding}/jobs`, { capability: f.root, cost: 1, operations: ['h'] }),
      applyPhiTransform: () =>
        post(`/v1/bindings/${phiB.created.binding}/transforms`, {
          capability: f.root,
          transform: 'rotate',
          impact: 3,
        }),
      listIpc: () => c('/v1/ipc'),
      openIpc: async () => {
        const other = (await ok(post('/v1/vhms', { name: 'ipcopen', quota: {} }))) as {
          created: { vhm: string; capability: string };
        };
        await ok(post(`/v1/vhms/${other.created.vhm}/validate`));
        await ok(post(`/v1/vhms/${other.created.vhm}/activate`));
        return post('/v1/ipc', {
          a: f.vhm,
          capabilityA: f.root,
          b: other.created.vhm,
          capabilityB: other.created.capability,
          rights: ['MSG'],
        });
      },
      closeIpc: async () => {
        const other = (await ok(post('/v1/vhms', { name: 'ipcpeer', quota: {} }))) as {
          created: { vhm: string; capability: string };
        };
        await ok(post(`/v1/vhms/${other.created.vhm}/validate`));
        await ok(post(`/v1/vhms/${other.created.vhm}/activate`));
        const i = (await ok(
          post('/v1/ipc', {
            a: f.vhm,
            capabilityA: f.root,
            b: other.created.vhm,
            capabilityB: other.created.capability,
            rights: ['MSG'],
          }),
        )) as { created: { ipc: string } };
        return post(`/v1/ipc/${i.created.ipc}/close`);
      },
      listProviders: () => c('/v1/providers'),
      getProvider: () => c(`/v1/providers/${f.q}`),
      registerProvider: async () => {
        const { scenario, sign } = await import('@xdv/core');
        const reg = scenario.registration('extra', 'K', { memory: 100, cpu: 1 }, 21);
        return api.call('POST', '/v1/providers', {
          body: {
            registration: reg,
            signature: sign('xdv/provider-registration/v1', reg, scenario.providerKeys(21).secretKey),
          },
        });
      },
      providerWorkload: () => api.call('GET', `/v1/providers/${f.q}/workload`, { token: f.qProviderToken }),
      providerSeries: () => c(`/v1/providers/${f.q}/series`),
      listCalibrations: () => c('/v1/calibrations'),
      issueCalibration: () =>
        api.call('POST', `/v1/providers/${f.q}/calibrations`, {
          token: f.qProviderToken,
          body: { from: 0, until: 999999 },
        }),
      postQReport: () =>
        api.call('POST', `/v1/providers/${f.q}/reports/q`, {
          token: f.qProviderToken,
          body: signReport(
            {
              provider: f.q,
              seq: 10,
              qubits: [{ qubit: 0, t1: 100, t2: 70, fidelity: 9990, readoutError: 50 }],
            },
            3,
          ),
        }),
      postPhiReport: () =>
        api.call('POST', `/v1/providers/${f.phi}/reports/phi`, {
          token: f.phiProviderToken,
          body: signReport(
            {
              provider: f.phi,
              seq: 10,
              envelopes: [{ envelope: env, stability: 9500, noise: 10, drift: 10, impact: 1 }],
            },
            4,
          ),
        }),
      postErrorReport: () =>
        api.call('POST', `/v1/providers/${f.q}/reports/error`, {
          token: f.qProviderToken,
          body: signReport(
            {
              provider: f.q,
              seq: 11,
              code: 'Q_ERR_MEASUREMENT_FAILURE',
              contract: q.contract,
              message: 'readout glitch',
            },
            3,
          ),
        }),
      listTrace: () => c('/v1/trace'),
      verifyTrace: () => api.call('GET', '/v1/trace/verify'),
      traceHead: () => api.call('GET', '/v1/trace/head'),
      exportTrace: async () => {
        const r = await fetch(`${api.base}/v1/trace/export`, {
          headers: { authorization: `Bearer ${api.operator}` },
        });
        await r.text();
        return { status: r.status, body: null };
      },
      streamTrace: async () => {
        const ctrl = new AbortController();
        const r = await fetch(`${api.base}/v1/trace/stream?after=0`, {
          headers: { authorization: `Bearer ${f.tok1}` },
          signal: ctrl.signal,
        });
        ctrl.abort();
        return { status: r.status, body: null };
      },
      replayState: () => c('/v1/replay/state?l=5'),
      replayDiff: () => c('/v1/replay/diff?from=1&to=20'),
      checkInvariants: () => c('/v1/invariants'),
      overview: () => c('/v1/overview'),
      getCluster: () => c('/v1/cluster?limit=5'),
      getCompliance: () => c('/v1/compliance'),
      planCommands: () => post('/v1/plan', { commands: [{ type: 'vhm.pause', vhm: f.vhm }] }),
    };
    const doc = (
      await api.call<{
        paths: Record<
          string,
          Record<string, { operationId: string; parameters?: unknown[]; requestBody?: unknown }>
        >;
      }>('GET', '/openapi.json', { token: null })
    ).body;
    const ops = Object.entries(doc.paths).flatMap(([path, m]) =>
      Object.entries(m).map(([method, o]) => ({
        path,
        method,
        id: o.operationId,
        hasBody: o.requestBody !== undefined,
        takesInput:
          path.includes('{') ||
          o.requestBody !== undefined ||
          (method === 'get' && (o.parameters?.length ?? 0) > 0),
      })),
    );
    expect(ops.map((o) => o.id).filter((id) => !happy[id])).toEqual([]);
    let bodyProbes = 0;
    for (const o of ops) {
      const r = await happy[o.id]!();
      expect(r.status, `${o.id}: ${JSON.stringify(r.body)?.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
      expect(r.status, `${o.id}: ${JSON.stringify(r.body)?.slice(0, 300)}`).toBeLessThan(300);
      // Malformed: a wrong type in the body for writes, a garbage id or query for reads.
      // Routes that take no input at all have nothing to malform.
      if (o.path.startsWith('/v1/') && o.takesInput) {
        const bad = o.path.replace(/\{\w+\}/g, 'NOT AN ID');
        const res = await fetch(
          api.base + bad.replace(/ /g, '%20') + (o.method === 'get' ? '?limit=-1&l=x&from=x&to=y' : ''),
          {
            method: o.method.toUpperCase(),
            headers: { authorization: `Bearer ${api.operator}`, 'content-type': 'application/json' },
            ...(o.method === 'get' ? {} : { body: '{"name": 12, "capability": false, "quota": "lots"}' }),
          },
        );
        if (o.id === 'streamTrace') continue;
        expect(res.status, `${o.method} ${bad}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${o.method} ${bad}`).toBeLessThan(500);
        expect(res.headers.get('content-type'), `${o.method} ${bad}`).toContain('application/problem+json');
        expect(((await res.json()) as { code: string }).code).toMatch(/^(HV|Q|PHI)_[A-Z_]+$/);
      }
      // The garbage path id above stops a route with path parameters before its body is read; so
      // probe those bodies again under well-formed, existing ids: the body itself must be refused.
      if (o.path.includes('{') && o.hasBody) {
        const ids: Record<string, string> = {
          vhm: f.vhm,
          capability: f.root,
          contract: q.contract,
          binding: q.binding,
          provider: f.q,
          tenant: f.t1,
          process: pid,
          token: tok.token.id,
        };
        const path = o.path.replace(/\{(\w+)\}/g, (_m, n: string) => ids[n] ?? `${n}-1`);
        const res = await fetch(api.base + path, {
          method: o.method.toUpperCase(),
          headers: { authorization: `Bearer ${api.operator}`, 'content-type': 'application/json' },
          body: '{"name": 12, "capability": false, "quota": "lots", "rights": 7, "report": 1, "ticks": "x"}',
        });
        const problem = (await res.json()) as { code: string; detail: string };
        expect(res.status, `${o.method} ${path}: ${problem.detail}`).toBe(400);
        expect(problem.code, `${o.method} ${path}`).toBe('HV_BAD_REQUEST');
        expect(problem.detail, `${o.method} ${path}`).toMatch(/^Invalid body/);
        bodyProbes += 1;
      }
    }
    // Every command route with a path parameter and a body had its body probed (about 20 of them).
    expect(bodyProbes).toBeGreaterThan(15);
  });
});
