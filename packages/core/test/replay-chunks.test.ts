import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import { type Command, replay, run, type StoredEntry, stateHash } from '../src/index.js';
import { genesisCmd, OPERATOR, quotaOf, tenantAdmin } from '../src/scenario/builder.js';

// Replay in chunks (boot, following, background verification): each chunk continues from the state
// the previous one returned, in place, and names a tampered command body by its seq.

function trace(): StoredEntry[] {
  const cmds: Command[] = [genesisCmd()];
  const quota = quotaOf({ vhms: 10, memory: 1 << 20, cpu: 8, qubits: 0, envelopes: 0 });
  for (let i = 0; i < 6; i++) {
    cmds.push({ type: 'tenant.create', name: `t${i}`, quota, actor: OPERATOR } as Command);
    cmds.push({
      type: 'vhm.create',
      tenant: `tenant-${i + 1}`,
      name: `v${i}`,
      quota: quotaOf({ vhms: 1, memory: 1024, cpu: 1, qubits: 0, envelopes: 0 }),
      parent: null,
      capability: null,
      actor: tenantAdmin(`tenant-${i + 1}`),
    } as Command);
    cmds.push({ type: 'clock.advance', ticks: 1, actor: OPERATOR } as Command);
  }
  return run(cmds, { hasher: nodeSha256 }).results.flatMap((r) =>
    r.entries.map((e) => ({ seq: e.seq, text: e.text, hash: e.hash })),
  );
}

describe('chunked replay', () => {
  it('continues in place from the previous chunk’s state and ends where one replay ends', () => {
    const stored = trace();
    const whole = replay(stored, { hasher: nodeSha256 });
    expect(whole.ok).toBe(true);
    // Cut on command boundaries: before each command entry (outcome accepted or rejected).
    const starts = stored.flatMap((s, i) => (i > 0 && !s.text.includes('"outcome":"effect"') ? [i] : []));
    const first = replay(stored.slice(0, starts[3]), { hasher: nodeSha256 });
    let state = first.state;
    let entries = first.entries;
    for (const [a, b] of [
      [starts[3], starts[9]],
      [starts[9], stored.length],
    ] as const) {
      const r = replay(stored.slice(a, b), { hasher: nodeSha256, from: state, inPlace: true });
      expect(r.ok).toBe(true);
      expect(r.state).toBe(state); // no copy of the whole state per chunk
      entries += r.entries;
      state = r.state;
    }
    expect(entries).toBe(stored.length);
    expect(stateHash(state, nodeSha256)).toBe(stateHash(whole.state, nodeSha256));
    // Without inPlace the caller's state is left as it was.
    const copy = replay(stored.slice(0, starts[3]), { hasher: nodeSha256 });
    const before = stateHash(copy.state, nodeSha256);
    const r = replay(stored.slice(starts[3]), { hasher: nodeSha256, from: copy.state });
    expect(r.state).not.toBe(copy.state);
    expect(stateHash(copy.state, nodeSha256)).toBe(before);
    expect(stateHash(r.state, nodeSha256)).toBe(stateHash(whole.state, nodeSha256));
  });

  it('names a command entry whose body was given an actor of its own, its hash re-sealed', () => {
    const stored = trace();
    const at = stored.findIndex(
      (s) => s.text.includes('"type":"vhm.create"') && s.text.includes('"accepted"'),
    );
    const text = stored[at]!.text.replace('"command":{', '"command":{"actor":{"kind":"operator"},');
    const forged = stored.map((s, i) => (i === at ? { ...s, text, hash: nodeSha256(text) } : s));
    const r = replay(forged, { hasher: nodeSha256 });
    expect(r.ok).toBe(false);
    expect(r.mismatch?.seq).toBe(stored[at]!.seq);
    expect(r.entries).toBe(at);
  });
});
