import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import { type Command, emptyState, step } from '../src/index.js';
import { genesisCmd, OPERATOR } from '../src/scenario/builder.js';

type Canonicalize = (input: unknown) => string | undefined;
const canonicalize: Canonicalize =
  (canonicalizeModule as unknown as { default?: Canonicalize }).default ??
  (canonicalizeModule as unknown as Canonicalize);

// The step records a command in canonical key order, from the same walk that checks it is plain
// JSON: whatever the order its caller wrote, the command entry is the canonical JSON of the body,
// and what canonical JSON cannot encode is refused before anything changes.

function started() {
  const s = emptyState();
  step(s, genesisCmd(), { hasher: nodeSha256 });
  return s;
}

const value = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null));
const extra = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('1', '10', '9', '__proto__', 'zz')),
  fc.oneof(value, fc.array(value, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 3 }), value)),
  { maxKeys: 5 },
);

describe('the command entry', () => {
  it('is the canonical JSON of the command body in any key order (arbitrary extra fields)', () => {
    fc.assert(
      fc.property(extra, fc.boolean(), (fields, typeLast) => {
        const s = started();
        const { actor: _a, type: _t, ...rest } = fields as Record<string, unknown>;
        const cmd = (typeLast
          ? { ...rest, actor: OPERATOR, type: 'sched.tick' }
          : { type: 'sched.tick', actor: OPERATOR, ...rest }) as unknown as Command;
        const head = step(s, cmd, { hasher: nodeSha256 }).entries[0]!;
        const { actor: _actor, ...body } = cmd as unknown as Record<string, unknown>;
        expect(head.text).toContain(`"command":${canonicalize(body)}`);
        expect(head.text).toBe(canonicalize(JSON.parse(head.text)));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a command that is not plain JSON, changing nothing', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ budget: Number.NaN }, /command\.budget is NaN/],
      [{ list: [1, undefined] }, /command\.list\[1\] is undefined/],
      [{ f: () => 1 }, /command\.f is a function/],
      [{ deep: { n: Number.POSITIVE_INFINITY } }, /command\.deep\.n is Infinity/],
      // An inherited enumerable key is part of what the walk sees.
      [Object.create({ g: () => 1 }) as Record<string, unknown>, /command\.g is a function/],
    ];
    for (const [fields, message] of bad) {
      const s = started();
      const before = JSON.stringify(s);
      // The fields themselves become the command (a spread would drop an inherited key).
      const cmd = Object.assign(fields, { type: 'sched.tick', actor: OPERATOR }) as unknown as Command;
      expect(() => step(s, cmd)).toThrow(message);
      expect(JSON.stringify(s)).toBe(before);
    }
  });
});
