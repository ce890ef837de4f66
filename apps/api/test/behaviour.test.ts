import { checkAll } from '@xdv/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type HttpFleet, ok, seedFleet } from './fleet.js';
import { type Api, pgUrl, startApi } from './harness.js';

let api: Api;
let f: HttpFleet;

beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
});
afterAll(async () => api?.close());

describe('idempotency', () => {
  it('returns the first response for a retried key and appends nothing; a reused key with another body is refused', async () => {
    const body = { name: 'idem', quota: { qubits: 1 } };
    const h = { 'idempotency-key': 'create-idem-1' };
    const first = await api.call<{ created: { vhm: string } }>('POST', '/v1/vhms', {
      token: f.tok1,
      body,
      headers: h,
    });
    expect(first.status).toBe(201);
    const seq = api.app.ledger.state.seq;
    const again = await api.call<{ created: { vhm: string } }>('POST', '/v1/vhms', {
      token: f.tok1,
      body,
      headers: h,
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(api.app.ledger.state.seq).toBe(seq);
    const other = await api.call<{ code: string }>('POST', '/v1/vhms', {
      token: f.tok1,
      body: { ...body, name: 'idem2' },
      headers: h,
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('HV_IDEMPOTENCY_MISMATCH');
    // A rejection is remembered too.
    const bad = { name: 'huge', quota: { qubits: 999 } };
    const r1 = await api.call('POST', '/v1/vhms', {
      token: f.tok1,
      body: bad,
      headers: { 'idempotency-key': 'k2' },
    });
    const seq2 = api.app.ledger.state.seq;
    const r2 = await api.call('POST', '/v1/vhms', {
      token: f.tok1,
      body: bad,
      headers: { 'idempotency-key': 'k2' },
    });
    expect(r2.status).toBe(r1.status);
    expect(r2.body).toEqual(r1.body);
    expect(api.app.ledger.state.seq).toBe(seq2);
  });
});

describe('exactly once', () => {
  it('50 concurrent requests with one key execute once and all receive the first answer', async () => {
    const seq = api.app.ledger.state.seq;
    const vhms = Object.keys(api.app.ledger.state.vhms).length;
    const rs = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.call<{ created: { vhm: string } }>('POST', '/v1/vhms', {
          token: f.tok1,
          body: { name: 'once', quota: {} },
          headers: { 'idempotency-key': 'once-50' },
        }),
      ),
    );
    expect(new Set(rs.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(rs.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(rs.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(Object.keys(api.app.ledger.state.vhms).length).toBe(vhms + 1);
    // One command group: the command and its effects, nothing else.
    const added = await api.app.ledger.entries({ afterSeq: seq, limit: 100 });
    expect(added.filter((e) => e.outcome !== 'effect')).toHaveLength(1);
    // The same key with another body, even while the first is in flight, is refused.
    const [a, b] = await Promise.all([
      api.call('POST', '/v1/vhms', {
        token: f.tok1,
        body: { name: 'x1', quota: {} },
        headers: { 'idempotency-key': 'race-2' },
      }),
      api.call<{ code: string }>('POST', '/v1/vhms', {
        token: f.tok1,
        body: { name: 'x2', quota: {} },
        headers: { 'idempotency-key': 'race-2' },
      }),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(422);
    expect(b.body.code).toBe('HV_IDEMPOTENCY_MISMATCH');
  });

  it('a retry after the answer was lost (committed, never sent) gets the committed answer', async () => {
    // The answer is stored with the batch: reading it back needs no reply ever to have been sent.
    const ledger = api.app.ledger;
    const token = (await api.app.tokens.findBySecret(f.tok1))!;
    const cmd = {
      type: 'vhm.create',
      tenant: f.t1,
      name: 'lost',
      quota: { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0 },
      parent: null,
      capability: null,
      actor: { kind: 'tenant', tenant: f.t1, role: 'admin' },
    } as const;
    // Simulate the process dying between COMMIT and the reply: commit through the ledger, drop the answer.
    const committed = await ledger.submitOnce(cmd as never, {
      principal: token.id,
      key: 'lost-1',
      requestHash: 'h',
      respond: (r) => ({ status: 201, body: JSON.stringify({ seq: r.entries[0]!.seq }) }),
    });
    expect(committed.replayed).toBe(false);
    const seq = ledger.state.seq;
    const retry = await ledger.submitOnce(cmd as never, {
      principal: token.id,
      key: 'lost-1',
      requestHash: 'h',
      respond: () => {
        throw new Error('must not execute again');
      },
    });
    expect(retry).toEqual({ ...committed, replayed: true });
    expect(ledger.state.seq).toBe(seq);
  });
});

describe('conflicting allocations', () => {
  it('grants exactly 50 of 200 concurrent requests for 50 free qubits, and conservation holds', async () => {
    // A tenant with room for all of them, and a provider with exactly 50 free qubits.
    const t = (
      await ok(
        api.call<{ created: { tenant: string } }>('POST', '/v1/tenants', {
          body: { name: 'race', quota: { vhms: 1, qubits: 1000 } },
        }),
      )
    ).created.tenant;
    const tok = (
      await ok(
        api.call<{ secret: string }>('POST', '/v1/tokens', {
          body: { kind: 'tenant', tenant: t, label: 'race' },
        }),
      )
    ).secret;
    const v = await ok(
      api.call<{ created: { vhm: string; capability: string } }>('POST', '/v1/vhms', {
        token: tok,
        body: { name: 'racer', quota: { qubits: 1000 } },
      }),
    );
    await ok(api.call('POST', `/v1/vhms/${v.created.vhm}/validate`, { token: tok }));
    await ok(api.call('POST', `/v1/vhms/${v.created.vhm}/activate`, { token: tok }));
    const free =
      api.app.ledger.state.providers[f.q]!.capacity.qubits -
      api.app.ledger.state.providers[f.q]!.allocated.qubits;
    expect(free).toBe(50);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        api.call<{ code?: string }>('POST', `/v1/vhms/${v.created.vhm}/contracts`, {
          token: tok,
          body: {
            capability: v.created.capability,
            domain: 'Q',
            provider: f.q,
            q: { qubits: 1, budget: 1, calibration: f.cal },
          },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(50);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 409 && r.body.code === 'Q_ERR_RESOURCE_UNAVAILABLE')).toBe(true);
    expect(api.app.ledger.state.providers[f.q]!.allocated.qubits).toBe(50);
    expect(checkAll(api.app.ledger.state)).toEqual([]);
    expect((await api.call<{ ok: boolean }>('GET', '/v1/trace/verify')).body.ok).toBe(true);
  });
});

/** Read SSE events from the stream until `count` entries arrived, then disconnect. */
async function readStream(
  base: string,
  token: string,
  count: number,
  lastEventId?: string,
): Promise<number[]> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}/v1/trace/stream`, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
    signal: ctrl.signal,
  });
  expect(
    res.headers.get('content-type'),
    `${res.status} ${res.status === 200 ? '' : await res.text()}`,
  ).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const seqs: number[] = [];
  let buf = '';
  const dec = new TextDecoder();
  while (seqs.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i = buf.indexOf('\n\n');
    while (i >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const id = /^id: (\d+)$/m.exec(block);
      if (id && /^event: entry$/m.exec(block)) seqs.push(Number(id[1]));
      i = buf.indexOf('\n\n');
    }
  }
  ctrl.abort();
  return seqs;
}

describe('live stream', () => {
  it('resumes from Last-Event-ID with no gap and no duplicate, across concurrent writes', async () => {
    const start = api.app.ledger.state.seq;
    const write = async (n: number) => {
      for (let i = 0; i < n; i++) await api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } });
    };
    // Each clock.advance appends 2 entries (command + effect).
    const reading = readStream(api.base, api.operator, 10, String(start));
    await write(5);
    const first = await reading;
    expect(first).toEqual(Array.from({ length: 10 }, (_, i) => start + 1 + i));
    const writing = write(10);
    const second = await readStream(api.base, api.operator, 20, String(first.at(-1)));
    await writing;
    expect(second).toEqual(Array.from({ length: 20 }, (_, i) => first.at(-1)! + 1 + i));
  });

  it('sends its headers at once, before any entry exists to send', async () => {
    // A client (or a proxy) must see the stream open even when nothing is committed for a while.
    const ctrl = new AbortController();
    const res = await fetch(`${api.base}/v1/trace/stream?after=${api.app.ledger.state.seq}`, {
      headers: { authorization: `Bearer ${api.operator}`, accept: 'text/event-stream' },
      signal: ctrl.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    ctrl.abort();
  });

  it('streams only the tenant’s own entries to a tenant', async () => {
    const start = api.app.ledger.state.seq;
    const reading = readStream(api.base, f.tok2, 2, String(start));
    await api.call('POST', `/v1/vhms/${f.vhm}/pause`, { token: f.tok1 });
    await api.call('POST', `/v1/vhms/${f.vhm}/resume`, { token: f.tok1 });
    await api.call('POST', '/v1/vhms', { token: f.tok2, body: { name: 'seen', quota: {} } });
    const seqs = await reading;
    const entries = await api.app.ledger.entries({ afterSeq: start, limit: 100 });
    for (const s of seqs) expect(entries.find((e) => e.seq === s)!.tenant).toBe(f.t2);
  });
});

describe('the clock on the stream', () => {
  it('tells a tenant that L moved without showing it the tick entries', async () => {
    const api2 = await startApi();
    try {
      const f2 = await seedFleet(api2);
      const ctrl = new AbortController();
      const res = await fetch(`${api2.base}/v1/trace/stream`, {
        headers: { authorization: `Bearer ${f2.tok2}`, accept: 'text/event-stream' },
        signal: ctrl.signal,
      });
      const reader = res.body!.getReader();
      await api2.call('POST', '/v1/clock/advance', { body: { ticks: 3 } });
      const l = api2.app.ledger.state.l;
      let text = '';
      const dec = new TextDecoder();
      while (!text.includes(`"l":${l}`)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
      ctrl.abort();
      expect(text).toContain(`event: clock\ndata: {"l":${l}}`);
      // No tick entry (and nothing else of it) reached the tenant.
      expect(text).not.toContain('clock.advance');
    } finally {
      await api2.close();
    }
  });
});

/** A second API process on the same PostgreSQL schema as `a`, listening on its own port. */
async function secondProcess(a: Api, tokenCacheMs?: number) {
  const { openApp } = await import('../src/app.js');
  const { configWith } = await import('../src/config.js');
  const app = await openApp(
    configWith({ port: 0, dataDir: '', rateLimit: 0, webDir: '/nonexistent', logLevel: 'warn' }),
    {
      logger: false,
      ledger: { databaseUrl: pgUrl!, schema: a.schema, followPollMs: 100 },
      ...(tokenCacheMs ? { tokenCacheMs } : {}),
    },
  );
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.server.address() as { port: number }).port}` };
}

describe.runIf(pgUrl)('two API processes on one PostgreSQL', () => {
  it('a token revoked through one process stops working on the other at once, not when its cached lookup expires', async () => {
    const a = await startApi({ backend: 'pg' });
    try {
      const fa = await seedFleet(a);
      // The other process caches lookups for an hour: only the revocation notice can clear it.
      const { app: b, base: bBase } = await secondProcess(a, 3_600_000);
      try {
        const minted = await ok(
          a.call<{ token: { id: string }; secret: string }>('POST', '/v1/tokens', {
            body: { kind: 'tenant', tenant: fa.t1, role: 'viewer', label: 'leaked' },
          }),
        );
        const read = () =>
          fetch(`${bBase}/v1/vhms`, { headers: { authorization: `Bearer ${minted.secret}` } });
        expect((await read()).status).toBe(200); // now cached on b
        await ok(a.call('POST', `/v1/tokens/${minted.token.id}/revoke`));
        await vi.waitFor(async () => expect((await read()).status).toBe(401), {
          timeout: 20_000,
          interval: 50,
        });
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });

  it('one Idempotency-Key sent to both at once executes once; a retry on the other process after the first answered gets the stored answer', async () => {
    const a = await startApi({ backend: 'pg' });
    try {
      const fa = await seedFleet(a);
      const { app: b, base: bBase } = await secondProcess(a);
      try {
        const post = (base: string, key: string) =>
          fetch(`${base}/v1/vhms`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${fa.tok1}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify({ name: `twice-${key}`, quota: {} }),
          }).then(async (r) => ({ status: r.status, body: await r.text() }));
        for (const key of ['k-a', 'k-b', 'k-c']) {
          const rs = await Promise.all(
            Array.from({ length: 10 }, (_, i) => post(i % 2 ? a.base : bBase, key)),
          );
          expect(new Set(rs.map((r) => r.status))).toEqual(new Set([201]));
          expect(new Set(rs.map((r) => r.body)).size).toBe(1);
        }
        for (let i = 0; i < 50 && a.app.ledger.state.seq !== b.ledger.state.seq; i++)
          await new Promise((r) => setTimeout(r, 100));
        const names = Object.values(a.app.ledger.state.vhms).map((v) => v.name);
        for (const key of ['k-a', 'k-b', 'k-c'])
          expect(names.filter((n) => n === `twice-${key}`)).toHaveLength(1);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });

  it('converge on the same state hash under mixed writes from both', async () => {
    const { stateHash } = await import('@xdv/core');
    const { nodeSha256 } = await import('@xdv/core/node');
    const a = await startApi({ backend: 'pg' });
    try {
      const fa = await seedFleet(a);
      const { app: b, base: bBase } = await secondProcess(a);
      try {
        const post = (base: string, path: string, token: string, body: unknown) =>
          fetch(base + path, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const reqs: Array<Promise<Response>> = [];
        for (let i = 0; i < 40; i++) {
          const base = i % 2 === 0 ? a.base : bBase;
          reqs.push(
            post(base, `/v1/vhms/${fa.vhm}/contracts`, fa.tok1, {
              capability: fa.root,
              domain: 'Q',
              provider: fa.q,
              q: { qubits: 3, budget: 5, calibration: fa.cal },
            }),
          );
          reqs.push(post(base, '/v1/clock/advance', a.operator, { ticks: 1 }));
        }
        const statuses = (await Promise.all(reqs)).map((r) => r.status);
        expect(statuses.filter((s) => s !== 200 && s !== 201 && s !== 409)).toEqual([]);
        for (let i = 0; i < 50 && a.app.ledger.state.seq !== b.ledger.state.seq; i++)
          await new Promise((r) => setTimeout(r, 100));
        expect(b.ledger.state.seq).toBe(a.app.ledger.state.seq);
        expect(stateHash(b.ledger.state, nodeSha256)).toBe(stateHash(a.app.ledger.state, nodeSha256));
        expect(checkAll(a.app.ledger.state)).toEqual([]);
        expect(a.app.ledger.state.providers[fa.q]!.allocated.qubits).toBeLessThanOrEqual(50);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });
});
