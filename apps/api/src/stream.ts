import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { type Actor, type Entry, entryVisible, isEntry } from '@xdv/core';
import type { LedgerPort } from './ports.js';

// The fan-out of /v1/trace/stream. One commit listener for all clients: each committed batch is
// serialised once per stream variant (what an operator sees, what one tenant sees, what a provider
// sees) and the same text is written to every live client of that variant, straight to its socket.
// A client whose unsent bytes pass the bound is dropped instead of holding memory; it resumes from
// its Last-Event-ID with no gap (the backlog is read from the trace).

/** Unsent bytes a client may hold before it is dropped (it reconnects and resumes). */
export const DEFAULT_MAX_BUFFERED = 1024 * 1024;

interface Client {
  res: ServerResponse;
  actor: Actor;
  variant: string;
  /** The newest seq written to this client. */
  last: number;
  /** Commits that arrived while the backlog was being read; null once live. */
  pending: Entry[] | null;
}

/** Which entries a principal's stream carries depends only on this key (see `entryVisible`). */
function variantOf(actor: Actor): string {
  return actor.kind === 'tenant' ? `tenant:${actor.tenant}` : actor.kind;
}

/** One SSE event for one entry, as the principal sees it ('' when it sees nothing of it). */
function frameOf(e: Entry, actor: Actor, json: (e: Entry) => string): string {
  if (entryVisible(e, actor)) return `id: ${e.seq}\nevent: entry\ndata: ${json(e)}\n\n`;
  // L is everyone's: a principal that cannot see the tick entry still hears the clock move (no id,
  // so resuming by Last-Event-ID is unaffected; nothing else of the entry is sent).
  if (isEntry(e, 'clock.advance') && e.outcome === 'accepted') return `event: clock\ndata: {"l":${e.l}}\n\n`;
  return '';
}

export class StreamHub {
  private readonly clients = new Set<Client>();
  private readonly off: () => void;
  private closed = false;
  /** Clients dropped for falling behind (a metric for the operator and the bench). */
  dropped = 0;

  constructor(
    private readonly ledger: Pick<LedgerPort, 'onCommit' | 'entries'>,
    private readonly maxBuffered = DEFAULT_MAX_BUFFERED,
  ) {
    this.off = ledger.onCommit((batch) => this.publish(batch));
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Stream to `res` (headers already sent) every entry after `after` the actor may see: the backlog
   * from the trace, then live commits. Resolves once the client is live (or gone).
   */
  async attach(res: ServerResponse, actor: Actor, after: number): Promise<void> {
    if (this.closed) {
      res.end();
      return;
    }
    // Registered before the backlog is read, so nothing committed meanwhile is missed.
    const c: Client = { res, actor, variant: variantOf(actor), last: after, pending: [] };
    this.clients.add(c);
    res.once('close', () => this.clients.delete(c));
    const json = (e: Entry) => JSON.stringify(e);
    for (;;) {
      if (!this.open(c)) return;
      const page = await this.ledger.entries({ afterSeq: c.last, limit: 1000 });
      if (page.length === 0) break;
      let text = '';
      for (const e of page) text += frameOf(e, actor, json);
      c.last = page.at(-1)!.seq;
      // History is ours to pace: wait for the socket rather than drop a client that is catching up.
      if (!res.write(text) && this.open(c)) {
        const done = new AbortController();
        const { signal } = done;
        await Promise.race([once(res, 'drain', { signal }), once(res, 'close', { signal })]);
        done.abort(); // removes the listener that did not fire (the race already settled)
      }
    }
    if (!this.open(c)) return;
    const pending = c.pending ?? [];
    c.pending = null;
    let text = '';
    for (const e of pending) {
      if (e.seq <= c.last) continue;
      text += frameOf(e, actor, json);
      c.last = e.seq;
    }
    this.write(c, text);
  }

  /** End every open stream (shutdown): clients reconnect elsewhere or later with Last-Event-ID. */
  close(): void {
    this.closed = true;
    this.off();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private open(c: Client): boolean {
    return this.clients.has(c) && !c.res.destroyed && !c.res.writableEnded;
  }

  private publish(batch: Entry[]): void {
    if (batch.length === 0) return;
    const first = batch[0]!.seq;
    const last = batch.at(-1)!.seq;
    // Each entry's JSON once for the whole fan-out, each variant's text once per batch.
    const jsonOf = new Map<Entry, string>();
    const json = (e: Entry) => {
      let s = jsonOf.get(e);
      if (s === undefined) {
        s = JSON.stringify(e);
        jsonOf.set(e, s);
      }
      return s;
    };
    const texts = new Map<string, string>();
    for (const c of this.clients) {
      if (c.pending) {
        c.pending.push(...batch);
        continue;
      }
      let text: string;
      if (c.last === first - 1) {
        const cached = texts.get(c.variant);
        if (cached === undefined) {
          text = '';
          for (const e of batch) text += frameOf(e, c.actor, json);
          texts.set(c.variant, text);
        } else text = cached;
      } else {
        // Not aligned with the batch (it started inside it): only what it has not had.
        text = '';
        for (const e of batch) if (e.seq > c.last) text += frameOf(e, c.actor, json);
      }
      c.last = Math.max(c.last, last);
      this.write(c, text);
    }
  }

  private write(c: Client, text: string): void {
    if (text.length > 0) c.res.write(text);
    if (c.res.writableLength > this.maxBuffered) {
      // Too far behind: free what it holds; it resumes from the last event it received.
      this.dropped++;
      this.clients.delete(c);
      c.res.destroy();
    }
  }
}
