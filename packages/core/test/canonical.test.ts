import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type Entry, type EntryDraft, entryText, type Json, sealEntry } from '../src/index.js';
import { inCanonicalOrder, UNORDERABLE } from '../src/trace/canonical.js';
import { boundPhi, boundQ, fleet } from './world.js';

// A CommonJS package whose typings declare an ES default export: take whichever shape arrives.
type Canonicalize = (input: unknown) => string | undefined;
const canonicalize: Canonicalize =
  (canonicalizeModule as unknown as { default?: Canonicalize }).default ??
  (canonicalizeModule as unknown as Canonicalize);

// The hand-written canonical JSON must be byte-equal to RFC 8785 (the `canonicalize` package) for
// every value the core can produce, and an entry's text must be the canonical JSON of the entry.

const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom(
    '',
    'a',
    'A',
    'é',
    'ä',
    '\u00e9',
    'e\u0301',
    '😀',
    '\ud800',
    '\u2028',
    '"',
    '\\',
    '1',
    '10',
    '9',
    '__proto__',
    ' ',
    '!',
    'toJSON',
  ),
);
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));
const integer = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -0, 1, -1, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
);

const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    integer,
    text,
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(key, tie('json'), { maxKeys: 6 }),
  ),
}));

describe('canonical JSON', () => {
  it('equals the canonicalize package (RFC 8785) on arbitrary JSON', () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(canonicalJson(v)).toBe(canonicalize(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the native fast path for values already in key order, with the same bytes', () => {
    // Rebuild every object with its keys inserted in sorted order: the form the core emits.
    const presorted = (v: Json): Json =>
      Array.isArray(v)
        ? v.map(presorted)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, presorted(v[k]!)]),
            )
          : v;
    fc.assert(
      fc.property(json, (v) => {
        expect(canonicalJson(presorted(v))).toBe(canonicalize(v));
      }),
      { numRuns: 2000 },
    );
    expect(canonicalJson({ a: 1, b: [1, { c: null, d: 'x' }] })).toBe('{"a":1,"b":[1,{"c":null,"d":"x"}]}');
    expect(canonicalJson({ a: 1, b: undefined, c: 2 })).toBe('{"a":1,"c":2}');
    expect(canonicalJson([1, undefined, 2])).toBe('[1,null,2]');
  });

  it('orders a copy only where needed: the same bytes from one native stringify, the input untouched', () => {
    fc.assert(
      fc.property(json, (v) => {
        const before = JSON.stringify(v);
        const o = inCanonicalOrder(v);
        if (o !== UNORDERABLE) expect(JSON.stringify(o)).toBe(canonicalize(v));
        expect(JSON.stringify(v)).toBe(before);
      }),
      { numRuns: 2000 },
    );
    const inOrder = { a: 1, b: { c: [1, { d: 2 }] } };
    expect(inCanonicalOrder(inOrder)).toBe(inOrder);
    // Keys a plain object cannot hold in sorted order, and values JSON cannot carry, go the slow way.
    expect(inCanonicalOrder({ b: 1, '10': 2, '9': 3 })).toBe(UNORDERABLE);
    expect(inCanonicalOrder(JSON.parse('{"b":1,"__proto__":2}'))).toBe(UNORDERABLE);
    expect(inCanonicalOrder({ a: [1, Number.NaN] })).toBe(UNORDERABLE);
    expect(inCanonicalOrder({ b: 1, a: { toJSON: () => 1 } })).toBe(UNORDERABLE);
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"y":1,"x":2}}'))).toBe(
      '{"__proto__":{"x":2,"y":1},"b":1}',
    );
  });

  it('sorts unicode keys by UTF-16 code units, as RFC 8785 requires', () => {
    const v = { '😀': 1, '\uffff': 2, é: 3, e: 4, E: 5, '': 6, '10': 7, '9': 8 };
    expect(canonicalJson(v)).toBe(canonicalize(v));
    expect(canonicalJson(v)).toBe('{"":6,"10":7,"9":8,"E":5,"e":4,"é":3,"😀":1,"\uffff":2}');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => canonicalJson({ a: 1, b: [Number.NaN] })).toThrow();
  });
});

const draft = fc.record({
  seq: fc.nat(),
  l: fc.nat(),
  type: fc.string({ minLength: 1, maxLength: 20 }),
  tenant: fc.option(fc.string({ unit: 'binary', maxLength: 8 }), { nil: null }),
  vhm: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
  domain: fc.constantFrom(null, 'K', 'Q', 'PHI'),
  capability: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
  contract: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
  payload: fc.dictionary(key, json, { maxKeys: 5 }),
  outcome: fc.constantFrom('accepted', 'rejected', 'effect'),
  prev: fc.stringMatching(/^[0-9a-f]{64}$/),
});

describe('entry text', () => {
  it('is the canonical JSON of the entry without hash and text (arbitrary entries)', () => {
    fc.assert(
      fc.property(draft, (e) => {
        const t = entryText(e as Omit<Entry, 'hash' | 'text'>);
        expect(t).toBe(canonicalJson(e));
        expect(t).toBe(canonicalize(e));
      }),
      { numRuns: 1000 },
    );
  });

  it('is sealed as the canonical JSON of the entry, whatever the order of its payload (arbitrary drafts)', () => {
    fc.assert(
      fc.property(draft, (d) => {
        const { seq, l, prev, ...rest } = d;
        const payload = d.payload;
        const e = sealEntry(rest as unknown as EntryDraft, seq, l, prev, (t) => `h${t.length}`);
        const { hash: _h, text: _t, ...fields } = e;
        expect(e.text).toBe(canonicalize(fields));
        expect(e.text).toBe(entryText(fields));
        // The entry keeps the payload it was given (its text is the canonical one).
        expect(e.payload).toBe(payload);
      }),
      { numRuns: 1000 },
    );
  });

  it('is the canonical JSON of every entry a real trace holds', () => {
    const f = fleet();
    const q = boundQ(f);
    boundPhi(f, 0, 1000);
    f.w.ok(f.a1, {
      type: 'q.job',
      vhm: f.vhm,
      capability: f.root,
      binding: q.binding,
      cost: 3,
      operations: ['h'],
    });
    f.w.ok(f.a1, { type: 'vhm.terminate', vhm: f.vhm });
    const entries = f.w.entries();
    expect(entries.length).toBeGreaterThan(30);
    for (const e of entries) {
      const { hash: _h, text: _t, ...rest } = e;
      expect(e.text).toBe(canonicalJson(rest));
      expect(e.text).toBe(canonicalize(rest));
      expect(e.text).toBe(entryText(rest));
      // The core builds its own payloads in canonical key order (the native serialisation path).
      if (e.outcome === 'effect') expect(JSON.stringify(e.payload), e.type).toBe(canonicalJson(e.payload));
    }
  });
});
