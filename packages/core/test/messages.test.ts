import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import {
  type ErrorCode,
  FAULT_MESSAGES,
  FAULT_REASONS,
  MESSAGES,
  type MessageTemplates,
  renderFault,
  renderMessage,
  replay,
  stateHash,
} from '../src/index.js';
import { messageOf } from './expect.js';
import { boundQ, fleet } from './world.js';

/** A short trace with rejections of several families, and one refusal with effects. */
function traceWithRejections() {
  const f = fleet();
  const { w } = f;
  const rejected = [
    w.as(f.a2, { type: 'vhm.pause', vhm: f.vhm }),
    w.as(f.a1, { type: 'cap.derive', vhm: f.vhm, capability: f.root, rights: ['FLY' as never] }),
    w.as(f.a1, {
      type: 'tenant.create',
      name: 'x',
      quota: { cpu: 0, envelopes: 0, memory: 0, qubits: 0, vhms: 0 },
    }),
    w.op({ type: 'clock.advance', ticks: 0 }),
    w.as(f.a1, {
      type: 'contract.allocate',
      vhm: f.vhm,
      capability: f.root,
      domain: 'Q',
      provider: f.q,
      q: { qubits: 10_000, budget: 10, calibration: f.cal },
    }),
  ];
  const { binding } = boundQ(f, f.vhm, f.root, 5, 10);
  const refusal = w.as(f.a1, {
    type: 'q.job',
    vhm: f.vhm,
    capability: f.root,
    binding,
    cost: 11,
    operations: ['h'],
  });
  return { f, w, rejected: [...rejected, refusal] };
}

describe('a rejection in the trace is data, never prose', () => {
  it('records exactly actor, code, command and params, and no rendered message', () => {
    const { rejected } = traceWithRejections();
    for (const r of rejected) {
      expect(r.error).not.toBeNull();
      const head = r.entries[0]!;
      expect(head.outcome).toBe('rejected');
      expect(Object.keys(head.payload)).toEqual(['actor', 'code', 'command', 'params']);
      expect(head.payload.params).toEqual(r.error!.params);
      expect(Object.keys(r.error!)).toEqual(['code', 'params']);
      const text = messageOf(r);
      expect(text.length).toBeGreaterThan(10);
      for (const e of r.entries) expect(e.text).not.toContain(text);
      // No sentence in the params either: lowercase tokens, ids, numbers and lists of them.
      expect(JSON.stringify(head.payload.params)).not.toMatch(/[a-z]+ [a-z]+ /);
    }
  });
});

describe('message templates', () => {
  it('say what was refused and what to do next', () => {
    const { f, rejected } = traceWithRejections();
    expect(messageOf(rejected[0]!)).toBe(`VHM ${f.vhm} does not exist.`);
    expect(messageOf(rejected[1]!)).toMatch(/^rights\.0 is not a known right; the rights are BIND_K, /);
    expect(messageOf(rejected[2]!)).toBe('Only an operator may create tenants.');
    expect(messageOf(rejected[3]!)).toBe('ticks must be at least 1.');
    expect(messageOf(rejected[4]!)).toBe('qpu-1 has 50 qubits free; 10000 requested.');
    expect(rejected[4]!.error!.params).toEqual({
      available: 50,
      provider: 'qpu-1',
      requested: 10_000,
      resource: 'qubits',
    });
    expect(messageOf(rejected[5]!)).toMatch(
      /^Job cost 11 exceeds the remaining budget 10; contract contract-\d+ is invalidated\.$/,
    );
  });

  it('render API and store codes from their params too', () => {
    expect(renderMessage('HV_TRACE_BROKEN', { seq: 42 })).toBe(
      'The trace is broken at seq 42; writes are refused until an operator restores it.',
    );
    expect(renderMessage('HV_PRECONDITION_FAILED', { etag: '"abc"' })).toContain('ETag is now "abc"');
    expect(renderMessage('NOT_A_CODE', {})).toBe('NOT_A_CODE');
  });

  it('can be swapped for a test, and a reworded table changes no hash: the trace still replays byte for byte', () => {
    const { w, rejected } = traceWithRejections();
    const reworded = Object.fromEntries(
      Object.keys(MESSAGES).map((code) => [code, (p: object) => `REWORDED ${code} ${JSON.stringify(p)}`]),
    ) as unknown as MessageTemplates;
    for (const r of rejected) {
      const { code, params } = r.error!;
      const before = renderMessage(code, params);
      const after = renderMessage(code as ErrorCode, params, reworded);
      expect(after).not.toBe(before);
      expect(after.startsWith(`REWORDED ${code}`)).toBe(true);
      for (const e of w.entries()) {
        expect(e.text).not.toContain(before);
        expect(e.text).not.toContain(after);
      }
    }
    // Replay is the same core: it never renders a message, so the wording cannot move a byte.
    const stored = w.entries().map((e) => ({ hash: e.hash, seq: e.seq, text: e.text }));
    const r = replay(stored, { hasher: nodeSha256 });
    expect(r.mismatch).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.entries).toBe(stored.length);
    expect(stateHash(r.state, nodeSha256)).toBe(stateHash(w.state, nodeSha256));
    expect(r.state.head).toBe(w.state.head);
  });
});

describe('faults are data too', () => {
  it('record a reason token and params, never text, and render from them at the edge', () => {
    const { f, w } = traceWithRejections();
    const cap = w.created(
      w.ok(f.a1, { type: 'cap.derive', vhm: f.vhm, capability: f.root, rights: ['BIND_K'] }),
      'capability',
    );
    w.op({ type: 'fault.inject', kind: 'capability_revocation', target: cap, amount: 0 });
    const { contract } = boundQ(f, f.vhm, f.root, 5, 10);
    w.op({ type: 'fault.inject', kind: 'contract_invalidation', target: contract, amount: 0 });
    const faults = Object.values(w.state.faults);
    expect(faults.map((x) => x.params.reason)).toEqual([
      'decoherence_exceeded',
      'injected_revocation',
      'injected_invalidation',
    ]);
    const texts = faults.map((x) => renderFault(x.params));
    expect(texts[1]).toBe(`Capability ${cap} revoked during execution by fault injection.`);
    expect(texts[2]).toBe(`Contract ${contract} invalidated by fault injection.`);
    const all = w.entries().map((e) => e.text);
    for (const t of texts) {
      expect(t).not.toMatch(/undefined|\[object/);
      for (const text of all) expect(text).not.toContain(t);
    }
    expect(JSON.stringify(w.state)).not.toContain('fault injection');
    for (const e of w.entries().filter((x) => x.type === 'fault.escalated'))
      expect(Object.keys(e.payload)).toEqual(['code', 'fault', 'injected', 'level', 'params']);
  });

  it('has one template per fault reason', () => {
    expect(Object.keys(FAULT_MESSAGES).sort()).toEqual([...FAULT_REASONS].sort());
    expect(renderFault({ reason: 'nope' })).toBe('nope');
  });
});
