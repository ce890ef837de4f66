import { verifyBundle } from '@xdv/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFleet, seedFleet } from './fleet.js';
import { type Api, startApi } from './harness.js';

// The remote verifier's input: GET /v1/trace/export streams a bundle that verifies offline.

let api: Api;
let f: HttpFleet;
beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
});
afterAll(async () => api?.close());

describe('GET /v1/trace/export', () => {
  it('streams an NDJSON bundle of the whole trace that verifies with no server; a tenant gets 403', async () => {
    const r = await fetch(`${api.base}/v1/trace/export`, {
      headers: { authorization: `Bearer ${api.operator}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await r.text()).split('\n').filter(Boolean);
    const header = JSON.parse(lines[0]!) as { kind: string; version: number; entries: number };
    expect(header).toMatchObject({ kind: 'xdv-trace-bundle', version: 1 });
    expect(header.entries).toBeGreaterThan(5);
    const v = await verifyBundle(lines);
    expect(v.firstBad).toBeNull();
    expect(v).toMatchObject({ ok: true, entries: header.entries });
    expect(v.keys.length).toBeGreaterThan(0);

    const t = await api.call<{ type: string; code: string }>('GET', '/v1/trace/export', { token: f.tok1 });
    expect(t.status).toBe(403);
    expect(t.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(t.body.code).toBe('HV_FORBIDDEN');
  });
});
