import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi } from './harness.js';

// The stream's fan-out under pressure: a client that stops reading is dropped once its unsent bytes
// pass the bound (instead of holding memory) and resumes from its Last-Event-ID with no gap; and a
// server told to stop ends its open streams and exits.

const BOUND = 64 * 1024;
let api: Api;
beforeAll(async () => {
  api = await startApi({ sseMaxBuffered: BOUND });
});
afterAll(async () => api?.close());

/** A raw HTTP/1.1 stream request on its own socket, so the test decides when (and whether) to read. */
function openRaw(base: string, token: string, lastEventId: number): Socket {
  const { hostname, port } = new URL(base);
  const s = connect(Number(port), hostname);
  s.write(
    `GET /v1/trace/stream HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\nLast-Event-ID: ${lastEventId}\r\n\r\n`,
  );
  return s;
}

/** The entry ids in the chunked SSE body received so far (event blocks never straddle this scan's cut). */
function ids(raw: string): number[] {
  return [...raw.matchAll(/^id: (\d+)\nevent: entry$/gm)].map((m) => Number(m[1]));
}

describe('a slow stream client', () => {
  it('is dropped past the buffer bound and resumes from its Last-Event-ID with no gap and no duplicate', async () => {
    const start = api.app.ledger.state.seq;
    const slow = openRaw(api.base, api.operator, start);
    slow.pause();
    const dropped = async () =>
      Number(/^xdv_sse_dropped (\d+)$/m.exec(await (await fetch(`${api.base}/metrics`)).text())?.[1]);
    const before = await dropped();
    // Commit until the server gives up on the client that does not read (the kernel's socket
    // buffers take the first megabytes). Bounded, so a server that never drops fails the test.
    for (let round = 0; round < 400 && (await dropped()) === before; round++)
      await Promise.all(
        Array.from({ length: 50 }, () =>
          api.app.ledger.submit({ type: 'clock.advance', ticks: 1, actor: { kind: 'operator' } }),
        ),
      );
    expect(await dropped()).toBe(before + 1);
    // Read what reached this client before it was dropped: the stream ends there.
    let got = '';
    slow.setEncoding('utf8');
    slow.on('data', (d: string) => (got += d));
    const closed = once(slow, 'close');
    slow.resume();
    await closed;
    const first = ids(got);
    const head = api.app.ledger.state.seq;
    expect(first.at(-1) ?? start).toBeLessThan(head);
    expect(first).toEqual(Array.from({ length: first.length }, (_, i) => start + 1 + i));
    // Resume from the last event it received.
    const resumeFrom = first.at(-1) ?? start;
    const again = openRaw(api.base, api.operator, resumeFrom);
    again.setEncoding('utf8');
    let more = '';
    again.on('data', (d: string) => (more += d));
    while ((ids(more).at(-1) ?? resumeFrom) < head) await once(again, 'data');
    again.destroy();
    const all = [...first, ...ids(more)];
    expect(all).toEqual(Array.from({ length: head - start }, (_, i) => start + 1 + i));
  });
});

describe('SIGTERM with an open stream', () => {
  it('ends the stream and exits', { timeout: 300_000 }, async () => {
    const { freePort, spawnApi } = await import(
      pathToFileURL(resolve(import.meta.dirname, '../../../bench/processes.mjs')).href
    );
    const dir = mkdtempSync(join(tmpdir(), 'xdv-sigterm-'));
    const port: number = await freePort();
    const token = 'xdv_sigterm_operator';
    const { child, output } = spawnApi({ port, dataDir: join(dir, 'data'), token });
    const exited = new Promise<number | null>((r) => child.once('exit', (code: number | null) => r(code)));
    try {
      for (;;) {
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) break;
        if (child.exitCode !== null) throw new Error(`server exited:\n${output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const res = await fetch(`http://127.0.0.1:${port}/v1/trace/stream`, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      child.kill('SIGTERM');
      // The stream ends (the server closed it), then the process exits cleanly. The bound is
      // generous: without the fix the server lingered until its stream clients left.
      const streamEnded = (async () => {
        for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return true;
      })();
      const bound = new Promise<'lingered'>((r) => setTimeout(() => r('lingered'), 20_000).unref());
      expect(await Promise.race([streamEnded, bound])).toBe(true);
      expect(await Promise.race([exited, bound]), output()).toBe(0);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
