import { canonicalJson, type Hasher, type State } from '@xdv/core';
import type { Query } from '../driver.js';

// Checkpoints: the state at a seq with its hash, signed by the node that wrote it (see seal.ts).

export interface CheckpointRow {
  seq: number;
  l: number;
  head: string;
  stateHash: string;
  state: string;
  /** Fingerprint of the node key that signed it, and the signature (see seal.ts). */
  key?: string | null;
  sig?: string | null;
}

/** Serialise a state for a checkpoint (synchronously: it must be the state at exactly this seq). */
export function checkpointOf(state: State, hasher: Hasher): CheckpointRow {
  const text = canonicalJson(state);
  return { seq: state.seq, l: state.l, head: state.head, stateHash: hasher(text), state: text };
}

export async function writeCheckpoint(q: Query, cp: CheckpointRow): Promise<void> {
  await q.query(
    'INSERT INTO "checkpoints" ("seq","l","head","state_hash","state","key","sig") VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT ("seq") DO NOTHING',
    [cp.seq, cp.l, cp.head, cp.stateHash, cp.state, cp.key ?? null, cp.sig ?? null],
  );
}
