import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import { checkAll, cloneState, emptyState, type State, step } from '../src/index.js';
import { universe } from '../src/verify/universe.js';

// Each invariant added for the binding and contract lifecycles, calibrations and capability
// derivation: it holds on a real state, and a corrupted copy fails it with a message naming the object.

const bound: State = (() => {
  const s = emptyState();
  for (const cmd of universe('bound').prefix) step(s, cmd, { hasher: nodeSha256 });
  // A derived capability, so the derivation tree has an edge.
  step(
    s,
    {
      type: 'cap.derive',
      vhm: 'vhm-1',
      capability: 'cap-1',
      rights: ['BIND_K'],
      actor: { kind: 'tenant', tenant: 'tenant-1', role: 'admin' },
    },
    { hasher: nodeSha256 },
  );
  return s;
})();

function broken(corrupt: (s: State) => void): string[] {
  const s = cloneState(bound);
  corrupt(s);
  return checkAll(s).map((v) => `${v.invariant}: ${v.detail}`);
}

describe('lifecycle and derivation invariants', () => {
  it('hold on the bound universe', () => {
    expect(checkAll(bound)).toEqual([]);
    expect(bound.bindings['binding-4']!.state).toBe('requested');
    expect(bound.capabilities['cap-4']!.parent).toBe('cap-1');
  });

  it('binding-lifecycle: a skipped, repeated or resurrected state, or a history out of step', () => {
    expect(
      broken((s) => {
        s.bindings['binding-1']!.history = [
          ['requested', 20],
          ['active', 21],
        ];
      }),
    ).toContain('binding-lifecycle: binding-1 goes requested → active, skipping or repeating a state');
    expect(
      broken((s) => {
        s.bindings['binding-1']!.history.splice(1, 0, ['requested', 20]);
      }),
    ).toContain('binding-lifecycle: binding-1 goes requested → requested, skipping or repeating a state');
    expect(
      broken((s) => {
        s.bindings['binding-4']!.history.unshift(['validated', 1]);
      }),
    ).toContain('binding-lifecycle: binding-4 history does not start at requested');
    expect(
      broken((s) => {
        s.bindings['binding-4']!.history.push(['released', 99], ['validated', 99]);
      }),
    ).toContain('binding-lifecycle: binding-4 moves to validated after released');
    expect(
      broken((s) => {
        s.bindings['binding-4']!.state = 'validated';
      }),
    ).toContain('binding-lifecycle: binding-4 is validated but its history ends at requested');
    const h = bound.bindings['binding-1']!.history;
    expect(
      broken((s) => {
        s.bindings['binding-1']!.history[2]![1] = h[0]![1] - 1;
      }),
    ).toContain(`binding-lifecycle: binding-1 history runs back in L (${h[1]![1]} → ${h[0]![1] - 1})`);
  });

  it('binding-lifecycle: an active Q binding owns exactly one live container, a Φ one one envelope', () => {
    const qc = bound.bindings['binding-2']!.container!;
    expect(
      broken((s) => {
        s.containers['qc-9'] = { ...s.containers[qc]!, id: 'qc-9' };
      }),
    ).toContain(
      'binding-lifecycle: active Q binding-2 does not own exactly one live container of contract-2',
    );
    const env = bound.bindings['binding-3']!.envelope!;
    expect(
      broken((s) => {
        s.envelopes[env]!.live = false;
      }),
    ).toContain('binding-lifecycle: active Φ binding-3 does not own exactly one live envelope of contract-3');
    expect(
      broken((s) => {
        s.envelopes[env]!.end += 1;
      }),
    ).toContain(`binding-lifecycle: ${env} does not match contract-3's window and provider`);
    expect(
      broken((s) => {
        s.bindings['binding-1']!.container = qc;
      }),
    ).toContain('binding-lifecycle: K binding-1 holds a resource of another domain');
    expect(
      broken((s) => {
        s.contracts['contract-2']!.status = 'issued';
      }),
    ).toContain('binding-lifecycle: active binding-2 sits on issued contract-2');
    expect(
      broken((s) => {
        s.bindings['binding-4']!.capability = 'cap-1';
      }),
    ).toContain('capability-namespace: binding-4 was granted under cap-1, not a capability of vhm-3');
  });

  it('contract-lifecycle and calibration: ends, windows and validity intervals are sane', () => {
    expect(
      broken((s) => {
        s.contracts['contract-1']!.endedL = s.l;
      }),
    ).toContain(`contract-lifecycle: active contract-1 has an end (L ${bound.l})`);
    expect(
      broken((s) => {
        s.contracts['contract-3']!.phi!.duration = 1;
        s.envelopes[s.bindings['binding-3']!.envelope!]!.end = s.contracts['contract-3']!.phi!.start + 1;
        // Time has passed the window's end (only clock ticks move L, so set it).
        s.l = Math.max(s.l, s.contracts['contract-3']!.phi!.start + 2);
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^contract-lifecycle: contract-3 is active after its window closed/),
      ]),
    );
    expect(
      broken((s) => {
        const c = s.contracts['contract-1']!;
        c.status = 'released';
        c.binding = null;
      }).some((v) => v.startsWith('contract-lifecycle: released contract-1 does not record a sane end')),
    ).toBe(true);
    expect(
      broken((s) => {
        s.calibrations['cal-1']!.until = s.calibrations['cal-1']!.from;
      }).some((v) => v.startsWith('calibration: cal-1 validity')),
    ).toBe(true);
    expect(
      broken((s) => {
        s.contracts['contract-2']!.q!.calibration = 'cal-9';
      }),
    ).toContain('calibration: contract-2 names cal-9, not a calibration of provider-2');
    expect(
      broken((s) => {
        s.calibrations['cal-1']!.provider = 'provider-1';
      }),
    ).toContain('calibration: cal-1 was issued for provider-1, not a Q provider');
  });

  it('capability-derivation: the tree is consistent both ways and a child is never older', () => {
    expect(
      broken((s) => {
        s.capabilities['cap-1']!.children = [];
      }),
    ).toContain('capability-derivation: cap-4 derives from cap-1, which does not list it');
    expect(
      broken((s) => {
        s.capabilities['cap-2']!.children.push('cap-4');
      }),
    ).toContain('capability-derivation: cap-2 lists cap-4, which does not derive from it');
    expect(
      broken((s) => {
        s.capabilities['cap-4']!.issuedL = s.capabilities['cap-1']!.issuedL - 1;
      }),
    ).toContain('capability-derivation: cap-4 was derived before its parent cap-1 existed');
  });
});
