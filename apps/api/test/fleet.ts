import { scenario, sign } from '@xdv/core';
import { expect } from 'vitest';
import type { Api } from './harness.js';

const { registration, providerKeys } = scenario;

export interface HttpFleet {
  t1: string;
  t2: string;
  tok1: string;
  tok2: string;
  viewer1: string;
  k: string;
  k2: string;
  q: string;
  phi: string;
  cal: string;
  vhm: string;
  root: string;
  qProviderToken: string;
  phiProviderToken: string;
}

export async function ok<T = Record<string, unknown>>(
  p: Promise<{ status: number; body: T }>,
  status = [200, 201],
): Promise<T> {
  const r = await p;
  expect(status, JSON.stringify(r.body)).toContain(r.status);
  return r.body;
}

export async function registerProvider(
  api: Api,
  name: string,
  domain: 'K' | 'Q' | 'PHI',
  cap: Record<string, number>,
  seed: number,
  token?: string,
  extra: { liveTransfer?: boolean; operations?: string[] } = {},
): Promise<string> {
  const reg = registration(name, domain, cap, seed, extra);
  const signature = sign('xdv/provider-registration/v1', reg, providerKeys(seed).secretKey);
  const r = await ok(
    api.call<{ created: { provider: string } }>('POST', '/v1/providers', {
      body: { registration: reg, signature },
      ...(token ? { token } : {}),
    }),
  );
  return r.created.provider;
}

export function signReport<T extends object>(report: T, seed: number): { report: T; signature: string } {
  return { report, signature: sign('xdv/provider-report/v1', report, providerKeys(seed).secretKey) };
}

/** Two tenants with admin tokens, a viewer, two K hosts, a Q and a Φ provider, a calibration and one active VHM. */
export async function seedFleet(api: Api): Promise<HttpFleet> {
  const quota = { vhms: 10, memory: 1 << 20, cpu: 64, qubits: 40, envelopes: 4 };
  const t1 = (
    await ok(
      api.call<{ created: { tenant: string } }>('POST', '/v1/tenants', { body: { name: 'acme', quota } }),
    )
  ).created.tenant;
  const t2 = (
    await ok(
      api.call<{ created: { tenant: string } }>('POST', '/v1/tenants', { body: { name: 'globex', quota } }),
    )
  ).created.tenant;
  const mint = async (body: object) =>
    (await ok(api.call<{ secret: string }>('POST', '/v1/tokens', { body }))).secret;
  const tok1 = await mint({ kind: 'tenant', tenant: t1, role: 'admin', label: 'acme admin' });
  const tok2 = await mint({ kind: 'tenant', tenant: t2, role: 'admin', label: 'globex admin' });
  const viewer1 = await mint({ kind: 'tenant', tenant: t1, role: 'viewer', label: 'acme viewer' });
  const qProviderToken = await mint({ kind: 'provider', provider: 'qpu-1', label: 'qpu-1' });
  const phiProviderToken = await mint({ kind: 'provider', provider: 'phi-1', label: 'phi-1' });
  const k = await registerProvider(api, 'host-a', 'K', { memory: 1 << 22, cpu: 128 }, 1);
  const k2 = await registerProvider(api, 'host-b', 'K', { memory: 1 << 22, cpu: 128 }, 2);
  const q = await registerProvider(api, 'qpu-1', 'Q', { qubits: 50 }, 3, qProviderToken, {
    operations: ['h', 'cx', 'measure'],
  });
  const phi = await registerProvider(api, 'phi-1', 'PHI', { envelopes: 4 }, 4, phiProviderToken, {
    operations: ['rotate'],
  });
  const cal = (
    await ok(
      api.call<{ created: { calibration: string } }>('POST', `/v1/providers/${q}/calibrations`, {
        token: qProviderToken,
        body: { from: 0, until: 100000 },
      }),
    )
  ).created.calibration;
  // Let some logical time pass before the tenants act (only clock ticks move L): the fleet's VHMs
  // exist from L 5 on, so replays at earlier L show none.
  await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 5 } }));
  const created = await ok(
    api.call<{ created: { vhm: string; capability: string } }>('POST', '/v1/vhms', {
      token: tok1,
      body: { name: 'web', quota: { memory: 1 << 18, cpu: 16, qubits: 20, envelopes: 2 } },
    }),
  );
  const vhm = created.created.vhm;
  await ok(api.call('POST', `/v1/vhms/${vhm}/validate`, { token: tok1 }));
  await ok(api.call('POST', `/v1/vhms/${vhm}/activate`, { token: tok1 }));
  return {
    t1,
    t2,
    tok1,
    tok2,
    viewer1,
    k,
    k2,
    q,
    phi,
    cal,
    vhm,
    root: created.created.capability,
    qProviderToken,
    phiProviderToken,
  };
}

export async function bindQ(
  api: Api,
  f: HttpFleet,
  qubits = 4,
  budget = 50,
  vhm = f.vhm,
  cap = f.root,
  token = f.tok1,
): Promise<{ contract: string; binding: string }> {
  const c = await ok(
    api.call<{ created: { contract: string } }>('POST', `/v1/vhms/${vhm}/contracts`, {
      token,
      body: { capability: cap, domain: 'Q', provider: f.q, q: { qubits, budget, calibration: f.cal } },
    }),
  );
  const contract = c.created.contract;
  await ok(api.call('POST', `/v1/contracts/${contract}/activate`, { token, body: { capability: cap } }));
  const b = await ok(
    api.call<{ created: { binding: string } }>('POST', `/v1/vhms/${vhm}/bindings`, {
      token,
      body: { capability: cap, contract },
    }),
  );
  const binding = b.created.binding;
  await ok(api.call('POST', `/v1/bindings/${binding}/validate`, { token, body: { capability: cap } }));
  await ok(api.call('POST', `/v1/bindings/${binding}/activate`, { token, body: { capability: cap } }));
  return { contract, binding };
}
