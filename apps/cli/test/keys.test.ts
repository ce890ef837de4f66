import { describe, expect, it } from 'vitest';
import type { Current, CVhm } from '../src/apply/current.js';
import { parseDesired } from '../src/apply/desired.js';
import { computePlan } from '../src/apply/diff.js';
import { routeOf, stepKeys } from '../src/apply/run.js';

// Apply's Idempotency-Keys name a step by what it does to which object of the file (its path and
// generation), never by server ids: a re-run plans the remaining steps under the very keys the
// interrupted run used, and a new incarnation of an object gets new keys.

const FILE = `tenants:
  - name: t
    quota: { vhms: 2, memory: 4096, cpu: 2 }
    vhms:
      - name: a
        quota: { memory: 1024, cpu: 1 }
        contracts:
          - { domain: K, provider: host-a, k: { size: 64, cpu: 1 }, bind: true }
`;
const desired = parseDesired(FILE, 'f.yaml');
const quota = { vhms: 2, memory: 4096, cpu: 2, qubits: 0, envelopes: 0 };
const empty: Current = {
  l: 4,
  tenants: [],
  vhms: [],
  contracts: [],
  bindings: [],
  ipcs: [],
  providers: [{ id: 'provider-1', name: 'host-a', domain: 'K' }],
  calibrations: [],
  roots: {},
};
const vhm = (state: string, id = 'vhm-1'): CVhm => ({
  id,
  tenant: 'tenant-1',
  name: 'a',
  parent: null,
  state,
  quota: { vhms: 0, memory: 1024, cpu: 1, qubits: 0, envelopes: 0 },
});
const withTenant = (vhms: CVhm[], l = 4): Current => ({
  ...empty,
  l,
  tenants: [{ id: 'tenant-1', name: 't', quota }],
  vhms,
  roots: Object.fromEntries(vhms.map((v) => [v.id, `cap-${v.id.slice(4)}`])),
});
const keyed = (cur: Current) => {
  const steps = computePlan(desired, cur, { prune: false });
  const keys = stepKeys(FILE, steps);
  return new Map(steps.map((s, i) => [s.label, keys[i]!]));
};

describe('apply step keys', () => {
  it('are deterministic and distinct per step', () => {
    const a = [...keyed(empty).values()];
    expect([...keyed(empty).values()]).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    expect(a.every((k) => /^xdv-apply-[0-9a-f]{48}$/.test(k))).toBe(true);
    expect(
      stepKeys(`${FILE}\n`, computePlan(desired, empty, { prune: false })).some((k) => a.includes(k)),
    ).toBe(false);
  });

  it('stay the same for the steps still to do after an interruption, whatever the server ids', () => {
    const first = keyed(empty);
    // The first run created the tenant and the VHM, then died: the re-run names them by id.
    const rerun = keyed(withTenant([vhm('requested', 'vhm-7')], 9));
    expect(rerun.has('create vhm t/a')).toBe(false);
    for (const label of ['validate vhm t/a', 'activate vhm t/a', 'bind K on host-a in t/a'])
      expect(rerun.get(label), label).toBe(first.get(label));
  });

  it('change for a new incarnation of an object (a VHM of the same name after the first was released)', () => {
    const first = keyed(withTenant([]));
    const again = keyed(withTenant([vhm('released')]));
    expect(again.get('create vhm t/a')).toBeDefined();
    expect(again.get('create vhm t/a')).not.toBe(first.get('create vhm t/a'));
    expect(again.get('activate vhm t/a')).not.toBe(first.get('activate vhm t/a'));
  });

  it('maps every planned command to its route', () => {
    expect(routeOf({ type: 'vhm.validate', vhm: 'vhm-3' })).toEqual({
      method: 'POST',
      path: '/v1/vhms/vhm-3/validate',
    });
    expect(
      routeOf({ type: 'binding.activate', vhm: 'vhm-3', capability: 'cap-1', binding: 'binding-2' }),
    ).toEqual({
      method: 'POST',
      path: '/v1/bindings/binding-2/activate',
      body: { capability: 'cap-1' },
    });
    expect(() => routeOf({ type: 'q.job' })).toThrow(/no route/);
  });
});
