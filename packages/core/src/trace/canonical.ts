// Canonical JSON (RFC 8785 for the values the core produces: integers, strings, booleans, null,
// arrays, plain objects). On the hot path, so: a value whose keys are already in sorted order at
// every level (the core builds its payloads that way) is serialised by one native JSON.stringify,
// which gives the same bytes; anything else is sorted here. A property test holds the result
// byte-equal to the `canonicalize` package.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: unknown): string {
  return isCanonicalOrder(value) ? JSON.stringify(value) : sorted(value);
}

/**
 * True when JSON.stringify(value) is already canonical: every object's own keys strictly ascending
 * by UTF-16 code units, no undefined object values (so sorted() and JSON.stringify agree on what to
 * skip), every number finite. Integer-like keys ("9", "10") fail the check, because JavaScript
 * enumerates them numerically.
 */
export function isCanonicalOrder(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return typeof v !== 'number' || Number.isFinite(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      if (item !== undefined && !isCanonicalOrder(item)) return false;
    }
    return true;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) return false;
    const item = (v as Record<string, unknown>)[keys[i]!];
    if (item === undefined || !isCanonicalOrder(item)) return false;
  }
  return true;
}

function sorted(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item = value[i];
          out += item === undefined ? 'null' : canonicalJson(item);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units: RFC 8785's order, without a JS comparator.
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const v = obj[key];
        if (v === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot encode ${typeof value}`);
  }
}
