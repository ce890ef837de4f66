// The stream reader moved here from the console (apps/web/src/api/sse.ts); these are its tests.
import { describe, expect, it, vi } from 'vitest';
import {
  defaultBackoff,
  openEventStream,
  type SseEvent,
  SseParser,
  type StreamStatus,
} from '../src/stream.js';

describe('SseParser', () => {
  it('parses id, event and multi-line data; ignores comments and unknown fields', () => {
    const p = new SseParser();
    const evs = p.feed(
      ': heartbeat\n\nid: 7\nevent: entry\ndata: {"seq":7}\n\nevent: clock\ndata: {"l":3}\nfoo: bar\n\ndata: a\ndata:b\ndata\n\n',
    );
    expect(evs).toEqual([
      { id: '7', event: 'entry', data: '{"seq":7}' },
      // The last event id persists across events that carry none (like EventSource).
      { id: '7', event: 'clock', data: '{"l":3}' },
      { id: '7', event: 'message', data: 'a\nb\n' },
    ]);
    expect(p.lastEventId).toBe('7');
  });

  it('gives the same events whatever the chunking, with LF, CRLF or CR line ends', () => {
    const text = 'id: 1\nevent: entry\ndata: x\n\nid: 2\nevent: entry\ndata: y\n\n: hb\n\nid: 3\ndata: z\n\n';
    const want = new SseParser().feed(text);
    expect(want.map((e) => e.id)).toEqual(['1', '2', '3']);
    for (const eol of ['\n', '\r\n', '\r']) {
      const t = text.replace(/\n/g, eol);
      for (let size = 1; size <= 7; size++) {
        const p = new SseParser();
        const got: SseEvent[] = [];
        for (let i = 0; i < t.length; i += size) got.push(...p.feed(t.slice(i, i + size)));
        expect(got, `${JSON.stringify(eol)} by ${size}`).toEqual(want);
      }
    }
  });

  it('does not dispatch an event without data or before its blank line', () => {
    const p = new SseParser();
    expect(p.feed('id: 5\nevent: entry\n\n')).toEqual([]);
    expect(p.lastEventId).toBe('5');
    expect(p.feed('event: entry\ndata: 1')).toEqual([]);
    expect(p.feed('\n')).toEqual([]);
    expect(p.feed('\n')).toEqual([{ id: '5', event: 'entry', data: '1' }]);
    expect(p.feed('retry: 2500\n')).toEqual([]);
    expect(p.retry).toBe(2500);
  });
});

/** A fake server: each call of the returned fetch takes the next scripted response. */
function scripted() {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  const plan: Array<'stream' | number | 'network'> = [];
  const enc = new TextEncoder();
  const fetchFn = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), headers: { ...(init?.headers as Record<string, string>) } });
    const step = plan.shift() ?? 'network';
    if (step === 'network') throw new TypeError('Failed to fetch');
    if (typeof step === 'number')
      return new Response('{"code":"X"}', {
        status: step,
        headers: { 'content-type': 'application/problem+json' },
      });
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        streams.push(c);
      },
    });
    init?.signal?.addEventListener('abort', () => {
      try {
        streams.at(-1)?.error(new DOMException('aborted', 'AbortError'));
      } catch {}
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  });
  return {
    calls,
    plan,
    fetch: fetchFn as unknown as typeof fetch,
    send: (text: string) => streams.at(-1)!.enqueue(enc.encode(text)),
    end: () => streams.at(-1)!.close(),
  };
}

const until = (f: () => boolean) => vi.waitFor(() => expect(f()).toBe(true), { timeout: 2000, interval: 5 });

describe('openEventStream', () => {
  it('sends the token in the Authorization header, never in the URL; resumes by Last-Event-ID', async () => {
    const s = scripted();
    s.plan.push('stream', 'network', 503, 'stream');
    const events: SseEvent[] = [];
    const statuses: StreamStatus[] = [];
    const opens: boolean[] = [];
    const delays: number[] = [];
    const close = openEventStream({
      url: '/v1/trace/stream?after=9',
      token: 'xdv_secret',
      fetch: s.fetch,
      backoff: (n) => {
        delays.push(n);
        return 0;
      },
      onEvent: (e) => events.push(e),
      onStatus: (x) => statuses.push(x),
      onOpen: (r) => opens.push(r),
    });
    await until(() => statuses.includes('live'));
    s.send(
      'id: 10\nevent: entry\ndata: {"seq":10}\n\n: heartbeat\n\nevent: clock\ndata: {"l":4}\n\nid: 11\nevent: ent',
    );
    s.send('ry\ndata: {"seq":11}\n\n');
    await until(() => events.length === 3);
    s.end(); // the server went away: reconnect after a network error and a 503
    await until(() => s.calls.length === 4 && opens.length === 2);
    expect(s.calls.every((c) => c.url === '/v1/trace/stream?after=9')).toBe(true);
    expect(s.calls.every((c) => c.headers.authorization === 'Bearer xdv_secret')).toBe(true);
    expect(s.calls.map((c) => c.url).join(' ')).not.toContain('xdv_secret');
    expect(s.calls[0]!.headers['last-event-id']).toBeUndefined();
    expect(s.calls.slice(1).map((c) => c.headers['last-event-id'])).toEqual(['11', '11', '11']);
    expect(opens).toEqual([false, true]);
    // Backoff grows with consecutive failures and restarts after a successful open.
    expect(delays).toEqual([1, 2, 3]);
    s.send('id: 12\nevent: entry\ndata: {"seq":12}\n\n');
    await until(() => events.length === 4);
    expect(events.map((e) => [e.event, e.id])).toEqual([
      ['entry', '10'],
      ['clock', '10'],
      ['entry', '11'],
      ['entry', '12'],
    ]);
    expect(statuses).toEqual(['live', 'connecting', 'connecting', 'connecting', 'live']);
    close();
    // Closing aborts the request (the body errors); nothing more is delivered or fetched.
    expect(() => s.send('id: 13\nevent: entry\ndata: {"seq":13}\n\n')).toThrow();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toHaveLength(4);
    expect(s.calls).toHaveLength(4);
  });

  it('goes offline and stops on 401, telling the caller', async () => {
    const s = scripted();
    s.plan.push(401);
    const statuses: StreamStatus[] = [];
    const unauthorized = vi.fn();
    openEventStream({
      url: '/v1/trace/stream',
      token: 't',
      fetch: s.fetch,
      backoff: () => 0,
      onEvent: () => {},
      onStatus: (x) => statuses.push(x),
      onUnauthorized: unauthorized,
    });
    await until(() => statuses.includes('offline'));
    await new Promise((r) => setTimeout(r, 20));
    expect(unauthorized).toHaveBeenCalledOnce();
    expect(s.calls).toHaveLength(1);
  });

  it('reconnects when the stream goes silent (no heartbeat) for idleMs', async () => {
    const s = scripted();
    s.plan.push('stream', 'stream');
    const statuses: StreamStatus[] = [];
    const close = openEventStream({
      url: '/v1/trace/stream',
      token: 't',
      fetch: s.fetch,
      backoff: () => 0,
      idleMs: 50,
      onEvent: () => {},
      onStatus: (x) => statuses.push(x),
    });
    await until(() => s.calls.length === 2);
    expect(statuses.slice(0, 3)).toEqual(['live', 'connecting', 'live']);
    close();
  });

  it('backs off exponentially with jitter, capped at 30 s', () => {
    for (let i = 0; i < 50; i++) {
      expect(defaultBackoff(1)).toBeGreaterThanOrEqual(750);
      expect(defaultBackoff(1)).toBeLessThanOrEqual(1250);
      expect(defaultBackoff(3)).toBeGreaterThanOrEqual(3000);
      expect(defaultBackoff(20)).toBeLessThanOrEqual(37_500);
    }
  });
});
