import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downsample } from '../src/downsample.js';
import { fieldChanges } from '../src/fieldDiff.js';
import { bindQ, type HttpFleet, ok, seedFleet, signReport } from './fleet.js';
import { type Api, startApi } from './harness.js';

// Issue 15 §1 and §4 over HTTP: alerts with a lifecycle and acknowledgement, the attention list,
// server-downsampled series, the provider fleet table and a provider's users (scoped per tenant).

let api: Api;
let f: HttpFleet;
let seq = 0;
beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
});
afterAll(async () => api?.close());

async function problem(
  p: Promise<{ status: number; body: unknown; headers: Headers }>,
  status: number,
  code: string,
) {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect((r.body as { code: string }).code).toBe(code);
  return r.body as { code: string; detail: string };
}

async function reportQ(t1: number) {
  const body = signReport(
    { provider: f.q, seq: ++seq, qubits: [{ qubit: 2, t1, t2: 80, fidelity: 9990, readoutError: 100 }] },
    3,
  );
  await ok(api.call('POST', `/v1/providers/${f.q}/reports/q`, { token: f.qProviderToken, body }));
}

interface AlertRow {
  id: string;
  status: string;
  severity: string;
  resolution: string | null;
  ack?: { l: number; note: string };
}

describe('alerts with a lifecycle', () => {
  it('fire, group by subject, acknowledge through the trace, and resolve back in range', async () => {
    await reportQ(10);
    await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } }));
    await reportQ(12);
    const firing = await ok(api.call<{ items: AlertRow[] }>('GET', '/v1/alerts?status=firing'));
    expect(firing.items.map((a) => [a.status, a.severity])).toEqual([
      ['firing', 'warning'],
      ['firing', 'warning'],
    ]);
    const groups = await ok(
      api.call<{ items: Array<{ key: string; firing: number; acknowledged: boolean; firingIds: string[] }> }>(
        'GET',
        '/v1/alerts/groups',
      ),
    );
    expect(groups.items).toHaveLength(1);
    expect(groups.items[0]).toMatchObject({ key: `${f.q}/qubit 2`, firing: 2, acknowledged: false });
    const attention = await ok(api.call<{ items: Array<{ kind: string }> }>('GET', '/v1/attention'));
    expect(attention.items.map((i) => i.kind)).toContain('alert');

    // A tenant cannot acknowledge; an unknown id is a 404 problem; the operator's note is recorded.
    const [first, second] = groups.items[0]!.firingIds as [string, string];
    await problem(
      api.call('POST', `/v1/alerts/${first}/acknowledge`, { token: f.tok1, body: { note: 'seen' } }),
      403,
      'HV_FORBIDDEN',
    );
    await problem(
      api.call('POST', '/v1/alerts/alert-999/acknowledge', { body: { note: 'x' } }),
      404,
      'HV_NOT_FOUND',
    );
    await problem(api.call('POST', `/v1/alerts/${first}/acknowledge`, { body: {} }), 400, 'HV_BAD_REQUEST');
    for (const id of [first, second])
      await ok(api.call('POST', `/v1/alerts/${id}/acknowledge`, { body: { note: 'recalibrating qubit 2' } }));
    await problem(
      api.call('POST', `/v1/alerts/${first}/acknowledge`, { body: { note: 'again' } }),
      409,
      'HV_CONFLICT',
    );
    const trace = await ok(
      api.call<{ items: Array<{ type: string; payload: Record<string, unknown> }> }>(
        'GET',
        '/v1/trace?type=alert.acknowledged&limit=10',
      ),
    );
    expect(trace.items.map((e) => e.payload)).toEqual([
      { alert: first, note: 'recalibrating qubit 2' },
      { alert: second, note: 'recalibrating qubit 2' },
    ]);
    const after = await ok(api.call<{ items: Array<{ kind: string }> }>('GET', '/v1/attention'));
    expect(after.items.map((i) => i.kind)).not.toContain('alert');

    await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } }));
    await reportQ(120);
    const all = await ok(api.call<{ items: AlertRow[] }>('GET', '/v1/alerts'));
    expect(all.items.map((a) => [a.status, a.resolution, a.ack?.note])).toEqual([
      ['resolved', 'back_in_range', 'recalibrating qubit 2'],
      ['resolved', 'back_in_range', 'recalibrating qubit 2'],
    ]);
    expect((await ok(api.call<{ items: unknown[] }>('GET', '/v1/alerts?status=firing'))).items).toEqual([]);
  });
});

describe('metric series downsampled by the server', () => {
  it('buckets samples by L keeping each bucket’s last value, min and max', () => {
    const samples = Array.from({ length: 100 }, (_, l) => ({ l, v: l === 37 ? 5 : 100 + l }));
    const b = downsample(samples, 0, 99, 10);
    expect(b).toHaveLength(10);
    expect(b[3]).toEqual({ l: 39, v: 139, min: 5, max: 139 });
    expect(b.at(-1)).toEqual({ l: 99, v: 199, min: 190, max: 199 });
    // Fewer samples than points: every one, unchanged.
    expect(downsample(samples, 90, 99, 20).map((s) => s.l)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    expect(downsample(samples, 200, 300, 10)).toEqual([]);
  });

  it('serves ?from=&to=&points= on the series route and refuses an inverted range', async () => {
    for (let i = 0; i < 12; i++) {
      await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } }));
      await reportQ(100 + i);
    }
    const l = api.app.ledger.state.l;
    type Series = {
      series: Array<{
        subject: string;
        metric: string;
        samples: Array<{ l: number; v: number; min?: number; max?: number }>;
      }>;
    };
    const full = await ok(api.call<Series>('GET', `/v1/providers/${f.q}/series`));
    const t1 = (s: Series) => s.series.find((x) => x.subject === 'qubit-2' && x.metric === 't1')!.samples;
    expect(t1(full).length).toBeGreaterThan(12);
    const recent = await ok(api.call<Series>('GET', `/v1/providers/${f.q}/series?from=${l - 5}&to=${l}`));
    expect(t1(recent).every((s) => s.l >= l - 5)).toBe(true);
    expect(t1(recent).at(-1)!.v).toBe(111);
    const few = await ok(api.call<Series>('GET', `/v1/providers/${f.q}/series?points=4`));
    expect(t1(few).length).toBeLessThanOrEqual(4);
    expect(Math.min(...t1(few).map((s) => s.min!))).toBe(10);
    expect(t1(few).at(-1)!.v).toBe(111);
    await problem(api.call('GET', `/v1/providers/${f.q}/series?from=9&to=3`), 400, 'HV_BAD_REQUEST');
    await problem(api.call('GET', `/v1/providers/${f.q}/series?points=1`), 400, 'HV_BAD_REQUEST');
  });
});

describe('the provider fleet and its users', () => {
  it('lists every provider with calibration, capacity in use and active contracts', async () => {
    const q = await bindQ(api, f, 3);
    const fleet = await ok(
      api.call<{
        items: Array<{
          id: string;
          activeContracts: number;
          calibration: { valid: boolean } | null;
          allocated: { qubits: number };
        }>;
      }>('GET', '/v1/fleet'),
    );
    const row = fleet.items.find((r) => r.id === f.q)!;
    expect(row.calibration).toMatchObject({ valid: true });
    expect(row.activeContracts).toBeGreaterThanOrEqual(1);
    expect(row.allocated.qubits).toBeGreaterThanOrEqual(3);
    expect(fleet.items.find((r) => r.id === f.k)!.calibration).toBeNull();
    // The tenant that holds nothing on it counts nothing.
    const other = await ok(
      api.call<{ items: Array<{ id: string; activeContracts: number; allocated: { qubits: number } }> }>(
        'GET',
        '/v1/fleet',
        {
          token: f.tok2,
        },
      ),
    );
    expect(other.items.find((r) => r.id === f.q)).toMatchObject({
      activeContracts: 0,
      allocated: { qubits: 0 },
    });

    type Usage = { vhms: Array<{ id: string }>; contracts: Array<{ id: string; vhm: string }> };
    const mine = await ok(api.call<Usage>('GET', `/v1/providers/${f.q}/usage`, { token: f.tok1 }));
    expect(mine.contracts.map((c) => c.id)).toContain(q.contract);
    expect(mine.vhms.map((v) => v.id)).toEqual([f.vhm]);
    const op = await ok(api.call<Usage>('GET', `/v1/providers/${f.q}/usage`));
    expect(op.contracts.map((c) => c.id)).toContain(q.contract);
    // Another tenant sees the shared provider, and none of the first tenant's users of it.
    const theirs = await ok(api.call<Usage>('GET', `/v1/providers/${f.q}/usage`, { token: f.tok2 }));
    expect(theirs).toEqual({ provider: f.q, vhms: [], contracts: [] });
    const missing = await problem(
      api.call('GET', '/v1/providers/provider-99/usage', { token: f.tok2 }),
      404,
      'HV_NOT_FOUND',
    );
    expect(missing.detail).toBe('Provider provider-99 does not exist.');
  });
});

describe('the replay diff, field by field', () => {
  it('names each changed field with its value before and after', () => {
    const a = { id: 'vhm-1', state: 'active', used: { qubits: 2, cpu: 1 }, contracts: ['contract-1'] };
    const b = {
      id: 'vhm-1',
      state: 'paused',
      used: { qubits: 6, cpu: 1 },
      contracts: ['contract-1', 'contract-2'],
    };
    expect(fieldChanges(a, b)).toEqual([
      { path: 'contracts', before: '["contract-1"]', after: '["contract-1","contract-2"]' },
      { path: 'state', before: 'active', after: 'paused' },
      { path: 'used.qubits', before: 2, after: 6 },
    ]);
    expect(fieldChanges(a, a)).toEqual([]);
  });

  it('serves the fields of every changed object on /v1/replay/diff', async () => {
    const from = api.app.ledger.state.l;
    await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } }));
    await ok(api.call('POST', `/v1/vhms/${f.vhm}/pause`, { token: f.tok1 }));
    await ok(api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } }));
    const to = api.app.ledger.state.l;
    const d = await ok(
      api.call<{
        changes: Record<
          string,
          {
            changed: string[];
            fields: Record<string, Array<{ path: string; before: unknown; after: unknown }>>;
          }
        >;
      }>('GET', `/v1/replay/diff?from=${from}&to=${to}`, { token: f.tok1 }),
    );
    expect(d.changes.vhms!.changed).toContain(f.vhm);
    expect(d.changes.vhms!.fields[f.vhm]).toContainEqual({
      path: 'state',
      before: 'active',
      after: 'paused',
    });
    await ok(api.call('POST', `/v1/vhms/${f.vhm}/resume`, { token: f.tok1 }));
  });
});
