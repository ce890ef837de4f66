import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from '../src/errors.js';
import { ok } from './fleet.js';
import { type Api, startApi } from './harness.js';

// The OpenAPI document is what a generator and a person rely on: every operation described with
// examples, every error declared as the problem+json the server sends, with the codes it can send.
// Then the server is probed for every kind of error: each answers problem+json, and a documented
// operation's code is one its document declares for that status.

interface Media {
  schema?: { allOf?: [{ $ref: string }, { properties: { code: { enum: string[] } } }] };
  example?: unknown;
}
interface Op {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description: string; content?: Record<string, Media> }>;
}
interface Doc {
  info: { contact?: { name?: string; url?: string }; license?: unknown };
  servers?: { url: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, { properties: { code: { enum: string[] } } }> };
}

let api: Api;
let doc: Doc;
const ops = new Map<string, Op>();
beforeAll(async () => {
  api = await startApi();
  doc = (await api.call<Doc>('GET', '/openapi.json', { token: null })).body;
  for (const item of Object.values(doc.paths))
    for (const op of Object.values(item)) ops.set(op.operationId, op);
});
afterAll(async () => api?.close());

/** The codes the document declares for an operation at a status. */
function declared(operationId: string, status: number): string[] {
  const media = ops.get(operationId)?.responses[String(status)]?.content?.['application/problem+json'];
  return media?.schema?.allOf?.[1].properties.code.enum ?? [];
}

type Res = { status: number; headers: Headers; body: Record<string, unknown> };

async function send(
  method: string,
  path: string,
  o: { token?: string | null; headers?: Record<string, string>; body?: string; server?: Api } = {},
): Promise<Res> {
  const server = o.server ?? api;
  const token = o.token === undefined ? server.operator : o.token;
  const res = await fetch(server.base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...o.headers },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

/** A problem+json answer with this status and code, declared by the operation when it names one. */
function expectProblem(r: Res, status: number, code: string, operationId?: string): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status, code, title: code });
  expect(r.body.type).toMatch(/^https:\/\/xdv\.dev\/problems\//);
  expect(typeof r.body.detail).toBe('string');
  expect(String(r.body.detail)).not.toContain('undefined');
  if (operationId) expect(declared(operationId, status), `${operationId} ${status}`).toContain(code);
}

describe('the OpenAPI document', () => {
  it('has contact, servers, and a description for every tag it uses', () => {
    expect(doc.info.contact?.url).toMatch(/^https:\/\//);
    expect(doc.servers?.length).toBeGreaterThan(0);
    const described = new Set(doc.tags.filter((t) => (t.description ?? '').length > 20).map((t) => t.name));
    for (const op of ops.values()) for (const t of op.tags ?? []) expect(described, t).toContain(t);
  });

  it('gives every operation a summary, a description, and request and response examples', () => {
    expect(ops.size).toBeGreaterThan(70);
    for (const op of ops.values()) {
      expect(op.summary, op.operationId).toBeTruthy();
      expect(op.description?.length ?? 0, op.operationId).toBeGreaterThan(20);
      for (const media of Object.values(op.requestBody?.content ?? {}))
        expect(media.example, `${op.operationId} request`).toBeDefined();
      const success = Object.entries(op.responses).filter(([s]) => /^2/.test(s));
      expect(success.length, op.operationId).toBeGreaterThan(0);
      for (const [s, r] of success)
        for (const media of Object.values(r.content ?? {}))
          expect(media.example, `${op.operationId} ${s}`).toBeDefined();
    }
  });

  it('declares every error as application/problem+json, its code narrowed to codes of that status', () => {
    const all = doc.components.schemas.Problem!.properties.code.enum;
    for (const op of ops.values()) {
      const errors = Object.entries(op.responses).filter(([s]) => !/^[23]/.test(s));
      expect(errors.length, op.operationId).toBeGreaterThan(0);
      for (const [status, r] of errors) {
        expect(Object.keys(r.content ?? {}), `${op.operationId} ${status}`).toEqual([
          'application/problem+json',
        ]);
        const media = r.content!['application/problem+json']!;
        expect(media.schema?.allOf?.[0].$ref).toBe('#/components/schemas/Problem');
        const codes = declared(op.operationId, Number(status));
        expect(codes.length, `${op.operationId} ${status}`).toBeGreaterThan(0);
        for (const c of codes) {
          expect(all).toContain(c);
          expect(statusOf(c), `${op.operationId} ${c}`).toBe(Number(status));
        }
        expect(codes).toContain((media.example as { code: string }).code);
      }
    }
  });

  it('narrows a command’s codes to what its transition can refuse with', () => {
    expect(declared('activateVhm', 409)).toEqual(['HV_LIFECYCLE_INVALID']);
    expect(declared('runQJob', 409)).toContain('Q_ERR_DECOHERENCE_EXCEEDED');
    expect(declared('activateVhm', 409)).not.toContain('Q_ERR_DECOHERENCE_EXCEEDED');
    expect(declared('listVhms', 409)).toEqual([]);
  });
});

describe('every kind of error, on a real server', () => {
  it('answers each as problem+json with a code its operation declares', async () => {
    // A tenant, its admin token, and a VHM still in state requested.
    const tenant = (
      await ok(api.call('POST', '/v1/tenants', { body: { name: 'probe', quota: { vhms: 2 } } }))
    ).created as { tenant: string };
    const tok = (
      (await ok(
        api.call('POST', '/v1/tokens', {
          body: { kind: 'tenant', tenant: tenant.tenant, role: 'admin', label: 'probe' },
        }),
      )) as { secret: string }
    ).secret;
    const vhm = (
      (await ok(api.call('POST', '/v1/vhms', { token: tok, body: { name: 'p', quota: {} } }))) as {
        created: { vhm: string };
      }
    ).created.vhm;
    const json = { 'content-type': 'application/json' };

    expectProblem(await send('GET', '/v1/nope'), 404, 'HV_ROUTE_NOT_FOUND');
    expectProblem(await send('GET', '/nope', { token: null }), 404, 'HV_ROUTE_NOT_FOUND');
    const wrongMethod = await send('DELETE', '/v1/vhms');
    expectProblem(wrongMethod, 405, 'HV_METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.get('allow')).toContain('POST');
    expectProblem(await send('PUT', '/healthz', { token: null }), 405, 'HV_METHOD_NOT_ALLOWED');
    expectProblem(await send('GET', '/v1/vhms', { token: null }), 401, 'HV_UNAUTHENTICATED', 'listVhms');
    expectProblem(
      await send('GET', '/v1/vhms', { token: 'xdv_wrong' }),
      401,
      'HV_UNAUTHENTICATED',
      'listVhms',
    );
    expectProblem(await send('GET', '/v1/tokens', { token: tok }), 403, 'HV_FORBIDDEN', 'listTokens');
    expectProblem(await send('GET', '/v1/vhms/vhm-999'), 404, 'HV_NOT_FOUND', 'getVhm');
    expectProblem(await send('GET', `/v1/vhms/vhm-${'9'.repeat(120)}`), 414, 'HV_URI_TOO_LONG', 'getVhm');
    const schema = await send('POST', '/v1/vhms', { headers: json, body: '{"name": 12}' });
    expectProblem(schema, 400, 'HV_BAD_REQUEST', 'createVhm');
    expect(Array.isArray(schema.body.errors)).toBe(true);
    expectProblem(
      await send('POST', '/v1/vhms', { headers: { 'content-type': 'application/xml' }, body: '<vhm/>' }),
      415,
      'HV_UNSUPPORTED_MEDIA_TYPE',
      'createVhm',
    );
    expectProblem(
      await send('POST', '/v1/vhms', { headers: json, body: JSON.stringify({ name: 'x'.repeat(300_000) }) }),
      413,
      'HV_PAYLOAD_TOO_LARGE',
      'createVhm',
    );
    expectProblem(
      await send('GET', '/v1/trace/stream', { headers: { accept: 'application/json' } }),
      406,
      'HV_NOT_ACCEPTABLE',
      'streamTrace',
    );
    // A refusal by the core: the VHM must be validated before it activates.
    expectProblem(
      await send('POST', `/v1/vhms/${vhm}/activate`, { token: tok }),
      409,
      'HV_LIFECYCLE_INVALID',
      'activateVhm',
    );
    expectProblem(
      await send('POST', `/v1/vhms/${vhm}/validate`, { token: tok, headers: { 'if-match': '"stale"' } }),
      412,
      'HV_PRECONDITION_FAILED',
      'validateVhm',
    );
    const keyed = { ...json, 'idempotency-key': 'probe-1' };
    expect(
      (await send('POST', '/v1/vhms', { token: tok, headers: keyed, body: '{"name":"k1","quota":{}}' }))
        .status,
    ).toBe(201);
    expectProblem(
      await send('POST', '/v1/vhms', { token: tok, headers: keyed, body: '{"name":"k2","quota":{}}' }),
      422,
      'HV_IDEMPOTENCY_MISMATCH',
      'createVhm',
    );
    // A bug: whatever was thrown stays in the log; the caller gets a request-id pointer.
    const ledger = api.app.ledger as unknown as { preview: unknown };
    ledger.preview = () => {
      throw new Error('boom: internal detail');
    };
    try {
      const bug = await send('POST', `/v1/vhms/${vhm}/validate?dryRun=true`, { token: tok });
      expectProblem(bug, 500, 'HV_INTERNAL', 'validateVhm');
      expect(JSON.stringify(bug.body)).not.toContain('boom');
    } finally {
      delete (ledger as { preview?: unknown }).preview;
    }
    expect((await send('POST', `/v1/vhms/${vhm}/validate?dryRun=true`, { token: tok })).status).toBe(200);
  });

  it('answers the rate limit with 429 problem+json and Retry-After', async () => {
    const limited = await startApi({ rateLimit: 2 });
    try {
      let last: Res | undefined;
      for (let i = 0; i < 3; i++) last = await send('GET', '/v1/vhms', { server: limited });
      expectProblem(last!, 429, 'HV_RATE_LIMITED', 'listVhms');
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
