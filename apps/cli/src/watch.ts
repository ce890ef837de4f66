import type { Api } from './api.js';
import { Unreachable } from './errors.js';
import type { Io } from './io.js';

// `xdv watch`: the trace's event stream, one line per entry; after a dropped connection the
// client resumes from the last entry seen (Last-Event-ID), so nothing is missed or repeated.

export function watch(
  api: Api,
  io: Io,
  opts: { after?: string; json?: boolean; count?: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let close: () => void = () => {};
    const done = (e?: Error) => {
      close();
      if (e) reject(e);
      else resolve();
    };
    close = api.client.stream({
      ...(opts.after !== undefined ? { lastEventId: opts.after } : {}),
      onOpen: (reconnect) => {
        if (reconnect) io.err('reconnected; resuming after the last entry seen\n');
      },
      onUnauthorized: () => done(new Unreachable('the server refused the token (401); log in again')),
      onEvent: (ev) => {
        if (!ev.data) return;
        let e: { seq?: number; l?: number; type?: string; outcome?: string; vhm?: string | null };
        try {
          e = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (typeof e.seq !== 'number') return;
        io.out(
          opts.json
            ? `${ev.data}\n`
            : `#${e.seq} L${e.l} ${e.type} ${e.outcome}${e.vhm ? ` ${e.vhm}` : ''}\n`,
        );
        seen += 1;
        if (opts.count !== undefined && seen >= opts.count) done();
      },
    });
    io.signal?.addEventListener('abort', () => done(), { once: true });
  });
}
