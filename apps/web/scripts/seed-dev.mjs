// Seed a running API with a small fleet for development and screenshots (until XDV_DEMO=1 exists):
// node apps/web/scripts/seed-dev.mjs http://127.0.0.1:8090 xdv_dev_operator [extraVhms]
import { scenario, sign } from '@xdv/core';

const [base = 'http://127.0.0.1:8090', op = 'xdv_dev_operator', extra = '60'] = process.argv.slice(2);

async function call(method, path, body, token = op) {
  const r = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const j = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(j)}`);
  return j;
}
const soft = (p) => p.catch((e) => console.warn('  (expected/ignored)', e.message.slice(0, 160)));

const quota = { vhms: 400, memory: 1 << 26, cpu: 2048, qubits: 40, envelopes: 4 };
const t1 = (await call('POST', '/v1/tenants', { name: 'acme', quota })).created.tenant;
const t2 = (await call('POST', '/v1/tenants', { name: 'globex', quota: { ...quota, vhms: 20 } })).created
  .tenant;
const mint = async (b) => (await call('POST', '/v1/tokens', b)).secret;
const acme = await mint({ kind: 'tenant', tenant: t1, role: 'admin', label: 'acme admin' });
const viewer = await mint({ kind: 'tenant', tenant: t1, role: 'viewer', label: 'acme viewer' });
const globex = await mint({ kind: 'tenant', tenant: t2, role: 'admin', label: 'globex admin' });
const qTok = await mint({ kind: 'provider', provider: 'qpu-1', label: 'qpu-1' });
const phiTok = await mint({ kind: 'provider', provider: 'phi-1', label: 'phi-1' });

async function register(name, domain, cap, seed, token, extraFeat = {}) {
  const reg = scenario.registration(name, domain, cap, seed, extraFeat);
  const signature = sign('xdv/provider-registration/v1', reg, scenario.providerKeys(seed).secretKey);
  return (await call('POST', '/v1/providers', { registration: reg, signature }, token)).created.provider;
}
const k1 = await register('host-a', 'K', { memory: 1 << 28, cpu: 4096 }, 1);
const k2 = await register('host-b', 'K', { memory: 1 << 28, cpu: 4096 }, 2);
const q = await register('qpu-1', 'Q', { qubits: 50 }, 3, qTok, { operations: ['h', 'cx', 'measure'] });
const phi = await register('phi-1', 'PHI', { envelopes: 6 }, 4, phiTok, { operations: ['rotate'] });
const cal = (await call('POST', `/v1/providers/${q}/calibrations`, { from: 0, until: 400 }, qTok)).created
  .calibration;
await call('POST', `/v1/providers/${q}/calibrations`, { from: 400, until: 900 }, qTok);

async function vhm(token, name, qt, parent, capability) {
  const r = await call(
    'POST',
    '/v1/vhms',
    { name, quota: qt, ...(parent ? { parent, capability } : {}) },
    token,
  );
  await call('POST', `/v1/vhms/${r.created.vhm}/validate`, undefined, token);
  await call('POST', `/v1/vhms/${r.created.vhm}/activate`, undefined, token);
  return { id: r.created.vhm, cap: r.created.capability };
}
const web = await vhm(acme, 'web', { vhms: 4, memory: 1 << 22, cpu: 64, qubits: 20, envelopes: 2 });
const batch = await vhm(acme, 'batch', { vhms: 0, memory: 1 << 20, cpu: 16, qubits: 10, envelopes: 1 });
const worker = await vhm(
  acme,
  'worker',
  { vhms: 1, memory: 1 << 18, cpu: 8, qubits: 4, envelopes: 0 },
  web.id,
  web.cap,
);
await vhm(
  acme,
  'worker-inner',
  { vhms: 0, memory: 1 << 16, cpu: 2, qubits: 0, envelopes: 0 },
  worker.id,
  worker.cap,
);
const gx = await vhm(globex, 'ledger', { vhms: 0, memory: 1 << 20, cpu: 32, qubits: 8, envelopes: 1 });

// K, Q and Φ contracts and bindings on web
const alloc = (v, token, body) =>
  call('POST', `/v1/vhms/${v.id}/contracts`, { capability: v.cap, ...body }, token);
const kC = (
  await alloc(web, acme, { domain: 'K', provider: k1, k: { base: 0, size: 1 << 20, cpu: 8, irqs: [3] } })
).created.contract;
const qC = (
  await alloc(web, acme, { domain: 'Q', provider: q, q: { qubits: 6, budget: 120, calibration: cal } })
).created.contract;
const l0 = (await call('GET', '/v1/overview')).l;
const pC = (
  await alloc(web, acme, { domain: 'PHI', provider: phi, phi: { start: l0, duration: 200, tolerance: 9000 } })
).created.contract;
const q2 = (
  await alloc(web, acme, { domain: 'Q', provider: q, q: { qubits: 2, budget: 40, calibration: cal } })
).created.contract;
async function bindTo(v, token, contract, steps) {
  await call('POST', `/v1/contracts/${contract}/activate`, { capability: v.cap }, token);
  const b = (await call('POST', `/v1/vhms/${v.id}/bindings`, { capability: v.cap, contract }, token)).created
    .binding;
  if (steps > 1) await call('POST', `/v1/bindings/${b}/validate`, { capability: v.cap }, token);
  if (steps > 2) await call('POST', `/v1/bindings/${b}/activate`, { capability: v.cap }, token);
  return b;
}
const kB = await bindTo(web, acme, kC, 3);
const qB = await bindTo(web, acme, qC, 3);
const pB = await bindTo(web, acme, pC, 3);
await bindTo(web, acme, q2, 2); // validated, not active
for (const cost of [20, 15, 30])
  await call('POST', `/v1/bindings/${qB}/jobs`, { capability: web.cap, cost, operations: ['h', 'cx'] }, acme);
await call(
  'POST',
  `/v1/bindings/${pB}/transforms`,
  { capability: web.cap, transform: 'rotate', impact: 120 },
  acme,
);
// batch: K bound and released
const bk = (
  await alloc(batch, acme, { domain: 'K', provider: k2, k: { base: 0, size: 1 << 18, cpu: 4, irqs: [] } })
).created.contract;
const bb = await bindTo(batch, acme, bk, 3);
await call('POST', `/v1/bindings/${bb}/release`, { capability: batch.cap }, acme);
// globex: Q contract, binding requested only
const gq = (
  await alloc(gx, globex, { domain: 'Q', provider: q, q: { qubits: 4, budget: 80, calibration: cal } })
).created.contract;
await bindTo(gx, globex, gq, 1);

// capabilities: derived chain and a revoked branch
const d1 = (
  await call(
    'POST',
    `/v1/vhms/${web.id}/capabilities/${web.cap}/derive`,
    { rights: ['BIND_K', 'ALLOC_Q', 'EXECUTE_Q', 'SNAPSHOT'] },
    acme,
  )
).created.capability;
await call('POST', `/v1/vhms/${web.id}/capabilities/${d1}/derive`, { rights: ['EXECUTE_Q'] }, acme);
const d3 = (
  await call(
    'POST',
    `/v1/vhms/${web.id}/capabilities/${web.cap}/derive`,
    { rights: ['IPC', 'MIGRATE'] },
    acme,
  )
).created.capability;
await call('POST', `/v1/vhms/${web.id}/capabilities/${d3}/revoke`, undefined, acme);
// batch: revoke its root so that its actions are gated, then give it a narrow one
await call(
  'POST',
  `/v1/vhms/${batch.id}/capabilities`,
  { rights: ['BIND_K', 'PROCESS', 'SCHEDULE', 'IPC'] },
  acme,
);
await call('POST', `/v1/vhms/${batch.id}/capabilities/${batch.cap}/revoke`, undefined, acme);

// processes, scheduler work
const p1 = (
  await call('POST', `/v1/vhms/${web.id}/processes`, { capability: web.cap, name: 'frontend' }, acme)
).created.process;
const p2 = (
  await call('POST', `/v1/vhms/${web.id}/processes`, { capability: web.cap, name: 'q-runner' }, acme)
).created.process;
await call(
  'POST',
  '/v1/scheduler/units',
  { vhm: web.id, capability: web.cap, process: p1, domain: 'K', priority: 1, quanta: 3 },
  acme,
);
await call(
  'POST',
  '/v1/scheduler/units',
  { vhm: web.id, capability: web.cap, process: p2, domain: 'Q', contract: qC, priority: 2, quanta: 2 },
  acme,
);
const gp = (await call('POST', `/v1/vhms/${gx.id}/processes`, { capability: gx.cap, name: 'settle' }, globex))
  .created.process;
await call(
  'POST',
  '/v1/scheduler/units',
  { vhm: gx.id, capability: gx.cap, process: gp, domain: 'K', priority: 0, quanta: 6 },
  globex,
);
for (let i = 0; i < 4; i++) await call('POST', '/v1/scheduler/tick');

// snapshot, IPC, migration
await call('POST', `/v1/vhms/${web.id}/snapshots`, { capability: web.cap, include: ['K'] }, acme);
const batchCaps = (await call('GET', `/v1/vhms/${batch.id}/capabilities`, undefined, acme)).items;
const bIpc = batchCaps.find((c) => !c.revoked && c.rights.includes('IPC')).id;
await call(
  'POST',
  '/v1/ipc',
  { a: web.id, capabilityA: web.cap, b: batch.id, capabilityB: bIpc, rights: ['MSG'] },
  acme,
);
await soft(call('POST', `/v1/vhms/${gx.id}/migrations`, { capability: gx.cap, target: k2 }, globex));

// telemetry over logical time: Q metrics and Φ stability, with a few threshold breaches
let seqQ = 0;
let seqP = 0;
const envs = (await call('GET', `/v1/bindings/${pB}`)).envelope;
for (let i = 0; i < 24; i++) {
  await call('POST', '/v1/clock/advance', { ticks: 3 });
  const qubits = Array.from({ length: 4 }, (_, k) => ({
    qubit: k,
    t1: 90 + ((i * 7 + k * 13) % 25) - (i === 17 && k === 2 ? 55 : 0),
    t2: 55 + ((i * 5 + k * 11) % 18),
    fidelity: 9935 + ((i * 3 + k) % 50) - (i === 20 && k === 1 ? 60 : 0),
    readoutError: 120 + ((i * 11 + k * 7) % 90),
  }));
  const qr = { provider: q, seq: ++seqQ, qubits };
  await call(
    'POST',
    `/v1/providers/${q}/reports/q`,
    { report: qr, signature: sign('xdv/provider-report/v1', qr, scenario.providerKeys(3).secretKey) },
    qTok,
  );
  if (envs) {
    const pr = {
      provider: phi,
      seq: ++seqP,
      envelopes: [
        {
          envelope: envs,
          stability: 9700 - ((i * 37) % 400),
          noise: 600 + ((i * 53) % 700),
          drift: 200 + ((i * 29) % 500),
          impact: (i * 17) % 300,
        },
      ],
    };
    await call(
      'POST',
      `/v1/providers/${phi}/reports/phi`,
      { report: pr, signature: sign('xdv/provider-report/v1', pr, scenario.providerKeys(4).secretKey) },
      phiTok,
    );
  }
  if (i % 6 === 0) await call('POST', '/v1/scheduler/tick');
}
await call('POST', '/v1/faults/inject', { kind: 'decoherence_spike', target: q2, amount: 5 }).catch(() => {});
await soft(call('POST', '/v1/faults/inject', { kind: 'contract_invalidation', target: gq }));

// many more VHMs for the tree (nested up to depth 3)
const n = Number(extra);
let parent = null;
for (let i = 0; i < n; i++) {
  const q0 = { vhms: 2, memory: 4096, cpu: 1, qubits: 0, envelopes: 0 };
  const nested = i % 5 === 1 && parent;
  const r = await call(
    'POST',
    '/v1/vhms',
    {
      name: `svc-${String(i).padStart(3, '0')}`,
      quota: nested ? { ...q0, vhms: 0, memory: 1024 } : q0,
      ...(nested ? { parent: parent.vhm, capability: parent.capability } : {}),
    },
    acme,
  );
  if (i % 3 === 0 || i % 5 === 0) await call('POST', `/v1/vhms/${r.created.vhm}/validate`, undefined, acme);
  if (i % 5 === 0) {
    await call('POST', `/v1/vhms/${r.created.vhm}/activate`, undefined, acme);
    parent = r.created;
  }
  if (i % 17 === 16 && i % 5 !== 0) {
    await call('POST', `/v1/vhms/${r.created.vhm}/terminate`, undefined, acme);
  }
}
console.log(
  JSON.stringify(
    { acme, viewer, globex, web: web.id, batch: batch.id, worker: worker.id, gx: gx.id, kB, qB, pB },
    null,
    2,
  ),
);
