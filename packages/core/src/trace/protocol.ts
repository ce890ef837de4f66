import type { Entry } from './entry.js';

/**
 * The trace protocol this core writes and replays. Version 2: logical time moves only on clock
 * ticks, and a rejection's hashed record holds its code and structured parameters, never prose.
 * A trace of another version cannot be replayed by this core: its hashes would not match.
 */
export const PROTOCOL_VERSION = 2;

/**
 * The protocol a trace was written with, read from its genesis entries (the command and its
 * effect, which records the version; version 1 recorded none).
 */
export function protocolOf(genesis: ReadonlyArray<Pick<Entry, 'type' | 'payload'>>): number {
  for (const e of genesis) {
    const p = e.payload.protocol;
    if (e.type === 'genesis' && typeof p === 'number' && Number.isSafeInteger(p)) return p;
  }
  return 1;
}
