import type { Domain } from '../model/state.js';
import type { Json } from './canonical.js';
import { canonicalJson, inCanonicalOrder, UNORDERABLE } from './canonical.js';
import { type EntryPayloads, type EntryType, isEntryType } from './entries.js';
import type { Hasher } from './hash.js';

export type Outcome = 'accepted' | 'rejected' | 'effect';

/** One trace entry. `text` is the exact canonical JSON that was hashed (everything but `hash`). */
export interface Entry {
  seq: number;
  l: number;
  type: string;
  tenant: string | null;
  vhm: string | null;
  domain: Domain | null;
  capability: string | null;
  contract: string | null;
  payload: { [key: string]: Json };
  outcome: Outcome;
  prev: string;
  hash: string;
  text: string;
}

/**
 * One stored entry of a known type, its payload typed. An `Entry` read back from a store is untyped
 * (`parseEntry`); narrow it with `isEntry(e, type)` or `isKnownEntry(e)` and switch on `e.type`.
 */
export type TypedEntry<T extends EntryType> = T extends EntryType
  ? Omit<Entry, 'type' | 'payload'> & { type: T; payload: EntryPayloads[T] }
  : never;

/** Any entry of a known type: a discriminated union over `type`. */
export type AnyEntry = TypedEntry<EntryType>;

/** Narrow a stored entry by its type tag (the payload is trusted: the core wrote and hashed it). */
export function isEntry<T extends EntryType>(e: Entry, type: T): e is TypedEntry<T> {
  return e.type === type;
}

/** Narrow a stored entry to the union, when its type is one this protocol knows. */
export function isKnownEntry(e: Entry): e is AnyEntry {
  return isEntryType(e.type);
}

interface DraftFields {
  tenant?: string | null;
  vhm?: string | null;
  domain?: Domain | null;
  capability?: string | null;
  contract?: string | null;
  outcome?: Outcome;
}

/** What a transition emits before sequencing, for one entry type. */
export type EntryDraftOf<T extends EntryType> = T extends EntryType
  ? DraftFields & { type: T; payload: EntryPayloads[T] }
  : never;

/** What a transition emits before sequencing: only a declared type, with its payload's type. */
export type EntryDraft = EntryDraftOf<EntryType>;

/** Canonical text of the hashed part of an entry: keys in sorted order, payload canonicalised. */
export function entryText(e: Omit<Entry, 'hash' | 'text'>): string {
  // Keys written in sorted order by hand (capability < contract < domain < l < outcome < payload <
  // prev < seq < tenant < type < vhm), so this equals canonicalJson of the whole object.
  return (
    `{"capability":${str(e.capability)},"contract":${str(e.contract)},"domain":${str(e.domain)},` +
    `"l":${e.l},"outcome":${JSON.stringify(e.outcome)},"payload":${canonicalJson(e.payload)},` +
    `"prev":${JSON.stringify(e.prev)},"seq":${e.seq},"tenant":${str(e.tenant)},` +
    `"type":${JSON.stringify(e.type)},"vhm":${str(e.vhm)}}`
  );
}

function str(v: string | null): string {
  return v === null ? 'null' : JSON.stringify(v);
}

export function sealEntry(draft: EntryDraft, seq: number, l: number, prev: string, hasher: Hasher): Entry {
  // One object, its hashed fields inserted in canonical key order and `text` and `hash` added last:
  // when the payload is in canonical order too (the core builds its payloads that way), one native
  // JSON.stringify of the object, before those two exist, is the canonical text. This is the
  // hottest allocation of the core.
  // A payload out of key order (a command body as its caller wrote it) is written from an ordered
  // copy, by the same one native call; the entry keeps the payload it was given.
  const ordered = inCanonicalOrder(draft.payload);
  const e: Omit<Entry, 'hash' | 'text'> & Partial<Pick<Entry, 'hash' | 'text'>> = {
    capability: draft.capability ?? null,
    contract: draft.contract ?? null,
    domain: draft.domain ?? null,
    l,
    outcome: draft.outcome ?? 'effect',
    payload: ordered === UNORDERABLE ? draft.payload : (ordered as Entry['payload']),
    prev,
    seq,
    tenant: draft.tenant ?? null,
    type: draft.type,
    vhm: draft.vhm ?? null,
  };
  if (ordered === UNORDERABLE) e.text = entryText(e);
  else {
    e.text = JSON.stringify(e);
    e.payload = draft.payload;
  }
  e.hash = hasher(e.text);
  return e as Entry;
}

/** Parse a stored canonical text back into an entry (the hash is recomputed by the caller). */
export function parseEntry(text: string, hash: string): Entry {
  const o = JSON.parse(text) as Omit<Entry, 'hash' | 'text'>;
  return { ...o, text, hash };
}
