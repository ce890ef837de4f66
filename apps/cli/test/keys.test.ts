import { describe, expect, it } from 'vitest';
import type { PlanStepSpec } from '../src/apply/diff.js';
import { routeOf, stepKeys } from '../src/apply/run.js';

// The Idempotency-Keys of an apply: the same file and plan give the same keys (a re-run sends the
// very keys the interrupted run sent), another file or another step gives another key.

const steps: PlanStepSpec[] = [
  { label: 'create tenant t', command: { type: 'tenant.create', name: 't', quota: {} }, generation: 0 },
  {
    label: 'create vhm t/a',
    command: { type: 'vhm.create', tenant: { $ref: '0.tenant' }, name: 'a' },
    generation: 0,
  },
  { label: 'validate vhm t/a', command: { type: 'vhm.validate', vhm: { $ref: '1.vhm' } } },
  { label: 'pause vhm-9', command: { type: 'vhm.pause', vhm: 'vhm-9' } },
];

describe('apply step keys', () => {
  it('are deterministic, distinct per step, and change with the file', () => {
    const a = stepKeys('file: 1', steps, 7);
    expect(stepKeys('file: 1', steps, 7)).toEqual(a);
    expect(new Set(a).size).toBe(steps.length);
    expect(a.every((k) => /^xdv-apply-[0-9a-f]{48}$/.test(k))).toBe(true);
    expect(stepKeys('file: 2', steps, 7).some((k, i) => k === a[i])).toBe(false);
  });

  it('key creates and what they make by file and generation alone; steps on existing objects also by L', () => {
    const later = stepKeys('file: 1', steps, 8);
    const now = stepKeys('file: 1', steps, 7);
    expect(later.slice(0, 3)).toEqual(now.slice(0, 3));
    expect(later[3]).not.toBe(now[3]);
    // A VHM of the same name created again after the first was released is a new object: a new key.
    const again = stepKeys('file: 1', [steps[0]!, { ...steps[1]!, generation: 1 }], 7);
    expect(again[1]).not.toBe(now[1]);
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
