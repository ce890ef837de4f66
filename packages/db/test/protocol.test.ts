import { nodeSha256 } from '@xdv/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger, ProtocolMismatch } from '../src/index.js';
import { BACKENDS, type Backend, freshBackend, op } from './helpers.js';

// A store written by protocol 1 (its genesis records no version) is refused at start with a
// message naming both versions, before anything replays or appends to it.

describe.each(BACKENDS)('trace protocol on %s', (kind) => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('records protocol 2 at genesis and refuses a protocol-1 store at start, writing nothing', async () => {
    const b = freshBackend(kind, { checkpointEvery: 0, checkpointOnClose: false });
    backends.push(b);
    const ledger = await Ledger.open(b.opts);
    let rows: number;
    try {
      await ledger.submit(
        op({
          type: 'tenant.create',
          name: 'a',
          quota: { vhms: 1, memory: 0, cpu: 0, qubits: 0, envelopes: 0 },
        }),
      );
      const [, effect] = await ledger.entries({ limit: 2 });
      expect(effect!.type).toBe('genesis');
      expect(effect!.payload.protocol).toBe(2);
      // Rewrite the genesis effect as protocol 1 wrote it: no version recorded.
      const text = effect!.text.replace(',"protocol":2', '');
      expect(text).not.toBe(effect!.text);
      await ledger.sql('ALTER TABLE "trace" DISABLE TRIGGER USER');
      await ledger.sql('UPDATE "trace" SET "text" = $2, "hash" = $3 WHERE "seq" = $1', [
        2,
        text,
        nodeSha256(text),
      ]);
      rows = Number((await ledger.sql<{ n: number }>('SELECT count(*)::int AS n FROM "trace"'))[0]!.n);
    } finally {
      await ledger.close();
    }
    const err = await Ledger.open(b.opts).then(
      async (l) => {
        await l.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProtocolMismatch);
    expect((err as ProtocolMismatch).code).toBe('HV_PROTOCOL_MISMATCH');
    expect((err as Error).message).toMatch(/protocol 1.*protocol 2/);
    expect((err as Error).message).toMatch(/XDV_DATA_DIR/);
    // Nothing was appended by the refused start.
    const again = await Ledger.open({ ...b.opts }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ProtocolMismatch);
    expect(rows).toBeGreaterThan(2);
  });
});
