import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOUCH_EVERY_MS } from '../src/adapters.js';
import { redactUrl } from '../src/logging.js';
import { type Api, startApi } from './harness.js';

// No secret in a URL or a log: the stream authenticates by header only, the log redacts
// credentials, and tokens carry created / last used / expiry.

let api: Api;
const log: string[] = [];
beforeAll(async () => {
  api = await startApi({ logStream: { write: (line) => void log.push(line) } });
});
afterAll(async () => {
  await api?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

type Tok = { id: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null };

async function mint(body: Record<string, unknown> = {}) {
  const r = await api.call<{ token: Tok; secret: string }>('POST', '/v1/tokens', {
    body: { kind: 'operator', label: `t${Math.random().toString(36).slice(2, 8)}`, ...body },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function listed(id: string): Promise<Tok> {
  const r = await api.call<{ items: Tok[] }>('GET', '/v1/tokens');
  return r.body.items.find((t) => t.id === id)!;
}

/** The first SSE frame of the stream (opened one entry before the head), then disconnect. */
async function firstFrame(res: Response, ctrl: AbortController): Promise<string> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  while (!buf.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
  }
  ctrl.abort();
  return buf;
}

describe('the live stream', () => {
  it('authenticates with the Authorization header', async () => {
    await api.call('POST', '/v1/clock/advance', { body: { ticks: 1 } });
    const seq = api.app.ledger.state.seq;
    const ctrl = new AbortController();
    const res = await fetch(`${api.base}/v1/trace/stream?after=${seq - 1}`, {
      headers: { authorization: `Bearer ${api.operator}`, accept: 'text/event-stream' },
      signal: ctrl.signal,
    });
    expect(res.status).toBe(200);
    const frame = await firstFrame(res, ctrl);
    expect(frame).toMatch(new RegExp(`^id: ${seq}$`, 'm'));
    expect(frame).toMatch(/^event: entry$/m);
  });

  it('refuses ?access_token= exactly like no token, and never logs it', async () => {
    const none = await fetch(`${api.base}/v1/trace/stream`, { headers: { accept: 'text/event-stream' } });
    const res = await fetch(
      `${api.base}/v1/trace/stream?access_token=${encodeURIComponent(api.operator)}&after=0`,
      { headers: { accept: 'text/event-stream' } },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { code: string; detail: string };
    const noneBody = (await none.json()) as { code: string; detail: string };
    expect(body.code).toBe('HV_UNAUTHENTICATED');
    expect(body.detail).toBe(noneBody.detail);
    // Any route: a token in the query string authenticates nothing.
    const overview = await api.call('GET', `/v1/overview?access_token=${api.operator}`, { token: null });
    expect(overview.status).toBe(401);
    const text = log.join('');
    expect(text).toContain('access_token=[REDACTED]');
    expect(text).not.toContain(api.operator);
  });

  it('the OpenAPI document no longer offers access_token', async () => {
    const doc = await api.call<Record<string, unknown>>('GET', '/openapi.json', { token: null });
    expect(JSON.stringify(doc.body)).not.toContain('access_token');
  });
});

describe('the log', () => {
  it('redacts credential query parameters from a logged URL', () => {
    expect(redactUrl('/v1/x?after=3&access_token=abc&Token=d&api_key=e&secret=f#h')).toBe(
      '/v1/x?after=3&access_token=[REDACTED]&Token=[REDACTED]&api_key=[REDACTED]&secret=[REDACTED]#h',
    );
    expect(redactUrl('/v1/x?%61ccess_token=abc')).toBe('/v1/x?%61ccess_token=[REDACTED]');
    expect(redactUrl('/v1/trace?after=10&limit=5')).toBe('/v1/trace?after=10&limit=5');
    expect(redactUrl('/v1/x')).toBe('/v1/x');
  });

  it('holds no token secret after minting, using and refusing tokens', async () => {
    const t = await mint();
    await api.call('GET', '/v1/overview', { token: t.secret });
    await api.call('GET', '/v1/tokens', { token: t.secret });
    await api.call('GET', '/v1/overview', { token: `${t.secret}x` });
    await api.call('GET', '/v1/overview', { token: null, headers: { authorization: `Basic ${t.secret}` } });
    const text = log.join('');
    expect(text).toContain('request completed');
    expect(text).not.toContain(t.secret);
    expect(text).not.toContain(api.operator);
  });
});

describe('token expiry and last use', () => {
  it('lists created, last used and expiry; validates expiresInSeconds', async () => {
    const t = await mint({ expiresInSeconds: 3600 });
    expect(Date.parse(t.token.expiresAt!) - Date.parse(t.token.createdAt)).toBeGreaterThan(3590_000);
    expect(t.token.lastUsedAt).toBeNull();
    const forever = await mint();
    expect(forever.token.expiresAt).toBeNull();
    for (const bad of [0, 59, 1.5, 'soon', -1, 11 * 366 * 86_400]) {
      const r = await api.call<{ code: string }>('POST', '/v1/tokens', {
        body: { kind: 'operator', label: 'bad', expiresInSeconds: bad },
      });
      expect(r.status, String(bad)).toBe(400);
    }
  });

  it('an expired token is refused, saying so; an unknown one is not told about expiry', async () => {
    const t = await mint({ expiresInSeconds: 60 });
    expect((await api.call('GET', '/v1/overview', { token: t.secret })).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const r = await api.call<{ code: string; detail: string }>('GET', '/v1/overview', { token: t.secret });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('HV_UNAUTHENTICATED');
    expect(r.body.detail).toMatch(/expired/);
    const s = await api.call<{ detail: string }>('GET', '/v1/trace/stream', { token: t.secret });
    expect(s.status).toBe(401);
    const unknown = await api.call<{ detail: string }>('GET', '/v1/overview', { token: 'xdv_never_existed' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).not.toMatch(/expired/);
  });

  it('last used moves, written at most once a minute per token', async () => {
    const t = await mint();
    expect((await listed(t.token.id)).lastUsedAt).toBeNull();
    const before = Date.now();
    await api.call('GET', '/v1/overview', { token: t.secret });
    const first = (await listed(t.token.id)).lastUsedAt;
    expect(first).not.toBeNull();
    expect(Date.parse(first!)).toBeGreaterThanOrEqual(before - 1000);
    // Within the minute: no new write.
    await api.call('GET', '/v1/overview', { token: t.secret });
    expect((await listed(t.token.id)).lastUsedAt).toBe(first);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + TOUCH_EVERY_MS + 1000);
    await api.call('GET', '/v1/overview', { token: t.secret });
    const later = (await listed(t.token.id)).lastUsedAt;
    expect(Date.parse(later!)).toBeGreaterThan(Date.parse(first!) + TOUCH_EVERY_MS);
  });
});
