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

/** Seq conflicts a command may lose to other writers before its caller is told to give up. */
export const MAX_ATTEMPTS = 100;
