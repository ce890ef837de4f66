import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_KIND,
  type Driver,
  HEAD_KIND,
  Ledger,
  NodeKey,
  openPg,
  openPglite,
} from '../src/index.js';
import { checkpointBody } from '../src/seal.js';
import { BACKENDS, type Backend, freshBackend, op } from './helpers.js';

// Attacks by someone who can write the database (and disable its triggers) but cannot read the
// node's key directory. Each must be detected and named.

const quota = { vhms: 1, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };
const tenants = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => op({ type: 'tenant.create', name: `t${from + i}`, quota }));

/** The database as the attacker sees it: no Ledger, triggers disabled. */
async function raw(b: Backend): Promise<Driver> {
  const d =
    b.name === 'pg'
      ? await openPg(b.opts.databaseUrl!, b.opts.schema!)
      : await openPglite({ dataDir: b.opts.dataDir! });
  await d.query('ALTER TABLE "trace" DISABLE TRIGGER USER');
  await d.query('ALTER TABLE "trace_heads" DISABLE TRIGGER USER');
  return d;
}

/** Rewrite every row from `from` on with a valid chain (the attacker re-seals the suffix). */
async function reseal(d: Driver, from: number, edit: (text: string) => string): Promise<void> {
  const rows = await d.query<{ seq: number; text: string; hash: string }>(
    'SELECT "seq","text","hash" FROM "trace" WHERE "seq" >= $1 ORDER BY "seq"',
    [from],
  );
  let prev = (await d.query<{ hash: string }>('SELECT "hash" FROM "trace" WHERE "seq" = $1', [from - 1]))[0]!
    .hash;
  for (const r of rows) {
    const e = JSON.parse(edit(r.text)) as Record<string, unknown>;
    e.prev = prev;
    const text = canonicalJson(e);
    const hash = nodeSha256(text);
    await d.query('UPDATE "trace" SET "text" = $2, "prev" = $3, "hash" = $4 WHERE "seq" = $1', [
      r.seq,
      text,
      prev,
      hash,
    ]);
    prev = hash;
  }
}

async function expectRefused(l: Ledger, seq: number): Promise<void> {
  await expect(l.submit(op({ type: 'clock.advance', ticks: 1 }))).rejects.toMatchObject({
    code: 'HV_TRACE_BROKEN',
    params: { seq },
  });
  // Reads still work.
  expect((await l.entries({ limit: 3 })).map((e) => e.seq)).toEqual([1, 2, 3]);
}

describe.each(BACKENDS)('the seal on %s', (kind) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });
  const backend = (extra: Parameters<typeof freshBackend>[1] = {}) => {
    const keyDir = mkdtempSync(join(tmpdir(), 'xdv-seal-keys-'));
    const b = freshBackend(kind, { keyDir, ...extra });
    cleanups.push(b.cleanup, () => rmSync(keyDir, { recursive: true, force: true }));
    return { b, keyDir };
  };

  /** A store with 12 tenants, closed cleanly (checkpoint and signed head at the head). */
  async function sealedStore(extra: Parameters<typeof freshBackend>[1] = {}) {
    const s = backend(extra);
    const l = await Ledger.open(s.b.opts);
    await l.submitMany(tenants(12));
    const head = l.state.seq;
    const key = l.nodeKey;
    await l.close();
    return { ...s, head, key };
  }

  it('creates the key on first start (0600), keeps it, signs heads and checkpoints; a clean store verifies', async () => {
    const { b, keyDir, head, key } = await sealedStore();
    expect(statSync(join(keyDir, 'node-key.json')).mode & 0o777).toBe(0o600);
    expect(key.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(keyDir).some((f) => /^head-[0-9a-f]{16}\.json$/.test(f))).toBe(true);
    const l = await Ledger.open(b.opts);
    try {
      expect(l.nodeKey.fingerprint).toBe(key.fingerprint);
      expect(l.broken).toBeNull();
      const h = await l.signedHead();
      expect(h).toMatchObject({ seq: head, key: key.fingerprint, publicKey: key.publicKey, trusted: true });
      const cps = await l.sql<{ seq: number; key: string }>('SELECT "seq","key" FROM "checkpoints"');
      expect(cps).toEqual([{ seq: head, key: key.fingerprint }]);
      const p = await l.verified();
      expect(p).toMatchObject({ done: true, result: { ok: true, mismatch: null }, checked: head });
      expect((await l.verify()).ok).toBe(true);
      await l.submit(op({ type: 'clock.advance', ticks: 1 }));
    } finally {
      await l.close();
    }
  });

  it('truncation: the newest command groups, their heads and the checkpoints deleted', async () => {
    const { b, head } = await sealedStore();
    const d = await raw(b);
    // Keep the first 8 tenants: delete from the 9th tenant.create on (a command boundary).
    const cut = head - 4 * 2 + 1;
    await d.query('DELETE FROM "trace" WHERE "seq" >= $1', [cut]);
    await d.query('DELETE FROM "trace_heads" WHERE "seq" >= $1', [cut]);
    await d.query('DELETE FROM "checkpoints"');
    await d.close();
    const l = await Ledger.open(b.opts);
    try {
      expect(l.broken).toMatchObject({ seq: head, reason: expect.stringMatching(/^truncation: /) });
      expect(l.broken?.reason).toContain(`trace ends at seq ${cut - 1}`);
      await expectRefused(l, head);
      expect((await l.verify()).mismatch).toMatchObject({
        seq: head,
        reason: expect.stringMatching(/^truncation/),
      });
    } finally {
      await l.close();
    }
  });

  it('re-sealed forgery: a row edited, every hash after it recomputed, heads and checkpoints deleted', async () => {
    const { b, head } = await sealedStore();
    const d = await raw(b);
    // The tenant.create at 11 and its effect at 12, consistently: replay alone finds nothing.
    await reseal(d, 11, (t) => t.replace('"name":"t', '"name":"X'));
    await d.query('DELETE FROM "trace_heads"');
    await d.query('DELETE FROM "checkpoints"');
    await d.close();
    const l = await Ledger.open(b.opts);
    try {
      expect(l.broken).toMatchObject({ seq: head, reason: expect.stringMatching(/^rollback\/forgery: /) });
      await expectRefused(l, head);
    } finally {
      await l.close();
    }
  });

  it('re-sealed forgery with heads forged by another key', async () => {
    const { b, head } = await sealedStore();
    const d = await raw(b);
    await reseal(d, 11, (t) => t.replace('"name":"t', '"name":"X'));
    await d.query('DELETE FROM "trace_heads"');
    await d.query('DELETE FROM "checkpoints"');
    const rogue = NodeKey.ephemeral();
    const last = (
      await d.query<{ seq: number; l: number; hash: string }>(
        'SELECT "seq","l","hash" FROM "trace" ORDER BY "seq" DESC LIMIT 1',
      )
    )[0]!;
    const h = rogue.signHead({ seq: Number(last.seq), l: Number(last.l), hash: last.hash });
    await d.query('INSERT INTO "trace_heads" ("seq","l","hash","key","sig") VALUES ($1,$2,$3,$4,$5)', [
      h.seq,
      h.l,
      h.hash,
      h.key,
      h.sig,
    ]);
    await d.close();
    // Even with the attacker's key removed from the picture, the head file names the forgery.
    const l = await Ledger.open(b.opts);
    try {
      expect(l.broken).toMatchObject({ seq: head, reason: expect.stringMatching(/^rollback\/forgery: /) });
    } finally {
      await l.close();
    }
    // And without the head file (another node's view), the forged head's key is unknown.
    const other = await Ledger.open({ ...b.opts, keyDir: mkdtempSync(join(tmpdir(), 'xdv-seal-other-')) });
    try {
      expect(other.broken).toMatchObject({ seq: head, reason: expect.stringMatching(/unknown key/) });
    } finally {
      await other.close();
    }
  });

  /** 12 tenants with a signed checkpoint after the first 6 (returned as `first`) and one at the head. */
  async function twoCheckpoints() {
    const s = backend({ checkpointEvery: 0 });
    const l0 = await Ledger.open(s.b.opts);
    await l0.submitMany(tenants(6));
    await l0.checkpoint();
    const first = l0.state.seq;
    await l0.submitMany(tenants(6, 6));
    await l0.close();
    return { s, first };
  }

  it('a checkpoint swapped for another', async () => {
    const { s, first } = await twoCheckpoints();
    const d = await raw(s.b);
    // The newer checkpoint's contents replaced by the older one's, its signature kept.
    await d.query(
      `UPDATE "checkpoints" c SET ("l","head","state_hash","state") = (SELECT o."l", o."head", o."state_hash", o."state" FROM "checkpoints" o WHERE o."seq" = $1) WHERE c."seq" > $1`,
      [first],
    );
    await d.close();
    const l = await Ledger.open(s.b.opts);
    try {
      expect(l.broken).toMatchObject({
        reason: expect.stringMatching(/^forged checkpoint at seq \d+: its signature/),
      });
      expect(l.broken!.seq).toBeGreaterThan(first);
      // Boot fell back to the older (valid) checkpoint and replayed the rest: the state is whole.
      expect(Object.keys(l.state.tenants)).toHaveLength(12);
      await expectRefused(l, l.broken!.seq);
    } finally {
      await l.close();
    }
  });

  it('an older checkpoint whose state a trusted key signed although the trace does not produce it', async () => {
    // A newer checkpoint at the head: boot starts there and never reads the older one.
    const { s, first } = await twoCheckpoints();
    const d = await raw(s.b);
    const cp = (
      await d.query<{ l: number; head: string; state: string }>(
        'SELECT "l","head","state" FROM "checkpoints" WHERE "seq" = $1',
        [first],
      )
    )[0]!;
    // The state edited (one tenant's quota raised), its hash recomputed and signed by the trusted key.
    const state = JSON.parse(cp.state) as { tenants: Record<string, { quota: { vhms: number } }> };
    Object.values(state.tenants)[0]!.quota.vhms = 99;
    const text = JSON.stringify(state);
    const body = { seq: first, l: Number(cp.l), head: cp.head, stateHash: nodeSha256(text) };
    await d.query('UPDATE "checkpoints" SET "state" = $2, "state_hash" = $3, "sig" = $4 WHERE "seq" = $1', [
      first,
      text,
      body.stateHash,
      NodeKey.loadOrCreate(s.keyDir).sign(CHECKPOINT_KIND, checkpointBody(body)),
    ]);
    await d.close();
    const l = await Ledger.open(s.b.opts);
    try {
      const p = await l.verified();
      expect(p.result?.mismatch).toEqual({
        seq: first,
        reason: `forged checkpoint at seq ${first}: its signed state hash is not the replayed state's`,
      });
      await expectRefused(l, first);
      // The on-demand verification (/v1/trace/verify) names it too.
      expect((await l.verify()).mismatch?.seq).toBe(first);
    } finally {
      await l.close();
    }
  });

  it('a head signed by an unknown key (default trust: not in the key table; pinned: not pinned)', async () => {
    const { b, key } = await sealedStore();
    const rogue = NodeKey.ephemeral();
    const d = await raw(b);
    const row = (
      await d.query<{ seq: number; l: number; hash: string }>(
        'SELECT "seq","l","hash" FROM "trace" WHERE "seq" = 5',
      )
    )[0]!;
    const h = rogue.signHead({ seq: 5, l: Number(row.l), hash: row.hash });
    await d.query('INSERT INTO "trace_heads" ("seq","l","hash","key","sig") VALUES ($1,$2,$3,$4,$5)', [
      h.seq,
      h.l,
      h.hash,
      h.key,
      h.sig,
    ]);
    await d.close();
    const l = await Ledger.open(b.opts);
    try {
      // Below the checkpoint: the background verification finds it.
      const p = await l.verified();
      expect(p.result?.mismatch).toMatchObject({ seq: 5, reason: expect.stringMatching(/unknown key/) });
      expect(l.broken?.seq).toBe(5);
      await expectRefused(l, 5);
    } finally {
      await l.close();
    }
    // The attacker also records their key in the key table: only pinning defeats that.
    const d2 = await raw(b);
    await d2.query('INSERT INTO "node_keys" ("fingerprint","public_key","node") VALUES ($1,$2,$3)', [
      rogue.fingerprint,
      rogue.publicKey,
      'rogue',
    ]);
    await d2.close();
    const pinned = await Ledger.open({ ...b.opts, trustedKeys: key.fingerprint });
    try {
      const r = await pinned.verify();
      expect(r.mismatch).toMatchObject({ seq: 5, reason: expect.stringMatching(/unknown key/) });
      expect(pinned.broken?.seq).toBe(5);
    } finally {
      await pinned.close();
    }
    expect(HEAD_KIND).toBe('xdv/trace-head/v1');
  });

  it('an old row edited under a checkpoint at the head: the background check catches it, then writes are refused', async () => {
    const { b, head } = await sealedStore();
    const d = await raw(b);
    await d.query(`UPDATE "trace" SET "text" = replace("text", '"name":"t', '"name":"X') WHERE "seq" = 11`);
    await d.close();
    const l = await Ledger.open(b.opts);
    try {
      // Served from the signed checkpoint at the head: boot itself has nothing to replay.
      expect(l.state.seq).toBe(head);
      const p = await l.verified();
      expect(p).toMatchObject({ done: true, result: { ok: false, mismatch: { seq: 11 } } });
      expect(l.broken?.seq).toBe(11);
      await expectRefused(l, 11);
    } finally {
      await l.close();
    }
  });
});
