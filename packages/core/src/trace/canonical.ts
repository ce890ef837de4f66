// Canonical JSON (RFC 8785 for the values the core produces: integers, strings, booleans, null,
// arrays, plain objects). On the hot path, so: a value whose keys are already in sorted order at
// every level (the core builds its payloads that way) is serialised by one native JSON.stringify,
// which gives the same bytes; anything else is sorted here. A property test holds the result
// byte-equal to the `canonicalize` package.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: unknown): string {
  const o = inCanonicalOrder(value);
  return o === UNORDERABLE ? sorted(value) : JSON.stringify(o);
}

/** What `inCanonicalOrder` returns for a value a native JSON.stringify cannot be made to write canonically. */
export const UNORDERABLE: unique symbol = Symbol('unorderable');

/**
 * The value itself when JSON.stringify of it is already canonical (see isCanonicalOrder), else a
 * copy whose objects have their keys inserted in sorted order (only the objects out of order, or
 * holding undefined, are copied), so one native JSON.stringify writes the canonical bytes: about
 * twice as fast as building the text key by key, and the shape of every command the core records.
 * UNORDERABLE when no plain object can hold that order (a key starting with a digit in an object
 * that must be reordered: JavaScript enumerates integer-like keys first; a `__proto__` key), or
 * when the value may not be plain JSON (a non-finite number, a function, an undefined array item,
 * an object not made by a literal or JSON.parse…): `sorted` decides those. Any other result is
 * plain JSON that canonical JSON can encode, which is what the step checks a command with.
 */
export function inCanonicalOrder(v: unknown): unknown {
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? orderArray(v) : orderObject(v);
  return leaf(v);
}

/** A primitive JSON can carry as it is, or UNORDERABLE. */
function leaf(v: unknown): unknown {
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  return typeof v === 'number' && Number.isFinite(v) ? v : UNORDERABLE;
}

// The walk is on the hot path (every payload the core seals): strings and integers, most of what
// it meets, are judged in the loop without a call.

function orderArray(v: unknown[]): unknown {
  let out: unknown[] = v;
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (typeof item === 'string') continue;
    // Both serialisers write an undefined item as null, but a command holding one is refused
    // (replay would apply null): the step's slower walk names it.
    const o =
      typeof item === 'object' && item !== null
        ? Array.isArray(item)
          ? orderArray(item)
          : orderObject(item)
        : leaf(item);
    if (o === UNORDERABLE) return UNORDERABLE;
    if (o !== item) {
      if (out === v) out = v.slice();
      out[i] = o;
    }
  }
  return out;
}

function orderObject(v: object): unknown {
  // Only plain objects: an inherited enumerable key would escape this walk (the step's slower
  // walk sees it), and toJSON would change what is written.
  const proto: unknown = Object.getPrototypeOf(v);
  if (
    (proto !== Object.prototype && proto !== null) ||
    typeof (v as { toJSON?: unknown }).toJSON === 'function'
  )
    return UNORDERABLE;
  const obj = v as Record<string, unknown>;
  // First, without allocating (no key array): an object already in order whose values all stay as
  // they are (what the core builds, what JSON.parse gives back) is returned as it is. for-in sees
  // the same keys as Object.keys here: the prototype is Object.prototype or null.
  let last: string | null = null;
  for (const k in obj) {
    if (last !== null && !(last < k)) return reorderObject(obj);
    last = k;
    const item = obj[k];
    if (typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return UNORDERABLE;
      continue;
    }
    if (typeof item !== 'object') return item === undefined ? reorderObject(obj) : UNORDERABLE;
    if (item === null) continue;
    const o = Array.isArray(item) ? orderArray(item) : orderObject(item);
    if (o === UNORDERABLE) return UNORDERABLE;
    if (o !== item) return reorderObject(obj);
  }
  return obj;
}

/** A plain object out of order, or holding undefined or a value that must be reordered: its ordered copy. */
function reorderObject(obj: Record<string, unknown>): unknown {
  const keys = Object.keys(obj);
  let inOrder = true;
  for (let i = 1; i < keys.length; i++)
    if (!(keys[i - 1]! < keys[i]!)) {
      inOrder = false;
      break;
    }
  if (!inOrder) {
    sortKeys(keys);
    for (let i = 0; i < keys.length; i++) {
      const c = keys[i]!.charCodeAt(0);
      if (c >= 48 && c <= 57) return UNORDERABLE;
    }
  }
  // Copied lazily: an object in order whose values are all unchanged is returned as it is.
  let out: Record<string, unknown> | null = inOrder ? null : {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const item = obj[k];
    let o: unknown = item;
    if (typeof item === 'object') {
      if (item !== null) o = Array.isArray(item) ? orderArray(item) : orderObject(item);
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return UNORDERABLE;
    } else if (item !== undefined && typeof item !== 'string' && typeof item !== 'boolean')
      return UNORDERABLE;
    if (o === UNORDERABLE) return UNORDERABLE;
    // Copied lazily: from the first undefined (left out) or changed value on.
    if (out === null && (item === undefined || o !== item)) {
      out = copyUpTo(obj, keys, i);
      if (out === null) return UNORDERABLE;
    }
    if (item === undefined) continue;
    if (out !== null) {
      // A copy's `__proto__` assignment would set its prototype, not a key.
      if (k === '__proto__') return UNORDERABLE;
      out[k] = o;
    }
  }
  return out ?? obj;
}

/**
 * Sort keys by UTF-16 code units (what `<` and the default sort compare). A command has about ten
 * keys, where an insertion sort is about five times faster than Array.prototype.sort.
 */
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
}

/**
 * A new object holding the first n keys of an in-order object (their values unchanged, none
 * undefined), or null when one of them is `__proto__` (no copy can hold it as a key).
 */
function copyUpTo(obj: Record<string, unknown>, keys: string[], n: number): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (k === '__proto__') return null;
    if (obj[k] !== undefined) out[k] = obj[k];
  }
  return out;
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
