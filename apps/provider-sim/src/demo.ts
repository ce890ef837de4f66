import { type paths, XdvProblem } from '@xdv/client';
import type { XdvClient } from './api.js';
import { GiB } from './fleet.js';

// The demo fleet, built through the public API as an operator and tenant admins would: two tenants,
// VHMs nested two levels deep with capabilities, contracts and active bindings, IPC, scheduler work.

export interface DemoTokens {
  acme: string;
  globex: string;
  /** A read-only token of tenant acme. */
  acmeViewer: string;
}

type Providers = Record<string, string>;
type JsonBody<P extends keyof paths> = paths[P] extends {
  post: { requestBody?: { content: { 'application/json': infer B } } };
}
  ? B
  : never;
/** What a contract asks for: the body of POST /v1/vhms/{vhm}/contracts without the capability. */
export type ContractRequest = Omit<JsonBody<'/v1/vhms/{vhm}/contracts'>, 'capability'>;
type Quota = JsonBody<'/v1/vhms'>['quota'];
type Right = JsonBody<'/v1/vhms/{vhm}/capabilities/{capability}/derive'>['rights'][number];

export interface VhmRef {
  vhm: string;
  cap: string;
}

async function vhm(c: XdvClient, name: string, quota: Quota, parent?: VhmRef): Promise<VhmRef> {
  const r = await c.POST('/v1/vhms', {
    body: { name, quota, ...(parent ? { parent: parent.vhm, capability: parent.cap } : {}) },
  });
  const id = r.created.vhm!;
  const path = { vhm: id };
  await c.POST('/v1/vhms/{vhm}/validate', { params: { path } });
  await c.POST('/v1/vhms/{vhm}/activate', { params: { path } });
  return { vhm: id, cap: r.created.capability! };
}

/** Issue, activate, bind, validate and activate: a contract in use by the VHM. */
export async function bindContract(
  c: XdvClient,
  v: VhmRef,
  body: ContractRequest,
): Promise<{ contract: string; binding: string }> {
  const capability = v.cap;
  const contract = (
    await c.POST('/v1/vhms/{vhm}/contracts', {
      params: { path: { vhm: v.vhm } },
      body: { capability, ...body } as JsonBody<'/v1/vhms/{vhm}/contracts'>,
    })
  ).created.contract!;
  await c.POST('/v1/contracts/{contract}/activate', { params: { path: { contract } }, body: { capability } });
  const binding = (
    await c.POST('/v1/vhms/{vhm}/bindings', {
      params: { path: { vhm: v.vhm } },
      body: { capability, contract },
    })
  ).created.binding!;
  const path = { binding };
  await c.POST('/v1/bindings/{binding}/validate', { params: { path }, body: { capability } });
  await c.POST('/v1/bindings/{binding}/activate', { params: { path }, body: { capability } });
  return { contract, binding };
}

export async function latestCalibration(c: XdvClient, provider: string): Promise<string> {
  const cals = await c.GET('/v1/calibrations', { params: { query: { limit: 500 } } });
  const mine = (cals.items as Array<{ id: string; provider: string; until: number }>)
    .filter((x) => x.provider === provider)
    .sort((a, b) => b.until - a.until);
  if (!mine[0]) throw new Error(`no calibration for ${provider}`);
  return mine[0].id;
}

/** Build the demo fleet on an empty hypervisor. Returns one admin token per tenant. */
export async function seedDemo(
  op: XdvClient,
  mkClient: (token: string) => XdvClient,
  providers: Providers,
): Promise<DemoTokens> {
  const quota = { vhms: 12, memory: 16 * GiB, cpu: 96, qubits: 40, envelopes: 4 };
  const acmeId = (await op.POST('/v1/tenants', { body: { name: 'acme', quota } })).created.tenant!;
  const globexId = (
    await op.POST('/v1/tenants', { body: { name: 'globex', quota: { ...quota, qubits: 24 } } })
  ).created.tenant!;
  const mint = async (tenant: string, label: string) =>
    (await op.POST('/v1/tokens', { body: { kind: 'tenant', tenant, role: 'admin', label } })).secret;
  const tokens = {
    acme: await mint(acmeId, 'acme admin (demo)'),
    globex: await mint(globexId, 'globex admin (demo)'),
    acmeViewer: (
      await op.POST('/v1/tokens', {
        body: { kind: 'tenant', tenant: acmeId, role: 'viewer', label: 'acme viewer (demo)' },
      })
    ).secret,
  };
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
  const derive = (v: VhmRef, capability: string, rights: Right[]) =>
    acme.POST('/v1/vhms/{vhm}/capabilities/{capability}/derive', {
      params: { path: { vhm: v.vhm, capability } },
      body: { rights },
    });
  const jobs = await derive(web, web.cap, ['EXECUTE_Q']);
  await derive(web, jobs.created.capability!, ['EXECUTE_Q']);
  await derive(batch, batch.cap, ['IPC', 'SNAPSHOT']);
  await acme.POST('/v1/ipc', {
    body: {
      a: web.vhm,
      capabilityA: web.cap,
      b: batch.vhm,
      capabilityB: batch.cap,
      rights: ['MSG', 'PHI_SHARE'],
    },
  });
  await acme.POST('/v1/vhms/{vhm}/snapshots', {
    params: { path: { vhm: web.vhm } },
    body: { capability: web.cap },
  });

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
  const l = (await op.GET('/v1/clock')).l;
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
    const path = { vhm: v.vhm };
    await client.PUT('/v1/vhms/{vhm}/schedule', { params: { path }, body: { weight, maxQueued: 64 } });
    const p = (
      await client.POST('/v1/vhms/{vhm}/processes', {
        params: { path },
        body: { capability: v.cap, name: 'worker' },
      })
    ).created.process!;
    for (let i = 0; i < 3; i++)
      await client.POST('/v1/scheduler/units', {
        body: { vhm: v.vhm, capability: v.cap, process: p, domain: 'K', priority: i, quanta: 4 },
      });
  }
  return tokens;
}

/** Whether the hypervisor already holds tenants (then the demo is not seeded again). */
export async function hasTenants(op: XdvClient): Promise<boolean> {
  try {
    return (await op.GET('/v1/tenants', { params: { query: { limit: 1 } } })).items.length > 0;
  } catch (e) {
    if (e instanceof XdvProblem) return false;
    throw e;
  }
}
