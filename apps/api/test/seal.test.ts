import { canonicalJson } from '@xdv/core';
import { HEAD_KIND, verifySeal } from '@xdv/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi } from './harness.js';

// The seal at the API edge: the signed head is published, and a break found by any verification
// makes the node unready and refuses every write with HV_TRACE_BROKEN naming the seq.

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

describe('the seal over HTTP', () => {
  it('GET /v1/trace/head returns the newest signed head and the key that signed it; it verifies offline', async () => {
    const r = await api.call<{
      seq: number;
      l: number;
      hash: string;
      key: string;
      signature: string;
      publicKey: string;
      trusted: boolean;
      kind: string;
      node: { fingerprint: string };
    }>('GET', '/v1/trace/head');
    expect(r.status).toBe(200);
    // Signed by whichever node committed it (here: the test template's), trusted through the key table.
    expect(r.body).toMatchObject({ trusted: true, kind: HEAD_KIND });
    expect(r.body.key).toMatch(/^[0-9a-f]{64}$/);
    const body = { seq: r.body.seq, l: r.body.l, hash: r.body.hash };
    expect(verifySeal(HEAD_KIND, body, r.body.signature, r.body.publicKey)).toBe(true);
    expect(verifySeal(HEAD_KIND, { ...body, seq: body.seq + 1 }, r.body.signature, r.body.publicKey)).toBe(
      false,
    );
    expect(canonicalJson(body)).toContain('"hash"');
  });

  it('verify shows the background check; a break found on demand: readyz 503, writes refused, reads work', async () => {
    const v0 = await api.call<{ ok: boolean; background: { done: boolean; checked: number } }>(
      'GET',
      '/v1/trace/verify',
    );
    expect(v0.body.ok).toBe(true);
    expect(v0.body.background.done).toBe(true);
    expect((await api.call('GET', '/readyz', { token: null })).status).toBe(200);
    await api.app.ledger.sql('ALTER TABLE "trace" DISABLE TRIGGER USER');
    await api.app.ledger.sql(
      `UPDATE "trace" SET "text" = replace("text", '"protocol":', '"protocol": ') WHERE "seq" = 2`,
    );
    const v = await api.call<{ ok: boolean; mismatch: { seq: number }; broken: { seq: number } }>(
      'GET',
      '/v1/trace/verify',
    );
    expect(v.body).toMatchObject({ ok: false, mismatch: { seq: 2 }, broken: { seq: 2 } });
    const ready = await api.call<{ ready: boolean; reason: string }>('GET', '/readyz', { token: null });
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toContain('seq 2');
    const w = await api.call<{ code: string }>('POST', '/v1/clock/advance', { body: { ticks: 1 } });
    expect(w.status).toBe(503);
    expect(w.body.code).toBe('HV_TRACE_BROKEN');
    expect((await api.call('GET', '/v1/trace?limit=2')).status).toBe(200);
    const o = await api.call<{ broken: { seq: number } }>('GET', '/v1/overview');
    expect(o.body.broken).toMatchObject({ seq: 2 });
  });
});
