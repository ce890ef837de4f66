// @xdv/db — persistence for the XDV hypervisor: trace store, checkpoints, read model, tokens.

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
  type Query,
} from './driver.js';
export {
  type CommitRound,
  Ledger,
  type LedgerOptions,
  type NodeRow,
  type Once,
  type OnceAnswer,
  ProtocolMismatch,
  ROUNDS_KEPT,
  type SignedHeadInfo,
  type TraceQuery,
  type VerifyProgress,
  type VerifyResult,
} from './ledger.js';
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
export { APPEND_SQL, appendParams, checkpointOf, writeCheckpoint } from './store.js';
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
