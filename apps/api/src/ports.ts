import type { Command, Entry, Preview, State, StepResult } from '@xdv/core';
import type { CommitRound, NodeRow, Once, OnceAnswer, SignedHeadInfo, VerifyProgress } from '@xdv/db';

// What the API needs from the persistence layer. @xdv/db's Ledger implements it.

export type PrincipalKind = 'operator' | 'tenant' | 'provider';

export interface TokenRecord {
  id: string;
  kind: PrincipalKind;
  tenant: string | null;
  role: 'admin' | 'viewer' | null;
  provider: string | null;
  label: string;
  revoked: boolean;
  /** ISO 8601 instants. */
  createdAt: string;
  /** Coarse: recorded at most about once a minute per token. */
  lastUsedAt: string | null;
  /** After this the token authenticates nothing; null = it does not expire. */
  expiresAt: string | null;
}

export interface StoredResponse {
  requestHash: string;
  status: number;
  body: string;
}

/** A Ledger process sharing the database, and one committed batch: @xdv/db's own row types. */
export type ClusterNodeRow = NodeRow;
export type CommitRoundRow = CommitRound;

export interface LedgerPort {
  /** The committed state: every read, ETag, preview and metric serves it (never an uncommitted batch). */
  readonly state: State;
  /** This process's node id in the cluster telemetry. */
  readonly nodeId: string;
  /** This node's committed position right now (its row holds the last heartbeat's). */
  readonly applied: { seq: number; l: number };
  nodes(): Promise<ClusterNodeRow[]>;
  rounds(limit: number): Promise<CommitRoundRow[]>;
  committedHead(): Promise<{ seq: number; l: number }>;
  readonly broken: { seq: number; reason: string } | null;
  submit(cmd: Command): Promise<StepResult>;
  /** Execute at most once per (principal, key); the answer commits with the command (see @xdv/db). */
  submitOnce(cmd: Command, once: Once): Promise<OnceAnswer>;
  preview(cmd: Command): Preview;
  entries(q: {
    afterSeq?: number;
    limit?: number;
    tenant?: string;
    vhm?: string;
    type?: string;
  }): Promise<Entry[]>;
  onCommit(listener: (entries: Entry[]) => void): () => void;
  verify(): Promise<{ ok: boolean; entries: number; mismatch: { seq: number; reason: string } | null }>;
  stateAt(l: number): Promise<State>;
  /** Progress of the verification of the whole store that runs in the background after start. */
  readonly verification: VerifyProgress;
  /** The newest signed trace head in the database and the public key that signed it. */
  signedHead(): Promise<SignedHeadInfo | null>;
  /** The trace as an NDJSON bundle for a remote verifier, one line a string (see @xdv/db bundle.ts). */
  exportBundle(): AsyncIterable<string>;
  /** This node's signing key (public half). */
  readonly nodeKey: { fingerprint: string; short: string; publicKey: string };
  close(): Promise<void>;
}

export interface TokenStore {
  create(
    rec: Omit<TokenRecord, 'id' | 'revoked' | 'createdAt' | 'lastUsedAt' | 'expiresAt'> & {
      expiresAt?: string | null;
    },
    secret?: string,
  ): Promise<{ record: TokenRecord; secret: string }>;
  /** The not revoked token with this secret (an expired one too: the caller refuses it), or null. */
  findBySecret(secret: string): Promise<TokenRecord | null>;
  /**
   * The answer findBySecret would give, when it is cached (a record, or null for a secret known to
   * be no token), else undefined. Lets a request authenticate without waiting on a promise.
   */
  cached?(secret: string): TokenRecord | null | undefined;
  /**
   * The token authenticated a request: record its last use (at most about once a minute). Returns
   * undefined when there is nothing to record, a promise while it is being recorded.
   */
  used(token: TokenRecord): Promise<void> | undefined;
  list(): Promise<TokenRecord[]>;
  revoke(id: string): Promise<boolean>;
  countActiveOperators(): Promise<number>;
}

export interface IdempotencyStore {
  get(principal: string, key: string): Promise<StoredResponse | null>;
  put(principal: string, key: string, response: StoredResponse): Promise<void>;
}
