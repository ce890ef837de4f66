import { createRequire } from 'node:module';
import { createXdvClient, type SseEvent, XdvProblem } from '@xdv/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi } from './harness.js';

// @xdv/client against a real server: typed calls, every error answer as an XdvProblem with its
// stable code, the published signing vector registering and reporting end to end, and the stream
// resuming after Last-Event-ID.

// The published vector (packages/client/test-vectors/signing.json), as an outside provider gets it.
const vector = createRequire(import.meta.url)('@xdv/client/test-vectors/signing.json');

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

async function problemOf(p: Promise<unknown>): Promise<XdvProblem> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(XdvProblem);
  return e as XdvProblem;
}

describe('@xdv/client against the server', () => {
  it('registers the signing vector and posts its report; a replayed seq is refused by the sequence rule', async () => {
    const xdv = createXdvClient({ baseUrl: api.base, token: api.operator });
    const reg = await xdv.POST('/v1/providers', {
      body: { registration: vector.registration.payload, signature: vector.registration.signature },
    });
    expect(reg.created.provider).toBe('provider-1');
    await xdv.POST('/v1/providers/{provider}/calibrations', {
      params: { path: { provider: 'provider-1' } },
      body: { from: 0, until: 100 },
    });
    const body = { report: vector.report.payload, signature: vector.report.signature };
    const path = { provider: 'provider-1' };
    const ok = await xdv.POST('/v1/providers/{provider}/reports/q', { params: { path }, body });
    expect(ok.entries.map((e) => e.type)).toContain('q.metrics.reported');
    const again = await problemOf(xdv.POST('/v1/providers/{provider}/reports/q', { params: { path }, body }));
    expect([again.status, again.code, again.params.reason]).toEqual([409, 'HV_CONFLICT', 'report_replayed']);
    const work = await xdv.GET('/v1/providers/{provider}/workload', { params: { path } });
    expect(work.provider.lastReportSeq).toBe(1);
  });

  it('answers typed data, and every error as an XdvProblem with status, code, title, detail and params', async () => {
    const xdv = createXdvClient({ baseUrl: `${api.base}/`, token: api.operator });
    const clock = await xdv.GET('/v1/clock');
    expect(Number.isInteger(clock.l)).toBe(true);
    const t = await xdv.POST('/v1/tenants', {
      body: { name: 'acme', quota: { vhms: 2, memory: 1024, cpu: 2, qubits: 0, envelopes: 0 } },
    });
    expect(t.created.tenant).toMatch(/^tenant-\d+$/);

    const missing = await problemOf(xdv.GET('/v1/vhms/{vhm}', { params: { path: { vhm: 'vhm-404' } } }));
    expect([missing.status, missing.code]).toEqual([404, 'HV_NOT_FOUND']);
    expect(missing.title.length).toBeGreaterThan(0);
    expect(missing.detail).toContain('vhm-404');

    const bad = await problemOf(
      xdv.POST('/v1/tenants', { body: { name: '', quota: { vhms: -1 } } as never }),
    );
    expect([bad.status, bad.code]).toEqual([400, 'HV_BAD_REQUEST']);

    const anonymous = createXdvClient({ baseUrl: api.base });
    const unauth = await problemOf(anonymous.GET('/v1/clock'));
    expect([unauth.status, unauth.code]).toEqual([401, 'HV_UNAUTHENTICATED']);

    // The raw openapi-fetch client answers the same problem as `error`, without throwing.
    const raw = await xdv.raw.GET('/v1/vhms/{vhm}', { params: { path: { vhm: 'vhm-404' } } });
    expect(raw.response.status).toBe(404);
    expect(raw.error?.code).toBe('HV_NOT_FOUND');
  });

  it('streams trace entries with the token in a header, and resumes after Last-Event-ID', async () => {
    const xdv = createXdvClient({ baseUrl: api.base, token: api.operator });
    await xdv.POST('/v1/clock/advance', { body: { ticks: 1 } });
    const first = await collect(xdv, '0', 3);
    expect(first.map((e) => Number(e.id))).toEqual([1, 2, 3]);
    const resumed = await collect(xdv, '2', 2);
    expect(resumed.map((e) => Number(e.id))).toEqual([3, 4]);
    expect(resumed[0]!.data).toBe(first[2]!.data);
  });
});

function collect(xdv: ReturnType<typeof createXdvClient>, after: string, n: number): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const got: SseEvent[] = [];
    const close = xdv.stream({
      lastEventId: after,
      onEvent: (ev) => {
        if (ev.event !== 'entry') return;
        got.push(ev);
        if (got.length === n) {
          close();
          resolve(got);
        }
      },
      onStatus: (s) => {
        if (s === 'offline') reject(new Error('the stream went offline'));
      },
    });
  });
}
