// @xdv/db — the XDV hypervisor service (service/: admission, step, group commit, committed state,
// following other writers) over its trace store (store/: all SQL), node heartbeats, read model, tokens.

export {
  BUNDLE_KIND,
  BUNDLE_VERSION,
  type BundleBreak,
  BundleFormatError,
  type BundleHeader,
  type BundleResult,
  exportBundle,
  type VerifyBundleOptions,
  verifyBundle,
} from './bundle.js';
export { createDatabase, type FreshDatabase } from './database.js';
export {
  DbError,
  type Driver,
  dumpPglite,
  type HeldLock,
  MIGRATIONS_FOLDER,
  migratePg,
  migratePglite,
  openPg,
  openPglite,
  openPgliteInThread,
  type PgliteOptions,
  pgliteOnWorker,
  type Query,
} from './driver.js';
export { type CommitRound, Heartbeat, type NodeReport, type NodeRow, ROUNDS_KEPT } from './heartbeat.js';
export { openPgliteWorker, PgliteWorkerError } from './pglite-worker.js';
export { projectAll, READ_COLUMNS, READ_TABLES, type ReadTable } from './readmodel.js';
export * as schema from './schema.js';
export {
  CHECKPOINT_KIND,
  fingerprintOf,
  HEAD_KIND,
  NodeKey,
  parseTrustedKeys,
  type SignedHead,
  shortFingerprint,
  verifySeal,
} from './seal.js';
export { ProtocolMismatch } from './service/errors.js';
export { Ledger } from './service/ledger.js';
export type {
  LedgerOptions,
  Once,
  OnceAnswer,
  SignedHeadInfo,
  VerifyProgress,
  VerifyResult,
} from './service/types.js';
export { APPEND_SQL, appendParams } from './store/append.js';
export { checkpointOf, writeCheckpoint } from './store/checkpoints.js';
export { type BatchWrite, type TraceQuery, TraceStore } from './store/trace-store.js';
export { testDatabases } from './testdb.js';
export {
  IdempotencyStore,
  type IdempotentResponse,
  type NewToken,
  type PrincipalKind,
  sha256Hex,
  type TokenRecord,
  TokenStore,
} from './tokens.js';
