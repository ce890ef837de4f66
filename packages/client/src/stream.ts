// Moved from the console (apps/web/src/api/sse.ts, which can import it from here) for every caller.
//
// A Server-Sent Events client over fetch, so the stream authenticates with the Authorization header
// like every other request: EventSource cannot set headers and would put the token in the URL (and
// so in every access log). The parser follows the WHATWG event-stream format; the connection
// resumes by Last-Event-ID after a drop, with exponential backoff.

export interface SseEvent {
  /** The last event id seen on the stream when this event was dispatched ('' when none yet). */
  id: string;
  /** The event type ('message' when the frame names none). */
  event: string;
  data: string;
}

/** Incremental event-stream parser: feed it decoded text in any chunking, get complete events. */
export class SseParser {
  private buf = '';
  private skipLf = false;
  private data: string[] = [];
  private type = '';
  /** The stream's last event id (persists across events, as in EventSource). */
  lastEventId = '';
  /** A `retry:` field's reconnection time in ms, if the server sent one. */
  retry: number | null = null;

  feed(chunk: string): SseEvent[] {
    const out: SseEvent[] = [];
    let text = chunk;
    if (this.skipLf) {
      if (text.startsWith('\n')) text = text.slice(1);
      this.skipLf = false;
    }
    this.buf += text;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      if (!m) break;
      // A lone CR at the very end may be the first half of a CRLF split across chunks.
      if (m[0] === '\r' && m.index === this.buf.length - 1) {
        this.skipLf = true;
      }
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null; // a comment (the server's heartbeat)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.type = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    const type = this.type;
    const data = this.data;
    this.type = '';
    this.data = [];
    if (data.length === 0) return null;
    return { id: this.lastEventId, event: type || 'message', data: data.join('\n') };
  }
}

export type StreamStatus = 'connecting' | 'live' | 'offline';

export interface EventStreamOptions {
  /** The stream's URL (never with a credential in it: the token travels in the Authorization header). */
  url: string;
  token: string;
  /** Called when a connection opens (true when it is a reconnect). */
  onOpen?: (reconnect: boolean) => void;
  onEvent: (ev: SseEvent) => void;
  onStatus?: (s: StreamStatus) => void;
  /** Resume after this event id (the `seq` of the last entry the caller already has). */
  lastEventId?: string;
  /** Called when the server refuses the token (401); the stream then stops. */
  onUnauthorized?: () => void;
  /** Milliseconds to wait before reconnect attempt n (1-based). */
  backoff?: (attempt: number) => number;
  /** Reconnect when nothing (not even a heartbeat) arrived for this long; 0 = never. */
  idleMs?: number;
  fetch?: typeof fetch;
}

/** Exponential backoff from 1 s to 30 s with jitter, so many consoles do not reconnect in step. */
export function defaultBackoff(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** Statuses after which retrying cannot help: the stream goes offline and stays there. */
const FATAL = new Set([400, 401, 403, 404, 406]);

/**
 * Open an event stream with `Authorization: Bearer`, reconnecting after a drop with Last-Event-ID
 * set to the last id seen. Returns a function that closes it for good.
 */
export function openEventStream(o: EventStreamOptions): () => void {
  const doFetch = o.fetch ?? ((input, init) => fetch(input, init));
  const backoff = o.backoff ?? defaultBackoff;
  const idleMs = o.idleMs ?? 45_000;
  let closed = false;
  let ctrl: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  let lastEventId = o.lastEventId ?? '';
  let attempt = 0;
  let opened = false;

  const stopIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
  };
  const armIdle = (c: AbortController) => {
    stopIdle();
    if (idleMs > 0) idleTimer = setTimeout(() => c.abort(), idleMs);
  };
  const fail = (fatal: boolean) => {
    stopIdle();
    if (closed) return;
    if (fatal) {
      closed = true;
      o.onStatus?.('offline');
      return;
    }
    o.onStatus?.('connecting');
    attempt += 1;
    retryTimer = setTimeout(connect, backoff(attempt));
  };

  async function connect(): Promise<void> {
    retryTimer = null;
    if (closed) return;
    const c = new AbortController();
    ctrl = c;
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      authorization: `Bearer ${o.token}`,
    };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    let res: Response;
    try {
      armIdle(c);
      res = await doFetch(o.url, { headers, signal: c.signal, cache: 'no-store' });
    } catch {
      return fail(false);
    }
    if (closed) return;
    if (res.status === 401) {
      o.onUnauthorized?.();
      void res.body?.cancel().catch(() => {});
      return fail(true);
    }
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || !res.body || !type.includes('text/event-stream')) {
      void res.body?.cancel().catch(() => {});
      return fail(FATAL.has(res.status));
    }
    attempt = 0;
    o.onStatus?.('live');
    o.onOpen?.(opened);
    opened = true;
    const parser = new SseParser();
    parser.lastEventId = lastEventId;
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        armIdle(c);
        const { value, done } = await reader.read();
        if (done || closed) break;
        for (const ev of parser.feed(dec.decode(value, { stream: true }))) {
          lastEventId = parser.lastEventId;
          if (closed) break;
          o.onEvent(ev);
        }
        lastEventId = parser.lastEventId;
      }
    } catch {
      // A dropped connection or the idle abort: reconnect below.
    }
    // The server ended the stream or the connection dropped: resume where it stopped.
    fail(false);
  }

  void connect();
  return () => {
    closed = true;
    stopIdle();
    if (retryTimer) clearTimeout(retryTimer);
    ctrl?.abort();
  };
}
