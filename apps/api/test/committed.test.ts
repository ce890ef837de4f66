import type { Entry } from '@xdv/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ok } from './fleet.js';
import { type Api, pgUrl, startApi } from './harness.js';

// Reads, ETags, metrics, readiness and the stream serve committed state only: a batch in its
// transaction is invisible, and one that fails to commit never shows up anywhere.

const quota = { vhms: 2, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };

/** A beforeCommit hook the test can hold (the commit waits) or arm to fail once. */
function commitGate() {
  let release = () => {};
  let entered = () => {};
  const g = {
    held: false,
    fail: false,
    entered: Promise.resolve(),
    hold() {
      g.held = true;
      g.entered = new Promise<void>((r) => {
        entered = r;
      });
      const released = new Promise<void>((r) => {
        release = r;
      });
      g.release = () => {
        g.held = false;
        release();
      };
      g.wait = released;
    },
    release: () => {},
    wait: Promise.resolve(),
    hook: async (_: readonly Entry[]) => {
      if (g.held) {
        entered();
        await g.wait;
      }
      if (g.fail) {
        g.fail = false;
        throw new Error('injected commit failure');
      }
    },
  };
  return g;
}

/** Open an SSE stream; resolves once the server has answered (so its start seq is fixed). */
async function openStream(api: Api): Promise<{ read(count: number): Promise<number[]> }> {
  const ctrl = new AbortController();
  const res = await fetch(`${api.base}/v1/trace/stream`, {
    headers: { authorization: `Bearer ${api.operator}`, accept: 'text/event-stream' },
    signal: ctrl.signal,
  });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  return { read: (count) => readSeqs(res, ctrl, count) };
}

/** The entry seqs the stream sends, until `count` arrive. */
async function readSeqs(res: Response, ctrl: AbortController, count: number): Promise<number[]> {
  const reader = res.body!.getReader();
  const seqs: number[] = [];
  const dec = new TextDecoder();
  let buf = '';
  try {
    while (seqs.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const id = /^id: (\d+)$/m.exec(block);
        if (id && /^event: entry$/m.test(block)) seqs.push(Number(id[1]));
      }
    }
  } finally {
    ctrl.abort();
  }
  return seqs;
}

const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);

describe.each(pgUrl ? (['pglite', 'pg'] as const) : (['pglite'] as const))(
  'committed-state reads on %s',
  (backend) => {
    let api: Api | null = null;
    let gate = commitGate();
    afterEach(async () => {
      gate.release();
      await api?.close();
      api = null;
    });

    async function seeded() {
      gate = commitGate();
      api = await startApi({ backend, ledger: { beforeCommit: gate.hook } });
      const tenant = (
        await ok(
          api.call<{ created: { tenant: string } }>('POST', '/v1/tenants', { body: { name: 'acme', quota } }),
        )
      ).created.tenant;
      return { api, tenant };
    }

    /** Everything a reader sees of the tenant and the trace's position. */
    async function observe(a: Api, tenant: string) {
      const one = await a.call<{ quota: { vhms: number } }>('GET', `/v1/tenants/${tenant}`);
      const list = await a.call<{ items: Array<{ name: string }> }>('GET', '/v1/tenants');
      const ready = await a.call<{ seq: number }>('GET', '/readyz', { token: null });
      const metrics = await fetch(`${a.base}/metrics`, {
        headers: { authorization: `Bearer ${a.operator}` },
      });
      const text = await metrics.text();
      return {
        etag: one.headers.get('etag'),
        vhms: one.body.quota.vhms,
        names: list.body.items.map((t) => t.name).sort(),
        readySeq: ready.body.seq,
        metricSeq: metric(text, 'xdv_trace_seq'),
      };
    }

    it('a GET, ETag, readiness, metric and stream opened while a batch is mid-commit show the pre-batch state; the stream then delivers the batch', async () => {
      const { api: a, tenant } = await seeded();
      const before = await observe(a, tenant);
      const seq = a.app.ledger.state.seq;
      expect(before.readySeq).toBe(seq);
      expect(before.metricSeq).toBe(seq);
      // How many entries the two commands append (an operator's dry run shows them all).
      const sizes = await Promise.all([
        a.call<{ entries: unknown[] }>('PUT', `/v1/tenants/${tenant}/quota?dryRun=true`, {
          body: { quota: { ...quota, vhms: 5 } },
        }),
        a.call<{ entries: unknown[] }>('POST', '/v1/tenants?dryRun=true', {
          body: { name: 'initech', quota },
        }),
      ]);
      const count = sizes[0].body.entries.length + sizes[1].body.entries.length;
      gate.hold();
      const setQuota = a.call('PUT', `/v1/tenants/${tenant}/quota`, {
        body: { quota: { ...quota, vhms: 5 } },
      });
      const create = a.call('POST', '/v1/tenants', { body: { name: 'initech', quota } });
      await gate.entered;
      // The quota change is in its open transaction; the tenant creation may be stepped behind it.
      const during = await observe(a, tenant);
      expect(during).toEqual(before);
      const dry = await a.call<{ wouldBe: string }>('PUT', `/v1/tenants/${tenant}/quota?dryRun=true`, {
        body: { quota: { ...quota, vhms: 5 } },
        headers: { 'if-match': before.etag! },
      });
      expect(dry.status).toBe(200); // the ETag the client saw still matches: nothing committed yet
      // A stream opened now starts at the committed head, so it still receives the held batch.
      const stream = await openStream(a);
      gate.release();
      expect((await setQuota).status).toBe(200);
      expect((await create).status).toBe(201);
      expect(await stream.read(count)).toEqual(Array.from({ length: count }, (_, i) => seq + 1 + i));
      expect(a.app.ledger.state.seq).toBe(seq + count);
      const after = await observe(a, tenant);
      expect(after.vhms).toBe(5);
      expect(after.etag).not.toBe(before.etag);
      expect(after.names).toEqual(['acme', 'initech']);
      expect(after.readySeq).toBe(a.app.ledger.state.seq);
    });

    it('a batch that fails to commit leaves no trace in any answer, and the ETag is unchanged', async () => {
      const { api: a, tenant } = await seeded();
      const before = await observe(a, tenant);
      const seq = a.app.ledger.state.seq;
      gate.fail = true;
      gate.hold();
      const setQuota = a.call('PUT', `/v1/tenants/${tenant}/quota`, {
        body: { quota: { ...quota, vhms: 7 } },
      });
      await gate.entered;
      expect(await observe(a, tenant)).toEqual(before);
      gate.release();
      const failed = await setQuota;
      expect(failed.status).toBe(503);
      expect(failed.headers.get('content-type')).toContain('application/problem+json');
      expect(await observe(a, tenant)).toEqual(before);
      const trace = await a.call<{ items: Array<{ seq: number }> }>('GET', `/v1/trace?after=${seq}`);
      expect(trace.body.items).toEqual([]);
      const replayNow = await a.call<{ state: { tenants: Record<string, { quota: { vhms: number } }> } }>(
        'GET',
        `/v1/replay/state?l=${a.app.ledger.state.l}`,
      );
      expect(replayNow.body.state.tenants[tenant]!.quota.vhms).toBe(quota.vhms);
      // The next write takes the seq the failed batch never got.
      const next = await ok(
        a.call<{ seq: number }>('PUT', `/v1/tenants/${tenant}/quota`, {
          body: { quota: { ...quota, vhms: 3 } },
          headers: { 'if-match': before.etag! },
        }),
      );
      expect(next.seq).toBe(seq + 1);
    });
  },
);
