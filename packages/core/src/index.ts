// @xdv/core — the XDV domain hypervisor as a pure, deterministic state machine.
// Browser-safe: nothing here imports node:*. Node callers may inject a faster hasher (./node).

export * from './commands/schemas.js';
export { checkCommandShape, commandShapeError } from './commands/validate.js';
export { admit, attachVerdict, type SignatureCheck, signatureCheck } from './crypto/admit.js';
export {
  CTS_DEVELOPMENT_SEED,
  type KeyPair,
  keyPairFromSeed,
  type SignedKind,
  sign,
  signedMessage,
  verify,
} from './crypto/signatures.js';
export { isAncestor } from './engine/access.js';
export { apply, cloneState, run, stateHash } from './engine/apply.js';
export { byId, idNum, sortedIds } from './engine/context.js';
export { TRANSITIONS } from './engine/dispatch.js';
export type { Refusal } from './engine/outcome.js';
export {
  MAX_PLAN_STEPS,
  PLAN_REF,
  type Plan,
  type PlanCommand,
  type PlanOptions,
  type PlanRefusal,
  type PlanStep,
  plan,
} from './engine/plan.js';
export {
  type BudgetDelta,
  type CapacityDelta,
  changes,
  INVARIANTS,
  type Preview,
  preview,
  type QuotaDelta,
} from './engine/preview.js';
export { InvariantViolation, type StepOptions, type StepResult, step } from './engine/step.js';
export {
  type Created,
  type CreatedKind,
  ID_KINDS,
  type IdKind,
  TOUCHED_TABLES,
  type Touched,
  type TouchedTable,
} from './engine/touched.js';
export { REJECTIONS_BY_COMMAND } from './errors/by-command.gen.js';
export {
  FAULT_MESSAGES,
  type FaultTemplates,
  MESSAGES,
  type MessageTemplate,
  type MessageTemplates,
  renderFault,
  renderMessage,
} from './errors/messages.js';
export { checkAll, type Violation } from './invariants/full.js';
export { checkTouched } from './invariants/incremental.js';
export type * from './model/commands.js';
export {
  API_ERROR_CODES,
  type ApiErrorCode,
  ERROR_CODES,
  type ErrorCode,
  type ErrorParams,
  FAULT_REASONS,
  type FaultParams,
  type FaultReason,
  isErrorCode,
  isRejectionCode,
  REJECTION_CODES,
  Rejection,
  type RejectionCode,
  STORE_ERROR_CODES,
  type StoreErrorCode,
} from './model/errors.js';
export { addQuota, quotaOf } from './model/quota.js';
export * from './model/state.js';
export {
  type ReplayMismatch,
  type ReplayOptions,
  type ReplayResult,
  replay,
  type StoredEntry,
  verifyChain,
} from './replay/replay.js';
export * as scenario from './scenario/builder.js';
export { canonicalJson, type Json } from './trace/canonical.js';
export {
  type AcceptedCommandPayload,
  type ActorJson,
  type CommandEntryPayload,
  EFFECT_TYPES,
  type EffectPayloads,
  type EffectType,
  ENTRY_TYPES,
  type EntryPayloads,
  type EntryType,
  isEffectType,
  isEntryType,
  type RejectedCommandPayload,
  unhandledEntry,
} from './trace/entries.js';
export {
  type AnyEntry,
  type Entry,
  type EntryDraft,
  type EntryDraftOf,
  entryText,
  isEntry,
  isKnownEntry,
  type Outcome,
  parseEntry,
  sealEntry,
  type TypedEntry,
} from './trace/entry.js';
export { type Hasher, nobleSha256 } from './trace/hash.js';
export { PROTOCOL_VERSION, protocolOf } from './trace/protocol.js';
// Transition functions, one by one: the formal verification targets (XDV-083 §12).
export * as transitions from './transitions/index.js';
export { arbitrate, effectivePriority, eligible } from './transitions/scheduler.js';
export {
  type AlertGroup,
  type AlertSeverity,
  type AlertStatus,
  type AlertView,
  alertGroups,
  alertView,
  alertViews,
  severityOf,
} from './views/alerts.js';
export { type AttentionItem, attentionOf, STALE_AFTER_TICKS } from './views/attention.js';
export { type FleetRow, fleetOf, type ProviderUsage, usageOf } from './views/fleet.js';
export { type Overview, type OverviewProvider, overviewOf } from './views/overview.js';
export { entryVisible, scopeState, tenantOf } from './views/scope.js';
