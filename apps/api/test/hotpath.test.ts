import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Actor, scopeState } from '@xdv/core';
import type { Ledger } from '@xdv/db';
import type { FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenStore } from '../src/adapters.js';
import { HELMET_OPTIONS } from '../src/headers.js';
import { visible } from '../src/routes/read.js';
import { bindQ, type HttpFleet, ok, seedFleet } from './fleet.js';
import { type Api, startApi } from './harness.js';

// The cheap request path keeps every property of the expensive one: helmet's headers on every
// answer, a revoked token refused at once, request metrics counted, a read's cached body and ETag
// following every change of its object.

let api: Api;
let f: HttpFleet;
beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
});
afterAll(async () => api?.close());

/** A raw request: status, headers and body as sent (the SSE stream is cut after its headers). */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const url = new URL(api.base + path);
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((res, rej) => {
    const r = request(
      { method, host: url.hostname, port: url.port, path: url.pathname + url.search, headers },
      (rs) => {
        if (String(rs.headers['content-type']).startsWith('text/event-stream')) {
          res({ status: rs.statusCode!, headers: rs.headers, body: '' });
          rs.destroy();
          return;
        }
        let text = '';
        rs.setEncoding('utf8');
        rs.on('data', (c: string) => {
          text += c;
        });
        rs.on('end', () => res({ status: rs.statusCode!, headers: rs.headers, body: text }));
      },
    );
    r.on('error', rej);
    r.end(body);
  });
}

describe('security headers', () => {
  let oracle: Server;
  let expected: IncomingMessage['headers'];
  beforeAll(async () => {
    // helmet itself, run per request as middleware, with the API's options: what every answer must carry.
    const mw = helmet(HELMET_OPTIONS);
    oracle = createServer((req, res) => mw(req, res, () => res.end('ok')));
    await new Promise<void>((r) => oracle.listen(0, '127.0.0.1', r));
    const port = (oracle.address() as AddressInfo).port;
    expected = await new Promise((res, rej) =>
      request({ host: '127.0.0.1', port }, (rs) => {
        rs.resume();
        res(rs.headers);
      })
        .on('error', rej)
        .end(),
    );
    for (const h of ['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'])
      delete expected[h];
  });
  afterAll(() => new Promise<void>((r) => oracle.close(() => r())));

  it("every kind of answer carries helmet's headers with helmet's values", async () => {
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(10);
    const auth = { authorization: `Bearer ${api.operator}` };
    const answers = {
      'a read': await raw('GET', `/v1/vhms/${f.vhm}`, auth),
      'a 304': await raw('GET', `/v1/vhms/${f.vhm}`, {
        ...auth,
        'if-none-match': (await raw('GET', `/v1/vhms/${f.vhm}`, auth)).headers.etag as string,
      }),
      'a list': await raw('GET', '/v1/vhms', auth),
      'a missing object': await raw('GET', '/v1/vhms/vhm-999999', auth),
      'no token': await raw('GET', `/v1/vhms/${f.vhm}`),
      'an unknown /v1 path': await raw('GET', '/v1/no-such-thing', auth),
      'an unknown path': await raw('GET', '/no-such-thing'),
      'a method not allowed': await raw('DELETE', '/v1/vhms', auth),
      'a bad body': await raw('POST', '/v1/tenants', { ...auth, 'content-type': 'application/json' }, '{'),
      'a dry run': await raw(
        'POST',
        `/v1/vhms/${f.vhm}/pause?dryRun=true`,
        { ...auth, 'content-type': 'application/json' },
        '{}',
      ),
      health: await raw('GET', '/healthz'),
      metrics: await raw('GET', '/metrics'),
      'the OpenAPI document': await raw('GET', '/openapi.json'),
      'the event stream': await raw('GET', '/v1/trace/stream', { ...auth, accept: 'text/event-stream' }),
    };
    for (const [what, r] of Object.entries(answers))
      for (const [name, value] of Object.entries(expected))
        expect(r.headers[name], `${what} (${r.status}): ${name}`).toBe(value);
    expect(answers['a read'].status).toBe(200);
    expect(answers['a 304'].status).toBe(304);
    expect(answers['the event stream'].status).toBe(200);
  });
});

describe('tokens', () => {
  it('a revoked token is refused on its very next request, though its last answer was cached', async () => {
    const minted = await api.call<{ token: { id: string }; secret: string }>('POST', '/v1/tokens', {
      body: { kind: 'tenant', tenant: f.t1, role: 'viewer', label: 'soon revoked' },
    });
    expect(minted.status).toBe(201);
    const secret = minted.body.secret;
    for (let i = 0; i < 3; i++)
      expect((await api.call('GET', `/v1/vhms/${f.vhm}`, { token: secret })).status).toBe(200);
    expect(api.app.tokens.cached?.(secret)?.id).toBe(minted.body.token.id);
    await ok(api.call('POST', `/v1/tokens/${minted.body.token.id}/revoke`));
    const r = await api.call<{ code: string }>('GET', `/v1/vhms/${f.vhm}`, { token: secret });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('HV_UNAUTHENTICATED');
  });

  it('a lookup in flight when a token is revoked does not leave the old answer cached', async () => {
    // A store over a database whose lookup answers only when told to: it read the row before the
    // revocation and answers after it.
    const row = {
      id: 'tok-1',
      principal: 'operator',
      tenant: null,
      role: null,
      provider: null,
      label: 'raced',
      revokedAt: null,
      createdAt: new Date(0),
      lastUsedAt: null,
      expiresAt: null,
    };
    let answer: (r: typeof row) => void = () => {};
    const ledger = {
      tokens: {
        find: () => new Promise<typeof row>((r) => (answer = r)),
        revoke: async () => true,
        onRevoked: async () => async () => {},
      },
    } as unknown as Ledger;
    const store = tokenStore(ledger);
    const lookup = store.findBySecret('xdv_raced');
    await store.revoke('tok-1');
    answer(row);
    expect((await lookup)?.id).toBe('tok-1');
    // The answer predates the revocation: the next request must look the token up again.
    expect(store.cached?.('xdv_raced')).toBeUndefined();
  });
});

describe('request metrics', () => {
  const sample = (text: string, line: string) => {
    const m = text.split('\n').find((l) => l.startsWith(`${line} `));
    return m === undefined ? 0 : Number(m.slice(line.length + 1));
  };

  it('counts each request once, by method, route and status, with its latency', async () => {
    const route = '/v1/vhms/:vhm';
    const before = await (await fetch(`${api.base}/metrics`)).text();
    const auth = { authorization: `Bearer ${api.operator}` };
    for (let i = 0; i < 5; i++) expect((await raw('GET', `/v1/vhms/${f.vhm}`, auth)).status).toBe(200);
    expect((await raw('GET', '/v1/vhms/vhm-999999', auth)).status).toBe(404);
    expect((await raw('HEAD', `/v1/vhms/${f.vhm}`, auth)).status).toBe(200);
    expect((await raw('GET', '/no-such-thing')).status).toBe(404);
    const after = await (await fetch(`${api.base}/metrics`)).text();
    const delta = (line: string) => sample(after, line) - sample(before, line);
    const get = `method="GET",route="${route}"`;
    expect(delta(`xdv_http_requests_total{${get},status="200"}`)).toBe(5);
    expect(delta(`xdv_http_requests_total{${get},status="404"}`)).toBe(1);
    expect(delta(`xdv_http_requests_total{method="HEAD",route="${route}",status="200"}`)).toBe(1);
    expect(delta('xdv_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(after).toMatch(/^# TYPE xdv_http_requests_total counter$/m);
    expect(after).toMatch(/^# TYPE xdv_http_request_duration_seconds histogram$/m);
    // The histogram: cumulative buckets, +Inf equal to the count, a positive sum.
    expect(delta(`xdv_http_request_duration_seconds_count{${get}}`)).toBe(6);
    expect(delta(`xdv_http_request_duration_seconds_bucket{le="+Inf",${get}}`)).toBe(6);
    const buckets = ['0.001', '0.005', '0.01', '0.025', '0.05', '0.1', '0.5', '1'].map((le) =>
      sample(after, `xdv_http_request_duration_seconds_bucket{le="${le}",${get}}`),
    );
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
    expect(buckets.at(-1)).toBeLessThanOrEqual(
      sample(after, `xdv_http_request_duration_seconds_count{${get}}`),
    );
    expect(sample(after, `xdv_http_request_duration_seconds_sum{${get}}`)).toBeGreaterThan(0);
  });
});

describe('reads', () => {
  it("a read's cached body and ETag follow every change of its object, and a 304 carries no body", async () => {
    const read = () =>
      api.call<{ state: string; name: string }>('GET', `/v1/vhms/${f.vhm}`, { token: f.tok1 });
    const a = await read();
    const b = await read();
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
    expect(b.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // The body is the route's schema serialisation: the same object, key for key.
    expect(a.body).toEqual(JSON.parse(JSON.stringify(api.app.ledger.state.vhms[f.vhm])));
    const nm = await raw('GET', `/v1/vhms/${f.vhm}`, {
      authorization: `Bearer ${f.tok1}`,
      'if-none-match': a.headers.get('etag')!,
    });
    expect(nm.status).toBe(304);
    expect(nm.body).toBe('');
    const next = a.body.state === 'active' ? 'pause' : 'resume';
    await ok(api.call('POST', `/v1/vhms/${f.vhm}/${next}`, { token: f.tok1 }));
    const c = await read();
    expect(c.body.state).not.toBe(a.body.state);
    expect(c.body).toEqual(JSON.parse(JSON.stringify(api.app.ledger.state.vhms[f.vhm])));
    expect(c.headers.get('etag')).not.toBe(a.headers.get('etag'));
    // Another tenant still cannot read it, cached or not.
    expect((await api.call('GET', `/v1/vhms/${f.vhm}`, { token: f.tok2 })).status).toBe(404);
    // Back as it was, for the tests after this one.
    await ok(
      api.call('POST', `/v1/vhms/${f.vhm}/${next === 'pause' ? 'resume' : 'pause'}`, { token: f.tok1 }),
    );
  });
});

describe('single-object reads without the scoped view', () => {
  it('find exactly what the caller’s scoped view holds, for every VHM, contract and binding and every kind of caller', async () => {
    await bindQ(api, f);
    const state = api.app.ledger.state;
    const actors: Actor[] = [
      { kind: 'operator' },
      { kind: 'tenant', tenant: f.t1, role: 'admin' },
      { kind: 'tenant', tenant: f.t2, role: 'viewer' },
      { kind: 'provider', name: 'qpu-1' },
    ];
    const kinds = { vhms: 'VHM', contracts: 'Contract', bindings: 'Binding' } as const;
    let seen = 0;
    for (const actor of actors) {
      const req = { principal: { actor } } as unknown as FastifyRequest;
      const scoped = scopeState(state, actor);
      for (const c of ['vhms', 'contracts', 'bindings'] as const) {
        const ids = Object.keys(state[c]);
        expect(ids.length, c).toBeGreaterThan(0);
        for (const id of [...ids, `${c.slice(0, -1)}-999999`]) {
          const want = Object.hasOwn(scoped[c], id) ? scoped[c][id] : undefined;
          let got: unknown;
          try {
            got = visible(api.app.ledger, req, c, id, kinds[c]);
          } catch (e) {
            expect((e as { code: string }).code).toBe('HV_NOT_FOUND');
            expect((e as Error).message).toBe(`${kinds[c]} ${id} does not exist.`);
          }
          expect(got, `${actor.kind} ${c} ${id}`).toBe(want);
          if (want !== undefined) seen++;
        }
      }
    }
    expect(seen).toBeGreaterThan(3);
  });
});
