import type { Entry, Hasher, State, StepResult } from '@xdv/core';
import type { SignedHead } from '../seal.js';

// The hypervisor service's options and the shapes it answers with.

export interface LedgerOptions {
  /** PGlite data directory (default: in-memory PGlite). Ignored when a database URL is used. */
  dataDir?: string;
  /** PostgreSQL URL; defaults to env DATABASE_URL. When set, PostgreSQL is used instead of PGlite; null forces PGlite. */
  databaseUrl?: string | null;
  /** PostgreSQL schema for all tables (default `public`). */
  schema?: string;
  /** Write a checkpoint every this many entries (default 10,000; 0 = only on clean close). */
  checkpointEvery?: number;
  hasher?: Hasher;
  /** Start a new PGlite from a dumped data directory (tests: one migrated template, many databases). */
  pgliteTemplate?: Blob;
  /** PostgreSQL only: how often to poll for other writers' entries besides LISTEN/NOTIFY (ms, default 1000). */
  followPollMs?: number;
  /** Write a checkpoint on clean close (default true). */
  checkpointOnClose?: boolean;
  /** This process's name in the `nodes` table (default `hostname:pid:n:startedAtMs`, n counting Ledgers opened by the process). */
  nodeId?: string;
  /** How often the node row is refreshed (ms, default 1000; 0 = only at open and close). */
  heartbeatMs?: number;
  /**
   * The node's key directory (outside the database): its ML-DSA-65 signing key (created on first
   * open, 0600) and its newest signed head per store. Without it the Ledger signs with a throwaway
   * in-memory key and keeps no head file (tests and tools; a server always configures one).
   */
  keyDir?: string;
  /**
   * Keys trusted to sign heads and checkpoints (fingerprints or public keys, hex; comma-separated or
   * a list), besides this node's own. Unset: every key recorded in the database's `node_keys` table
   * is trusted (a database writer could add one: pin keys to defeat that).
   */
  trustedKeys?: string | readonly string[] | null;
  /** Sign the committed head at most this often (ms, default 5000), and always at checkpoints and close. */
  signEveryMs?: number;
  /** After start, re-verify every row, head and checkpoint in the background (default true). */
  backgroundVerify?: boolean;
  /**
   * Runs inside each batch's transaction once its rows are written, just before COMMIT. Tests hold
   * a commit open with it (to read while a batch is mid-commit) or throw from it (a failed commit).
   */
  beforeCommit?: (entries: readonly Entry[]) => Promise<void> | void;
}

/** Progress of the verification of the whole store that runs in the background after start. */
export interface VerifyProgress {
  checked: number;
  total: number;
  done: boolean;
  /** null until done; then ok or the first break found. */
  result: { ok: boolean; mismatch: { seq: number; reason: string } | null } | null;
}

/** The newest signed head in the database, with the public key that signed it. */
export interface SignedHeadInfo extends SignedHead {
  publicKey: string | null;
  trusted: boolean;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  mismatch: { seq: number; reason: string } | null;
}

/** A command sent with an Idempotency-Key: its answer is stored in the batch that executes it. */
export interface Once {
  principal: string;
  key: string;
  /** Hash of the request (method, path, body): the same key with another request is refused. */
  requestHash: string;
  /**
   * The answer to store and return, computed from the step result before the batch commits; `live`
   * is the state right after the step (not yet committed: only for naming what the answer names).
   */
  respond(result: StepResult, live: State): { status: number; body: string };
  /** Seconds the stored answer is kept (default 24 h). */
  ttlSeconds?: number;
}

/** What a keyed command answers: the stored response, and whether an earlier request produced it. */
export interface OnceAnswer {
  status: number;
  body: string;
  replayed: boolean;
}
