import canonicalizeModule from 'canonicalize';

// Canonical JSON as RFC 8785 (JCS) defines it: object keys sorted by UTF-16 code units, no
// whitespace, ECMAScript number formatting, undefined members left out. The server signs and
// verifies over exactly these bytes (packages/core's canonicalJson is held byte-equal to the same
// `canonicalize` package by a property test).

type Canonicalize = (input: unknown) => string | undefined;
// A CommonJS package whose typings declare an ES default export: take whichever shape arrives.
const canonicalize: Canonicalize =
  (canonicalizeModule as unknown as { default?: Canonicalize }).default ??
  (canonicalizeModule as unknown as Canonicalize);

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonical JSON cannot encode undefined');
  return text;
}
