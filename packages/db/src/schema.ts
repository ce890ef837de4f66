import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  pgTable,
  pgView,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

// Tables carry no schema qualifier: the connection's search_path picks the PostgreSQL schema, so each
// test run (or deployment) can live in its own schema with the same migration set.

const seqCol = (name: string) => bigint(name, { mode: 'number' });

/** The source of truth, append-only. `text` is the exact canonical JSON that was hashed (never JSONB). */
export const trace = pgTable(
  'trace',
  {
    seq: seqCol('seq').primaryKey(),
    l: seqCol('l').notNull(),
    type: text('type').notNull(),
    tenant: text('tenant'),
    vhm: text('vhm'),
    domain: text('domain'),
    capability: text('capability'),
    contract: text('contract'),
    text: text('text').notNull(),
    prev: text('prev').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('trace_tenant_seq').on(t.tenant, t.seq),
    index('trace_vhm_seq').on(t.vhm, t.seq),
    index('trace_type_seq').on(t.type, t.seq),
    index('trace_l').on(t.l),
  ],
);

/** State at seq N as canonical JSON text, with its state hash: boot starts here and replays the tail. */
export const checkpoints = pgTable(
  'checkpoints',
  {
    seq: seqCol('seq').primaryKey(),
    l: seqCol('l').notNull(),
    head: text('head').notNull(),
    stateHash: text('state_hash').notNull(),
    state: text('state').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Fingerprint of the node key that signed `xdv/checkpoint/v1` {seq, l, head, stateHash} (null: written before sealing). */
    key: text('key'),
    sig: text('sig'),
  },
  (t) => [index('checkpoints_l').on(t.l)],
);

/**
 * Signed trace heads: a node signs `xdv/trace-head/v1` {seq, l, hash} of a committed batch head in the
 * same transaction as the batch (coalesced: at most every signEveryMs, and at checkpoints and close).
 */
export const traceHeads = pgTable('trace_heads', {
  seq: seqCol('seq').primaryKey(),
  l: seqCol('l').notNull(),
  hash: text('hash').notNull(),
  key: text('key').notNull(),
  sig: text('sig').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Public keys of the nodes that sign heads (fingerprint = SHA-256 of the public key, hex). */
export const nodeKeys = pgTable('node_keys', {
  fingerprint: text('fingerprint').primaryKey(),
  publicKey: text('public_key').notNull(),
  node: text('node').notNull(),
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
});

// Read model: one row per object, its key and status columns as of the last entry that touched it,
// written in the same transaction as those entries. `seq` is that entry's seq (SQL can tell how fresh
// a row is). Everything else about an object is in the trace, the one source of truth.

export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  status: text('status').notNull(),
  seq: seqCol('seq').notNull(),
});

export const providers = pgTable('providers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  domain: text('domain').notNull(),
  attestation: text('attestation').notNull(),
  health: text('health').notNull(),
  seq: seqCol('seq').notNull(),
});

export const vhms = pgTable(
  'vhms',
  {
    id: text('id').primaryKey(),
    tenant: text('tenant').notNull(),
    name: text('name').notNull(),
    parent: text('parent'),
    state: text('state').notNull(),
    depth: integer('depth').notNull(),
    seq: seqCol('seq').notNull(),
  },
  (t) => [index('vhms_tenant').on(t.tenant)],
);

export const processes = pgTable('processes', {
  id: text('id').primaryKey(),
  vhm: text('vhm').notNull(),
  name: text('name').notNull(),
  state: text('state').notNull(),
  seq: seqCol('seq').notNull(),
});

export const capabilities = pgTable('capabilities', {
  id: text('id').primaryKey(),
  vhm: text('vhm').notNull(),
  parent: text('parent'),
  revoked: boolean('revoked').notNull(),
  seq: seqCol('seq').notNull(),
});

export const contracts = pgTable(
  'contracts',
  {
    id: text('id').primaryKey(),
    vhm: text('vhm').notNull(),
    tenant: text('tenant').notNull(),
    domain: text('domain').notNull(),
    provider: text('provider').notNull(),
    status: text('status').notNull(),
    seq: seqCol('seq').notNull(),
  },
  (t) => [index('contracts_tenant').on(t.tenant), index('contracts_provider').on(t.provider)],
);

export const bindings = pgTable('bindings', {
  id: text('id').primaryKey(),
  vhm: text('vhm').notNull(),
  contract: text('contract').notNull(),
  domain: text('domain').notNull(),
  state: text('state').notNull(),
  seq: seqCol('seq').notNull(),
});

export const qContainers = pgTable('q_containers', {
  id: text('id').primaryKey(),
  vhm: text('vhm').notNull(),
  contract: text('contract').notNull(),
  provider: text('provider').notNull(),
  qubits: integer('qubits').notNull(),
  live: boolean('live').notNull(),
  seq: seqCol('seq').notNull(),
});

export const phiEnvelopes = pgTable('phi_envelopes', {
  id: text('id').primaryKey(),
  vhm: text('vhm').notNull(),
  contract: text('contract').notNull(),
  provider: text('provider').notNull(),
  live: boolean('live').notNull(),
  seq: seqCol('seq').notNull(),
});

/**
 * Metric samples of the signed provider reports, one row per (report, qubit or envelope, metric): a
 * view over the trace (migration 0007), not a table. The samples are in the report entries already;
 * writing them again cost most of a report's commit, and a view cannot disagree with the trace.
 */
export const metrics = pgView('metrics', {
  provider: text('provider').notNull(),
  subject: text('subject').notNull(),
  metric: text('metric').notNull(),
  l: seqCol('l').notNull(),
  value: bigint('value', { mode: 'number' }).notNull(),
  seq: seqCol('seq').notNull(),
}).existing();

/** API tokens: only the SHA-256 of the secret is stored. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    principal: text('principal').notNull(),
    tenant: text('tenant'),
    role: text('role'),
    provider: text('provider'),
    label: text('label').notNull(),
    secretSha256: text('secret_sha256').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** When the token last authenticated a request (updated at most about once a minute). */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /** After this instant the token authenticates nothing; null = no expiry. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [index('api_tokens_tenant').on(t.tenant)],
);

/** Idempotency keys: the first response to (principal, key) is replayed for the same request. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    key: text('key').notNull(),
    principal: text('principal').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true })
      .notNull()
      .default(sql`now() + interval '24 hours'`),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] }), index('idempotency_expires').on(t.expiresAt)],
);

// Cluster telemetry (outside the deterministic core): which processes ("nodes") write this database
// and how far each has applied the trace. Wall-clock columns are health data, never decisions.

/** One row per Ledger process start, upserted by that Ledger at open, about once a second, and at close. */
export const nodes = pgTable('nodes', {
  id: text('id').primaryKey(),
  hostname: text('hostname').notNull(),
  pid: integer('pid').notNull(),
  driver: text('driver').notNull(),
  version: text('version').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  /** Set by a clean close; a node that vanished without one keeps its last heartbeat. */
  closedAt: timestamp('closed_at', { withTimezone: true }),
  appliedSeq: seqCol('applied_seq').notNull(),
  appliedL: seqCol('applied_l').notNull(),
  /** State hash at hash_seq (taken when the node was quiescent): nodes must agree at the same seq. */
  hashSeq: seqCol('hash_seq').notNull(),
  stateHash: text('state_hash').notNull(),
  commits: seqCol('commits').notNull(),
  entries: seqCol('entries').notNull(),
  conflicts: seqCol('conflicts').notNull(),
  catchUps: seqCol('catch_ups').notNull(),
  reloads: seqCol('reloads').notNull(),
  /** Live states rebuilt from the committed one after a failed commit (a lost seq race, mostly). */
  rebuilds: seqCol('rebuilds').notNull().default(0),
  checkpoints: seqCol('checkpoints').notNull(),
  broken: boolean('broken').notNull(),
  brokenSeq: seqCol('broken_seq'),
});

/**
 * One row per committed batch (a commit round): its seq range, written by the batch statement itself,
 * so a round exists exactly when its entries do. The newest 1000 are kept.
 */
export const commitRounds = pgTable(
  'commit_rounds',
  {
    firstSeq: seqCol('first_seq').primaryKey(),
    lastSeq: seqCol('last_seq').notNull(),
    firstL: seqCol('first_l').notNull(),
    lastL: seqCol('last_l').notNull(),
    entries: integer('entries').notNull(),
    node: text('node').notNull(),
    /** Seq conflicts this batch's commands lost (and retried) before this round committed. */
    retries: integer('retries').notNull(),
    committedAt: timestamp('committed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('commit_rounds_committed_at').on(t.committedAt)],
);
