import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleFormatError, Ledger, NodeKey, verifyBundle } from '../src/index.js';
import { BACKENDS, freshBackend, op } from './helpers.js';

// The remote verifier (XDV-034 §8): a bundle exported through a keyed Ledger verifies offline, and
// every edit an attacker can make to the file is named at its first bad seq.

const quota = { vhms: 1, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'verify-bundle.js');

type Line = Record<string, unknown>;
const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Line);
const dump = (objs: Line[]) => objs.map((o) => JSON.stringify(o));
const isEntry = (o: Line) => !('kind' in o);

/** Rewrite entries from seq `from` on with a valid chain (hashes and prev links recomputed). */
function reseal(objs: Line[], from: number, edit: (text: string) => string): Line[] {
  let prev = '';
  return objs.map((o) => {
    if (!isEntry(o)) return o;
    const seq = o.seq as number;
    if (seq < from) {
      prev = o.hash as string;
      return o;
    }
    const e = JSON.parse(edit(o.text as string)) as Record<string, unknown>;
    e.prev = prev;
    const text = canonicalJson(e);
    const hash = nodeSha256(text);
    prev = hash;
    return { seq, hash, text };
  });
}

describe.each(BACKENDS)('trace bundle on %s', (kind) => {
  const lines: string[] = [];
  let fingerprint = '';
  let n = 0;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    const keyDir = mkdtempSync(join(tmpdir(), 'xdv-bundle-keys-'));
    const b = freshBackend(kind, { keyDir, checkpointEvery: 15 });
    cleanups.push(b.cleanup, () => rmSync(keyDir, { recursive: true, force: true }));
    const l = await Ledger.open(b.opts);
    for (let i = 0; i < 8; i++) {
      await l.submit(op({ type: 'tenant.create', name: `t${i}`, quota }));
      await l.submit(op({ type: 'clock.advance', ticks: 1 }));
    }
    fingerprint = l.nodeKey.fingerprint;
    await l.close();
    // Reopen to export: a clean close signed the head at the end.
    const r = await Ledger.open(b.opts);
    n = r.state.seq;
    for await (const chunk of r.exportBundle()) lines.push(...chunk.split('\n').filter(Boolean));
    await r.close();
  }, 60_000);
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  const entryAt = (objs: Line[], seq: number) => objs.findIndex((o) => isEntry(o) && o.seq === seq);

  it('exports header, keys, signed heads and checkpoints, then every entry; it verifies (any chunking, pinned or not)', async () => {
    const objs = parse(lines);
    expect(objs[0]).toMatchObject({ kind: 'xdv-trace-bundle', version: 1, entries: n });
    expect(objs.filter(isEntry).map((o) => o.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const r = await verifyBundle(lines);
    expect(r.firstBad).toBeNull();
    expect(r).toMatchObject({ ok: true, entries: n, keys: [fingerprint] });
    expect(r.heads).toBeGreaterThan(0);
    expect(r.checkpoints).toBeGreaterThan(0);
    expect((await verifyBundle(lines, { chunk: 3, fullInvariantsEvery: 1 })).ok).toBe(true);
    expect((await verifyBundle(lines, { trust: [fingerprint] })).ok).toBe(true);
    async function* gen() {
      yield* lines;
    }
    expect((await verifyBundle(gen())).ok).toBe(true);
  });

  it('an edited entry text is named at its seq', async () => {
    const objs = parse(lines);
    const i = entryAt(objs, 7);
    objs[i] = { ...objs[i], text: (objs[i]!.text as string).replace('"l":', '"l": ') };
    const r = await verifyBundle(dump(objs));
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ seq: 7, reason: expect.stringMatching(/hash/) });
  });

  it('a deleted entry is named at its seq', async () => {
    const objs = parse(lines);
    objs.splice(entryAt(objs, 9), 1);
    const r = await verifyBundle(dump(objs));
    expect(r.firstBad).toMatchObject({ seq: 9, reason: expect.stringMatching(/gap|expected seq 9/) });
  });

  it('a truncated tail is named even when the header is edited to match (the heads say more)', async () => {
    // Cut on a command boundary (the last command's entries removed), so the replay alone passes.
    const all = parse(lines);
    const cut = Math.max(
      ...all
        .filter((o) => isEntry(o) && JSON.parse(o.text as string).payload?.command)
        .map((o) => o.seq as number),
    );
    const objs = all.filter((o) => !isEntry(o) || (o.seq as number) < cut);
    objs[0] = { ...objs[0], entries: cut - 1 };
    const r = await verifyBundle(dump(objs));
    expect(r.firstBad).toMatchObject({
      seq: cut,
      reason: expect.stringMatching(/truncation: a head was signed/),
    });
    // Cut inside a command group: the replay names it at the first missing seq.
    const mid = all.filter((o) => !isEntry(o) || (o.seq as number) <= n - 1);
    expect((await verifyBundle(dump(mid))).firstBad).toMatchObject({ seq: n });
  });

  it('a re-sealed suffix: an edited entry with every hash after it recomputed is caught by replay', async () => {
    const objs = reseal(parse(lines), 8, (t) => t.replace('"ticks":1', '"ticks":2'));
    const first = objs.find((o) => isEntry(o) && (o.text as string).includes('"ticks":2'))!.seq as number;
    const r = await verifyBundle(dump(objs));
    expect(r.ok).toBe(false);
    expect(r.firstBad!.seq).toBe(first);
  });

  it('a re-sealed suffix that replays (a consistent rename) is caught by the signed heads', async () => {
    const objs = parse(lines);
    const from = objs.find((o) => isEntry(o) && (o.text as string).includes('"name":"t5"'))!.seq as number;
    const forged = reseal(objs, from, (t) => t.replaceAll('"name":"t5"', '"name":"tz"'));
    const signedAt = objs
      .filter((o) => (o.kind === 'head' || o.kind === 'checkpoint') && (o.seq as number) >= from)
      .map((o) => o.seq as number);
    const r = await verifyBundle(dump(forged));
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({
      seq: Math.min(...signedAt),
      reason: expect.stringMatching(/rollback\/forgery/),
    });
  });

  it('a head signed by a key not in the bundle, or not pinned, or with a bad signature, is named', async () => {
    const objs = parse(lines);
    const e5 = objs[entryAt(objs, 5)]!;
    const attacker = NodeKey.ephemeral();
    const head = {
      kind: 'head',
      ...attacker.signHead({ seq: 5, l: JSON.parse(e5.text as string).l, hash: e5.hash as string }),
    };
    const withHead = [objs[0]!, head, ...objs.slice(1)];
    expect((await verifyBundle(dump(withHead))).firstBad).toMatchObject({
      seq: 5,
      reason: expect.stringMatching(/unknown key/),
    });
    const key = {
      kind: 'key',
      fingerprint: attacker.fingerprint,
      publicKey: attacker.publicKey,
      node: 'evil',
    };
    const withKey = [objs[0]!, key, head, ...objs.slice(1)];
    expect((await verifyBundle(dump(withKey))).ok).toBe(true); // self-consistent: only pinning tells
    const pinned = await verifyBundle(dump(withKey), { trust: fingerprint });
    expect(pinned.firstBad).toMatchObject({ seq: 5, reason: expect.stringMatching(/not pinned/) });
    expect(pinned.keys).toEqual([fingerprint]);
    const hi = objs.findIndex((o) => o.kind === 'head');
    const forged = [...objs];
    forged[hi] = { ...objs[hi], l: (objs[hi]!.l as number) + 1 };
    expect((await verifyBundle(dump(forged))).firstBad).toMatchObject({
      seq: objs[hi]!.seq,
      reason: expect.stringMatching(/forged head/),
    });
  });

  it('not a bundle: a format error', async () => {
    await expect(verifyBundle(['{"hello":1}'])).rejects.toBeInstanceOf(BundleFormatError);
    await expect(verifyBundle([])).rejects.toBeInstanceOf(BundleFormatError);
    const h = { ...parse(lines)[0], protocol: 999 };
    await expect(verifyBundle([JSON.stringify(h)])).rejects.toThrow(/protocol 999/);
  });

  it('the CLI exits 0 on a good bundle, 1 on a bad one naming the seq, 2 on usage errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xdv-bundle-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const good = join(dir, 'good.ndjson');
    const badFile = join(dir, 'bad.ndjson');
    writeFileSync(good, `${lines.join('\n')}\n`);
    const objs = parse(lines);
    objs.splice(entryAt(objs, 4), 1);
    writeFileSync(badFile, `${dump(objs).join('\n')}\n`);
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    const ok = run(good, '--trust', fingerprint);
    expect(ok.stdout).toMatch(/OK/);
    expect(ok.status).toBe(0);
    const bad = run(badFile);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/BAD at seq 4:/);
    expect(run(join(dir, 'missing.ndjson')).status).toBe(2);
    writeFileSync(join(dir, 'x.txt'), 'hello\n');
    expect(run(join(dir, 'x.txt')).status).toBe(2);
    expect(run().status).toBe(2);
  });
});
