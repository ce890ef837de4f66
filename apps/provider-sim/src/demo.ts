import { ApiProblem, type Client } from './client.js';
import { GiB } from './fleet.js';

// The demo fleet, built through the public API as an operator and tenant admins would: two tenants,
// VHMs nested two levels deep with capabilities, contracts and active bindings, IPC, scheduler work.

export interface DemoTokens {
  acme: string;
  globex: string;
}

interface Created {
  created: Record<string, string>;
}

type Providers = Record<string, string>;

async function vhm(
  c: Client,
  name: string,
  quota: object,
  parent?: { vhm: string; cap: string },
): Promise<{ vhm: string; cap: string }> {
  const r = await c.post<Created>('/v1/vhms', {
    name,
    quota,
    ...(parent ? { parent: parent.vhm, capability: parent.cap } : {}),
  });
  const id = r.created.vhm!;
  await c.post(`/v1/vhms/${id}/validate`);
  await c.post(`/v1/vhms/${id}/activate`);
  return { vhm: id, cap: r.created.capability! };
}

export async function bindContract(
  c: Client,
  v: { vhm: string; cap: string },
  body: object,
): Promise<{ contract: string; binding: string }> {
  const contract = (await c.post<Created>(`/v1/vhms/${v.vhm}/contracts`, { capability: v.cap, ...body }))
    .created.contract!;
  await c.post(`/v1/contracts/${contract}/activate`, { capability: v.cap });
  const binding = (await c.post<Created>(`/v1/vhms/${v.vhm}/bindings`, { capability: v.cap, contract }))
    .created.binding!;
  await c.post(`/v1/bindings/${binding}/validate`, { capability: v.cap });
  await c.post(`/v1/bindings/${binding}/activate`, { capability: v.cap });
  return { contract, binding };
}

export async function latestCalibration(c: Client, provider: string): Promise<string> {
  const cals = await c.get<{ items: Array<{ id: string; provider: string; until: number }> }>(
    '/v1/calibrations?limit=500',
  );
  const mine = cals.items.filter((x) => x.provider === provider).sort((a, b) => b.until - a.until);
  if (!mine[0]) throw new Error(`no calibration for ${provider}`);
  return mine[0].id;
}

/** Build the demo fleet on an empty hypervisor. Returns one admin token per tenant. */
export async function seedDemo(
  op: Client,
  mkClient: (token: string) => Client,
  providers: Providers,
): Promise<DemoTokens> {
  const quota = { vhms: 12, memory: 16 * GiB, cpu: 96, qubits: 40, envelopes: 4 };
  const acmeId = (await op.post<Created>('/v1/tenants', { name: 'acme', quota })).created.tenant!;
  const globexId = (
    await op.post<Created>('/v1/tenants', { name: 'globex', quota: { ...quota, qubits: 24 } })
  ).created.tenant!;
  const mint = async (tenant: string, label: string) =>
    (await op.post<{ secret: string }>('/v1/tokens', { kind: 'tenant', tenant, role: 'admin', label }))
      .secret;
  const tokens = {
    acme: await mint(acmeId, 'acme admin (demo)'),
    globex: await mint(globexId, 'globex admin (demo)'),
  };
  await op.post('/v1/tokens', {
    kind: 'tenant',
    tenant: acmeId,
    role: 'viewer',
    label: 'acme viewer (demo)',
  });
  const acme = mkClient(tokens.acme);
  const globex = mkClient(tokens.globex);
  const aurora = providers['qpu-aurora']!;
  const borealis = providers['qpu-borealis']!;
  const lumen = providers['phi-lumen']!;
  const hostA = providers['host-a']!;
  const hostB = providers['host-b']!;
  const calA = await latestCalibration(op, aurora);
  const calB = await latestCalibration(op, borealis);

  // acme: web → web-analytics → web-analytics-etl, and batch.
  const web = await vhm(acme, 'web', { memory: 8 * GiB, cpu: 48, qubits: 24, envelopes: 2 });
  const analytics = await vhm(
    acme,
    'web-analytics',
    { memory: 2 * GiB, cpu: 12, qubits: 8, envelopes: 1 },
    web,
  );
  const etl = await vhm(acme, 'web-analytics-etl', { memory: GiB, cpu: 4, qubits: 2 }, analytics);
  const batch = await vhm(acme, 'batch', { memory: 4 * GiB, cpu: 16, qubits: 8, envelopes: 2 });
  await bindContract(acme, web, {
    domain: 'K',
    provider: hostA,
    k: { base: 0, size: 4 * GiB, cpu: 16, irqs: [32, 33] },
  });
  await bindContract(acme, web, {
    domain: 'Q',
    provider: aurora,
    q: { qubits: 12, budget: 600, calibration: calA },
  });
  await bindContract(acme, analytics, {
    domain: 'Q',
    provider: aurora,
    q: { qubits: 4, budget: 200, calibration: calA },
  });
  await bindContract(acme, etl, {
    domain: 'K',
    provider: hostA,
    k: { base: 4 * GiB, size: GiB / 2, cpu: 2, irqs: [40] },
  });
  await bindContract(acme, batch, {
    domain: 'K',
    provider: hostB,
    k: { base: 0, size: 2 * GiB, cpu: 8, irqs: [32] },
  });
  // Derived capabilities: a job runner that can only execute Q, and an IPC-only one.
  const jobs = await acme.post<Created>(`/v1/vhms/${web.vhm}/capabilities/${web.cap}/derive`, {
    rights: ['EXECUTE_Q'],
  });
  await acme.post(`/v1/vhms/${web.vhm}/capabilities/${jobs.created.capability}/derive`, {
    rights: ['EXECUTE_Q'],
  });
  await acme.post(`/v1/vhms/${batch.vhm}/capabilities/${batch.cap}/derive`, { rights: ['IPC', 'SNAPSHOT'] });
  await acme.post('/v1/ipc', {
    a: web.vhm,
    capabilityA: web.cap,
    b: batch.vhm,
    capabilityB: batch.cap,
    rights: ['MSG', 'PHI_SHARE'],
  });
  await acme.post(`/v1/vhms/${web.vhm}/snapshots`, { capability: web.cap });

  // globex: research → research-sim.
  const research = await vhm(globex, 'research', { memory: 8 * GiB, cpu: 32, qubits: 20, envelopes: 2 });
  const sim = await vhm(globex, 'research-sim', { memory: GiB, cpu: 8, qubits: 6 }, research);
  await bindContract(globex, research, {
    domain: 'K',
    provider: hostB,
    k: { base: 8 * GiB, size: 4 * GiB, cpu: 16, irqs: [48] },
  });
  await bindContract(globex, research, {
    domain: 'Q',
    provider: borealis,
    q: { qubits: 10, budget: 400, calibration: calB },
  });
  await bindContract(globex, sim, {
    domain: 'Q',
    provider: borealis,
    q: { qubits: 4, budget: 150, calibration: calB },
  });

  // Φ envelopes with coherence windows ahead on the logical clock.
  const l = (await op.get<{ l: number }>('/v1/overview')).l;
  await bindContract(acme, batch, {
    domain: 'PHI',
    provider: lumen,
    phi: { start: l + 5, duration: 400, tolerance: 6000 },
  });
  await bindContract(globex, research, {
    domain: 'PHI',
    provider: lumen,
    phi: { start: l + 420, duration: 400, tolerance: 7000 },
  });

  // Scheduler work: processes and units with weights.
  for (const [client, v, weight] of [
    [acme, web, 300],
    [acme, batch, 100],
    [globex, research, 200],
  ] as const) {
    await client.call('PUT', `/v1/vhms/${v.vhm}/schedule`, { weight, maxQueued: 64 });
    const p = (
      await client.post<Created>(`/v1/vhms/${v.vhm}/processes`, { capability: v.cap, name: 'worker' })
    ).created.process!;
    for (let i = 0; i < 3; i++)
      await client.post('/v1/scheduler/units', {
        vhm: v.vhm,
        capability: v.cap,
        process: p,
        domain: 'K',
        priority: i,
        quanta: 4,
      });
  }
  return tokens;
}

/** Whether the hypervisor already holds tenants (then the demo is not seeded again). */
export async function hasTenants(op: Client): Promise<boolean> {
  try {
    return (await op.get<{ items: unknown[] }>('/v1/tenants?limit=1')).items.length > 0;
  } catch (e) {
    if (e instanceof ApiProblem) return false;
    throw e;
  }
}
