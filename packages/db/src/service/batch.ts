import type { Command, Entry, StepResult } from '@xdv/core';
import { ReadBatch } from '../readmodel.js';
import type { SignedHead } from '../seal.js';
import type { CheckpointRow } from '../store/checkpoints.js';
import type { Once } from './types.js';

// A group-commit batch: the commands stepped into the live state since the last flush, their
// entries, read-model rows and keyed answers, committed in one transaction.

/** One command waiting for its batch to commit. */
export interface Pending {
  cmd: Command;
  once?: Once;
  /** The answer `once.respond` gave, written with the batch. */
  answer?: { status: number; body: string };
  result: StepResult | null;
  attempts: number;
  /** Only append if the trace is still empty (the genesis that open() writes). */
  ifEmpty: boolean;
  resolve: (r: StepResult) => void;
  reject: (e: unknown) => void;
}

export class Batch {
  items: Pending[] = [];
  /** The keyed commands of this batch, whose answers commit with it. */
  once: Pending[] = [];
  entries: Entry[] = [];
  read = new ReadBatch();
  checkpoint: CheckpointRow | null = null;
  head: SignedHead | null = null;
}

/**
 * Failed commits a command may go through before its caller is told to give up. After a seq
 * conflict the next commit is pessimistic and cannot lose the seq race (unless a writer that takes
 * no commit lock shares the database), so contention alone never comes near it.
 */
export const MAX_ATTEMPTS = 100;

/**
 * After a seq conflict, commits stay pessimistic (under the commit lock, see Ledger.sendLocked)
 * until this many in a row found no rival rows to follow: then the optimistic pipeline resumes.
 */
export const CONTENDED_ROUNDS = 16;

/** A batch whose transaction is in flight. */
export interface Inflight {
  /** Its batch (a pessimistic commit builds it under the lock: empty until then). */
  batch: Batch;
  /** A pessimistic commit's commands not stepped into its batch yet (retried or failed if it fails). */
  unstepped: Pending[];
  /** The seq of its last entry. */
  last: number;
  t0: number;
  settled: boolean;
  /** Set when the commit failed (the error wrapped: anything may be thrown). */
  error: { e: unknown } | null;
  /** Resolves once settled (never rejects). */
  done: Promise<void>;
}

/** Commands stepped between two looks at the transaction in flight (it is sent on as soon as it commits). */
export const STEP_SLICE = 32;
/** With no transaction in flight, a batch is sent once it holds this many commands (the rest are stepped while it commits). */
export const FIRST_BATCH = 256;
/** At most this many commands in one batch. */
export const MAX_BATCH = 4096;
/** Rows read per page when following other writers. */
export const FOLLOW_CHUNK = 10_000;
