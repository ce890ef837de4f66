import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import {
  apply,
  type Command,
  type Entry,
  emptyState,
  nobleSha256,
  replay,
  type StoredEntry,
  stateHash,
  step,
} from '../src/index.js';
import { quotaOf } from '../src/scenario/builder.js';
import { activeVhm, boundPhi, boundQ, fleet } from './world.js';

// Determinism (XDV-053 §3.1, §8; XDV-071 §4.1): same commands, same bytes; replay reproduces the
// live state at any L; tampering is located to the exact entry; both hashers agree.

/** A busy scenario: nesting, K/Q/Φ bindings, jobs within and beyond budget, scheduling, faults. */
function scenarioCommands(): Command[] {
  const f = fleet();
  const { w } = f;
  const child = activeVhm(
    w,
    f.a1,
    f.t1,
    'child',
    { vhm: f.vhm, cap: f.root },
    quotaOf({ memory: 8192, cpu: 2, qubits: 4, envelopes: 1 }),
  );
  const other = activeVhm(w, f.a2, f.t2, 'other');
  const q = boundQ(f, f.vhm, f.root, 5, 6);
  boundPhi(f, 10, 20);
  w.as(f.a1, {
    type: 'q.job',
    vhm: f.vhm,
    capability: f.root,
    binding: q.binding,
    cost: 2,
    operations: ['h'],
  });
  w.as(f.a1, { type: 'process.spawn', vhm: f.vhm, capability: f.root, name: 'worker' });
  w.as(f.a1, {
    type: 'sched.submit',
    vhm: f.vhm,
    capability: f.root,
    process: 'proc-1',
    domain: 'K',
    contract: null,
    priority: 2,
    quanta: 3,
  });
  for (let i = 0; i < 4; i++) w.op({ type: 'sched.tick' });
  w.op({ type: 'clock.advance', ticks: 12 });
  w.as(f.a2, {
    type: 'contract.allocate',
    vhm: other.vhm,
    capability: other.root,
    domain: 'Q',
    provider: f.q,
    q: { qubits: 60, budget: 5, calibration: f.cal },
  });
  w.as(f.a1, { type: 'q.job', vhm: f.vhm, capability: f.root, binding: q.binding, cost: 50, operations: [] });
  w.op({ type: 'clock.advance', ticks: 30 });
  w.as(f.a1, { type: 'snapshot.take', vhm: child.vhm, capability: child.root, include: ['K'] });
  w.as(f.a1, { type: 'vhm.terminate', vhm: f.vhm });
  w.as(f.a1, { type: 'vhm.release', vhm: f.vhm });
  return w.commands;
}

const COMMANDS = scenarioCommands();

function runAll(cmds: readonly Command[], hasher = nodeSha256) {
  const state = emptyState();
  const entries: Entry[] = [];
  const hashesAtL: Array<{ l: number; hash: string }> = [];
  for (const c of cmds) {
    entries.push(...step(state, c, { hasher }).entries);
    hashesAtL.push({ l: state.l, hash: stateHash(state, nodeSha256) });
  }
  return { state, entries, hashesAtL };
}

const stored = (es: readonly Entry[]): StoredEntry[] =>
  es.map((e) => ({ seq: e.seq, text: e.text, hash: e.hash }));

describe('determinism', () => {
  const live = runAll(COMMANDS);

  it('gives byte-identical traces for the same commands, run twice', () => {
    const again = runAll(structuredClone(COMMANDS));
    expect(live.entries.length).toBeGreaterThan(80);
    expect(again.entries.map((e) => e.text)).toEqual(live.entries.map((e) => e.text));
    expect(again.entries.map((e) => e.hash)).toEqual(live.entries.map((e) => e.hash));
    expect(stateHash(again.state, nodeSha256)).toBe(stateHash(live.state, nodeSha256));
    // The scenario really exercised refusals, rejections and cascades.
    const outcomes = new Set(live.entries.map((e) => e.outcome));
    expect([...outcomes].sort()).toEqual(['accepted', 'effect', 'rejected']);
  });

  it('apply leaves its input untouched, for accepted and rejected commands alike', () => {
    const s = emptyState();
    for (const c of COMMANDS) {
      const before = structuredClone(s);
      const hash = stateHash(s, nodeSha256);
      const r = apply(s, c, { hasher: nodeSha256 });
      expect(s).toEqual(before);
      expect(stateHash(s, nodeSha256)).toBe(hash);
      expect(r.state).not.toBe(s);
      step(s, c, { hasher: nodeSha256 });
      expect(stateHash(r.state, nodeSha256)).toBe(stateHash(s, nodeSha256));
    }
  });

  it('replays to the live state at every L (untilL) and at the end', () => {
    const full = replay(stored(live.entries), { hasher: nodeSha256, fullInvariantsEvery: 1 });
    expect(full.mismatch).toBeNull();
    expect(full.ok).toBe(true);
    expect(stateHash(full.state, nodeSha256)).toBe(stateHash(live.state, nodeSha256));
    const maxL = live.state.l;
    for (let l = 1; l <= maxL; l++) {
      // The live state at L: after the last command whose L is ≤ l.
      let expected: string | undefined;
      for (const h of live.hashesAtL) if (h.l <= l) expected = h.hash;
      const r = replay(stored(live.entries), { hasher: nodeSha256, untilL: l });
      expect(r.mismatch, `L ${l}`).toBeNull();
      expect(stateHash(r.state, nodeSha256), `L ${l}`).toBe(expected);
    }
  });

  it('names the exact seq when any stored entry’s text, hash or order is tampered with', () => {
    const clean = stored(live.entries);
    for (let i = 0; i < clean.length; i++) {
      const seq = clean[i]!.seq;
      const text = clean.map((e, j) => (j === i ? { ...e, text: e.text.replace('"l":', '"l": ') } : e));
      expect(replay(text, { hasher: nodeSha256 }).mismatch?.seq, `text of ${seq}`).toBe(seq);
      const hash = clean.map((e, j) =>
        j === i ? { ...e, hash: e.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) } : e,
      );
      expect(replay(hash, { hasher: nodeSha256 }).mismatch?.seq, `hash of ${seq}`).toBe(seq);
      if (i + 1 < clean.length) {
        const swapped = [...clean];
        [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
        expect(replay(swapped, { hasher: nodeSha256 }).mismatch?.seq, `order at ${seq}`).toBe(seq);
        // Even with seq numbers rewritten to hide the swap, the chain link names the same entry.
        const renumbered = swapped.map((e, j) => ({ ...e, seq: j + 1 }));
        const m = replay(renumbered, { hasher: nodeSha256 }).mismatch;
        expect(m?.seq, `renumbered order at ${seq}`).toBe(seq);
      }
      const dropped = clean.filter((_, j) => j !== i);
      if (i + 1 < clean.length)
        expect(replay(dropped, { hasher: nodeSha256 }).mismatch?.seq, `deletion of ${seq}`).toBe(seq);
    }
  });

  it('gives identical traces with the browser hasher (noble) and node:crypto', () => {
    const browser = runAll(COMMANDS, nobleSha256);
    expect(browser.entries.map((e) => e.hash)).toEqual(live.entries.map((e) => e.hash));
    expect(browser.entries.map((e) => e.text)).toEqual(live.entries.map((e) => e.text));
    const r = replay(stored(live.entries), { hasher: nobleSha256 });
    expect(r.ok).toBe(true);
    expect(stateHash(r.state, nobleSha256)).toBe(stateHash(live.state, nodeSha256));
  });
});
