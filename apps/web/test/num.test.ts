import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { num, num1 } from '../src/lib/num';

// The console formats numbers without Intl (its first formatter costs a page tens of milliseconds
// of ICU loading); the output must stay exactly what Intl's en-US formatter prints.
const INT = new Intl.NumberFormat('en-US');
const ONE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

describe('num and num1 print what Intl en-US prints', () => {
  it('for integers, including the safe-integer extremes', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(num(n)).toBe(INT.format(n));
        expect(num1(n)).toBe(ONE.format(n));
      }),
      { numRuns: 2000 },
    );
  });
  it('for fractions and values at rounding ties', () => {
    const ties = fc.integer({ min: -2_000_000, max: 2_000_000 }).map((k) => k / 20);
    const milli = fc.integer({ min: -20_000_000, max: 20_000_000 }).map((k) => k / 2000);
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: -1e15, max: 1e15, noNaN: true }), ties, milli), (n) => {
        expect(num(n)).toBe(INT.format(n));
        expect(num1(n)).toBe(ONE.format(n));
      }),
      { numRuns: 5000 },
    );
  });
  it('for the special values', () => {
    for (const n of [
      0,
      -0,
      -0.0001,
      0.04,
      0.05,
      0.95,
      999.95,
      1.0005,
      2.675,
      Number.NaN,
      Infinity,
      -Infinity,
    ]) {
      expect([n, num(n), num1(n)]).toEqual([n, INT.format(n), ONE.format(n)]);
    }
  });
});
