import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  admit,
  type Command,
  cloneState,
  type Entry,
  type ErrorParams,
  emptyState,
  type Hasher,
  isEntry,
  PROTOCOL_VERSION,
  type Preview,
  parseEntry,
  preview,
  protocolOf,
  type State,
  type StepResult,
  type StoreErrorCode,
  scenario,
  stateHash,
  step,
} from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';
import { exportBundle } from './bundle.js';
import {
  DbError,
  type Driver,
  type HeldLock,
  migratePg,
  migratePglite,
  openPg,
  openPglite,
  type Row,
  validSchemaName,
} from './driver.js';
import { ReadBatch } from './readmodel.js';
import {
  CHECKPOINT_KIND,
  checkpointBody,
  fingerprintOf,
  HEAD_KIND,
  headBody,
  NodeKey,
  parseTrustedKeys,
  readHeadFile,
  type SignedHead,
  shortFingerprint,
  storeIdOf,
  verifySeal,
  writeHeadFile,
} from './seal.js';
import { advance } from './service/committed.js';
import {
  type CheckpointRow,
  checkpointOf,
  replayChunked,
  writeAnswers,
  writeBatch,
  writeCheckpoint,
} from './store.js';
import { IdempotencyStore, TokenStore } from './tokens.js';

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

/** A Ledger process as its last heartbeat recorded it (the `nodes` table), read with the database's clock. */
export interface NodeRow {
  id: string;
  hostname: string;
  pid: number;
  driver: 'pglite' | 'pg';
  version: string;
  startedAt: string;
  lastSeenAt: string;
  closedAt: string | null;
  /** Milliseconds since the last heartbeat, by the database's clock. */
  ageMs: number;
  appliedSeq: number;
  appliedL: number;
  hashSeq: number;
  stateHash: string;
  commits: number;
  entries: number;
  conflicts: number;
  catchUps: number;
  reloads: number;
  checkpoints: number;
  broken: boolean;
  brokenSeq: number | null;
  /**
   * Highest seq committed (by any node) at least one second before this node's last heartbeat, from
   * the retained commit rounds: a node whose appliedSeq is below it is lagging, not just between beats.
   */
  settledSeq: number;
}

/** One committed batch: its seq and L range, the node that committed it, the seq conflicts it lost first. */
export interface CommitRound {
  firstSeq: number;
  lastSeq: number;
  firstL: number;
  lastL: number;
  entries: number;
  node: string;
  retries: number;
  committedAt: string;
}

const DB_VERSION = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return `@xdv/db ${pkg.version ?? '?'} node ${process.version}`;
  } catch {
    return `@xdv/db node ${process.version}`;
  }
})();
let ledgersOpened = 0;
/** Commit rounds kept in the database (older ones are pruned by the heartbeat). */
export const ROUNDS_KEPT = 1000;

export interface TraceQuery {
  afterSeq?: number;
  limit?: number;
  tenant?: string;
  vhm?: string;
  type?: string;
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

type Break = { seq: number; reason: string };

interface Pending {
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

class Batch {
  items: Pending[] = [];
  /** The keyed commands of this batch, whose answers commit with it. */
  once: Pending[] = [];
  entries: Entry[] = [];
  read = new ReadBatch();
  checkpoint: CheckpointRow | null = null;
  head: SignedHead | null = null;
}

const MAX_ATTEMPTS = 100;

/** Another process committed the same Idempotency-Key first. */
function isOnceConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; message?: string };
  return (
    err?.code === '23505' &&
    (err.constraint === 'idempotency_keys_principal_key_pk' || /idempotency_keys/.test(err.message ?? ''))
  );
}

class OnceConflict extends Error {}

function onceMismatch(): DbError {
  return new DbError(
    'HV_IDEMPOTENCY_MISMATCH',
    'This Idempotency-Key was used with a different request; use a new key.',
  );
}

function isSeqConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; message?: string };
  return err?.code === '23505' && (err.constraint === 'trace_pkey' || /trace_pkey/.test(err.message ?? ''));
}

/**
 * The durable hypervisor: the core's state in memory, the trace in SQL. Commands are stepped in
 * arrival order, their entries group-committed (one transaction per batch) and callers answered only
 * after COMMIT. Several Ledgers may share one PostgreSQL: appends are optimistic on seq.
 */
/** The store holds a trace this release cannot replay: refused at start, before anything is written. */
export class ProtocolMismatch extends Error {
  readonly code: StoreErrorCode = 'HV_PROTOCOL_MISMATCH';
  readonly params: ErrorParams;
  constructor(readonly found: number | null) {
    super(
      found === null
        ? `The database's first trace entry is not a genesis entry, so its protocol is unknown; this server writes protocol ${PROTOCOL_VERSION}. Point XDV_DATA_DIR or DATABASE_URL at this server's own store.`
        : `The database holds a trace written with protocol ${found}; this server reads and writes protocol ${PROTOCOL_VERSION}. ` +
            `Start it with a new data directory (XDV_DATA_DIR) or an empty database, or run the release that wrote protocol ${found} to read the old trace (export it first).`,
    );
    this.name = 'ProtocolMismatch';
    this.params = { expected: PROTOCOL_VERSION, found };
  }
}

export class Ledger {
  /**
   * The live state: every command stepped so far, including a batch that may still fail to commit.
   * Only admission and step use it.
   */
  private live: State = emptyState();
  /**
   * The committed state: advanced only when a batch commits (or another writer's rows are
   * followed), by the same core. Every read, ETag, preview, metric and the stream serve this one,
   * so a batch that fails to commit is never seen.
   */
  private view: State = emptyState();
  private _broken: { seq: number; reason: string } | null = null;
  private pending = new Batch();
  private held: Pending[] = [];
  /** Keyed commands being executed in this process: a duplicate waits for the first's answer. */
  private readonly inflight = new Map<string, { requestHash: string; answer: Promise<OnceAnswer> }>();
  private hold = false;
  private needReload = false;
  private pumping = false;
  private idleWaiters: Array<() => void> = [];
  private listeners = new Set<(entries: Entry[]) => void>();
  private lastCheckpointSeq = 0;
  /** Highest seq the listeners have been told about. */
  private emittedSeq = 0;
  private remoteSeq = 0;
  private closed = false;
  private unlisten: (() => Promise<void>) | null = null;
  private poll: NodeJS.Timeout | null = null;
  /** Cluster telemetry: this process's node row. */
  readonly nodeId: string;
  private readonly startedAt = new Date();
  private heartbeat: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private beats = 0;
  /** State hash taken at a quiescent moment, with its seq; recomputed at most every hashEveryMs. */
  private hashed = { seq: -1, hash: '' };
  private hashedAt = Number.NEGATIVE_INFINITY;
  private hashCostMs = 0;
  /** Counters for health checks, metrics and tests. */
  readonly stats = {
    batches: 0,
    entries: 0,
    conflicts: 0,
    catchUps: 0,
    reloads: 0,
    checkpoints: 0,
    /** Milliseconds spent stepping commands (core + read-model rows) and in flush transactions. */
    stepMs: 0,
    flushMs: 0,
    /** Heads and checkpoints signed, and the milliseconds spent signing them (ML-DSA-65). */
    signs: 0,
    signMs: 0,
  };
  readonly tokens: TokenStore;
  readonly idempotency: IdempotencyStore;
  /** This node's signing key (its secret stays in the key directory and this process). */
  private key: NodeKey = NodeKey.ephemeral();
  /** Pinned fingerprints (null: trust the database's key table). */
  private pinned: Set<string> | null = null;
  private keyCache = new Map<string, string | null>();
  private headFilePath: string | null = null;
  private signEveryMs = 5000;
  private lastSigned = { seq: 0, at: Number.NEGATIVE_INFINITY };
  private sealDue = false;
  private sealTimer: NodeJS.Timeout | null = null;
  private progress: VerifyProgress = { checked: 0, total: 0, done: false, result: null };
  private background: Promise<void> | null = null;
  private beforeCommit: LedgerOptions['beforeCommit'] | null = null;

  private constructor(
    private readonly driver: Driver,
    private readonly hasher: Hasher,
    private readonly checkpointEvery: number,
    private readonly channel: string,
    private readonly checkpointOnClose: boolean,
    nodeId: string | undefined,
    private readonly heartbeatMs: number,
  ) {
    this.tokens = new TokenStore(driver.db);
    this.idempotency = new IdempotencyStore(driver.db);
    this.nodeId = nodeId ?? `${hostname()}:${process.pid}:${++ledgersOpened}:${this.startedAt.getTime()}`;
  }

  static async open(opts: LedgerOptions = {}): Promise<Ledger> {
    const url = opts.databaseUrl === null ? undefined : (opts.databaseUrl ?? process.env.DATABASE_URL);
    const schemaName = validSchemaName(opts.schema ?? 'public');
    let driver: Driver;
    if (url) {
      await migratePg(url, schemaName);
      driver = await openPg(url, schemaName);
    } else {
      driver = await openPglite({
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        ...(opts.pgliteTemplate ? { loadDataDir: opts.pgliteTemplate } : {}),
      });
      try {
        await migratePglite(driver);
      } catch (e) {
        await driver.close();
        throw e;
      }
    }
    const ledger = new Ledger(
      driver,
      opts.hasher ?? nodeSha256,
      opts.checkpointEvery ?? 10_000,
      `xdv_trace_${schemaName}`,
      opts.checkpointOnClose ?? true,
      opts.nodeId,
      opts.heartbeatMs ?? 1000,
    );
    try {
      ledger.key = opts.keyDir ? NodeKey.loadOrCreate(resolve(opts.keyDir)) : NodeKey.ephemeral();
      const pinned = parseTrustedKeys(opts.trustedKeys ?? null);
      ledger.pinned = pinned ? new Set(pinned) : null;
      ledger.signEveryMs = opts.signEveryMs ?? 5000;
      ledger.beforeCommit = opts.beforeCommit ?? null;
      const store = url
        ? (() => {
            const u = new URL(url);
            return `pg:${u.hostname}:${u.port || '5432'}${u.pathname}:${schemaName}`;
          })()
        : opts.dataDir
          ? `pglite:${resolve(opts.dataDir)}`
          : null;
      ledger.headFilePath = store ? ledger.key.headFile(storeIdOf(store)) : null;
      await driver.query(
        'INSERT INTO "node_keys" ("fingerprint","public_key","node") VALUES ($1,$2,$3) ON CONFLICT DO NOTHING',
        [ledger.key.fingerprint, ledger.key.publicKey, ledger.nodeId],
      );
      await ledger.checkProtocol();
      await ledger.boot();
      // Start-up verifies before it trusts: the head file, the checkpoint used, the heads above it.
      const sealBreak = await ledger.checkSeals(false);
      if (sealBreak && (!ledger._broken || ledger._broken.seq >= sealBreak.seq)) ledger._broken = sealBreak;
      ledger.lastSigned.seq = readHeadFile(ledger.headFilePath)?.seq ?? 0;
      if (driver.kind === 'pg') {
        ledger.unlisten = await driver.listen(ledger.channel, (payload) =>
          ledger.noteRemote(Number(payload)),
        );
        ledger.poll = setInterval(() => {
          driver
            .query<{ m: number | null }>('SELECT max("seq")::int8 AS m FROM "trace"')
            .then((r) => ledger.noteRemote(Number(r[0]?.m ?? 0)))
            .catch(() => {});
        }, opts.followPollMs ?? 1000);
        ledger.poll.unref();
      }
      if (ledger.live.seq === 0 && !ledger._broken) await ledger.enqueue(scenario.genesisCmd(), true);
      // Forget nodes long gone: stopped over an hour ago, or silent for a day.
      await driver.query(
        `DELETE FROM "nodes" WHERE ("closed_at" IS NOT NULL AND "closed_at" < now() - interval '1 hour') OR "last_seen_at" < now() - interval '1 day'`,
      );
      await ledger.writeNode(false);
      if (ledger.heartbeatMs > 0) {
        ledger.heartbeat = setInterval(() => ledger.beat(), ledger.heartbeatMs);
        ledger.heartbeat.unref();
      }
      if (ledger.signEveryMs > 0) {
        ledger.sealTimer = setInterval(() => {
          if (!ledger._broken && ledger.lastSigned.seq < ledger.view.seq) {
            ledger.sealDue = true;
            ledger.kick();
          }
        }, ledger.signEveryMs);
        ledger.sealTimer.unref();
      }
      if (opts.backgroundVerify ?? true) ledger.background = ledger.verifyInBackground();
      else ledger.progress = { checked: 0, total: 0, done: true, result: null };
    } catch (e) {
      await ledger.close().catch(() => {});
      throw e;
    }
    return ledger;
  }

  /** The committed state (never a command stepped but not yet committed). Do not mutate. */
  get state(): State {
    return this.view;
  }

  /** Set when the hash chain or a replay failed: writes are refused, reads and verify still work. */
  get broken(): { seq: number; reason: string } | null {
    return this._broken;
  }

  get kind(): 'pglite' | 'pg' {
    return this.driver.kind;
  }

  /**
   * The trace as a self-contained NDJSON bundle for a remote verifier (see bundle.ts): header, node
   * keys, signed heads and checkpoints, then every entry, streamed in pages. One line per string.
   */
  exportBundle(): AsyncGenerator<string> {
    return exportBundle(this);
  }

  /** Raw SQL for reporting and tests (read model queries). */
  sql<T extends Row = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.driver.query<T>(text, params);
  }

  submit(cmd: Command): Promise<StepResult> {
    return this.enqueue(cmd, false);
  }

  /**
   * Execute a command at most once per (principal, key): its answer is written in the same
   * transaction as the batch that executes it, so a retry after a crash between COMMIT and the
   * reply gets the committed answer, and concurrent requests with one key (in this process or in
   * another one on the same PostgreSQL) execute once and all receive the first answer.
   */
  async submitOnce(cmd: Command, once: Once): Promise<OnceAnswer> {
    const slot = `${once.principal}\u0000${once.key}`;
    for (;;) {
      const running = this.inflight.get(slot);
      if (running) {
        const first = await running.answer.catch(() => null);
        if (running.requestHash !== once.requestHash) throw onceMismatch();
        if (first) return { ...first, replayed: true };
        continue; // the first attempt failed before committing: try again
      }
      let settle!: (a: OnceAnswer) => void;
      let fail!: (e: unknown) => void;
      const answer = new Promise<OnceAnswer>((res, rej) => {
        settle = res;
        fail = rej;
      });
      answer.catch(() => {});
      this.inflight.set(slot, { requestHash: once.requestHash, answer });
      try {
        const a = await this.runOnce(cmd, once);
        settle(a);
        return a;
      } catch (e) {
        fail(e);
        throw e;
      } finally {
        this.inflight.delete(slot);
      }
    }
  }

  private async runOnce(cmd: Command, once: Once): Promise<OnceAnswer> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const prior = await this.idempotency.get(once.principal, once.key);
      if (prior) {
        if (prior.requestHash !== once.requestHash) throw onceMismatch();
        return { status: prior.status, body: prior.body, replayed: true };
      }
      try {
        const p = await this.enqueuePending(cmd, false, once);
        return { ...p.answer!, replayed: false };
      } catch (e) {
        if (!(e instanceof OnceConflict)) throw e;
        // Another process committed this key first: its stored answer is read on the next round.
      }
    }
    throw new DbError('HV_CONFLICT_RETRIES', 'gave up on an Idempotency-Key contended by other writers');
  }

  submitMany(cmds: readonly Command[]): Promise<StepResult[]> {
    return Promise.all(cmds.map((c) => this.submit(c)));
  }

  preview(cmd: Command): Preview {
    return preview(this.view, admit(this.view, cmd), this.hasher);
  }

  onCommit(listener: (entries: Entry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async entries(q: TraceQuery = {}): Promise<Entry[]> {
    const where = ['"seq" > $1'];
    const params: unknown[] = [q.afterSeq ?? 0];
    for (const k of ['tenant', 'vhm', 'type'] as const) {
      const v = q[k];
      if (v !== undefined) {
        params.push(v);
        where.push(`"${k}" = $${params.length}`);
      }
    }
    params.push(Math.max(1, Math.min(q.limit ?? 100, 10_000)));
    const rows = await this.driver.query<{ text: string; hash: string }>(
      `SELECT "text","hash" FROM "trace" WHERE ${where.join(' AND ')} ORDER BY "seq" LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => parseEntry(r.text, r.hash));
  }

  /**
   * The right to be the clock source: among all processes on one database, at most one holds it
   * (a PostgreSQL session advisory lock, freed when its holder dies). Null when another holds it.
   */
  tryClockLock(): Promise<HeldLock | null> {
    return this.driver.tryLock(`xdv-clock:${this.channel}`);
  }

  /** Full check of the stored trace: every hash, link and decision re-derived from genesis. */
  async verify(): Promise<VerifyResult> {
    const r = await replayChunked(this.driver, null, this.hasher);
    const seal = await this.checkSeals(true);
    const mismatch = pickBreak(r.mismatch, seal);
    if (mismatch) this.markBroken(mismatch);
    return { ok: mismatch === null, entries: r.entries, mismatch };
  }

  /** The background verification's progress (rows checked of the trace at start, done, result). */
  get verification(): VerifyProgress {
    return { ...this.progress };
  }

  /** Resolves when the background verification is over (tests). */
  async verified(): Promise<VerifyProgress> {
    await this.background;
    return this.verification;
  }

  /** This node's public key and its fingerprint (SHA-256 of the public key, hex). */
  get nodeKey(): { fingerprint: string; short: string; publicKey: string; dir: string | null } {
    return {
      fingerprint: this.key.fingerprint,
      short: shortFingerprint(this.key.fingerprint),
      publicKey: this.key.publicKey,
      dir: this.key.dir,
    };
  }

  /** The newest signed head in the database and the public key that signed it (null: none yet). */
  async signedHead(): Promise<SignedHeadInfo | null> {
    const rows = await this.driver.query<{ seq: number; l: number; hash: string; key: string; sig: string }>(
      'SELECT "seq","l","hash","key","sig" FROM "trace_heads" ORDER BY "seq" DESC LIMIT 1',
    );
    const h = rows[0];
    if (!h) return null;
    const pub = await this.trustedPublicKey(h.key);
    const known =
      pub ??
      (
        await this.driver.query<{ public_key: string }>(
          'SELECT "public_key" FROM "node_keys" WHERE "fingerprint" = $1',
          [h.key],
        )
      )[0]?.public_key ??
      null;
    const head = { seq: Number(h.seq), l: Number(h.l), hash: h.hash, key: h.key, sig: h.sig };
    return {
      ...head,
      publicKey: known,
      trusted: pub !== null && verifySeal(HEAD_KIND, headBody(head), h.sig, pub),
    };
  }

  /** State at logical time L: the nearest checkpoint at or before L, then the trace up to L. */
  async stateAt(l: number): Promise<State> {
    const cps = await this.driver.query<{ seq: number; state: string; state_hash: string }>(
      'SELECT "seq","state","state_hash" FROM "checkpoints" WHERE "l" <= $1 ORDER BY "seq" DESC LIMIT 1',
      [l],
    );
    const cp = cps[0] && this.hasher(cps[0].state) === cps[0].state_hash ? cps[0] : null;
    const from = cp ? (JSON.parse(cp.state) as State) : null;
    const r = await replayChunked(this.driver, from, this.hasher, { untilL: l });
    if (r.mismatch)
      throw Object.assign(
        new DbError('HV_TRACE_BROKEN', `trace broken at seq ${r.mismatch.seq}`, undefined, {
          seq: r.mismatch.seq,
        }),
        {
          seq: r.mismatch.seq,
        },
      );
    return r.state ?? emptyState();
  }

  /** Write a checkpoint of the committed state now. */
  async checkpoint(): Promise<void> {
    await this.idle();
    if (this._broken || this.needReload || this.view.seq === 0 || this.view.seq === this.lastCheckpointSeq)
      return;
    const cp = this.sealCheckpoint(checkpointOf(this.view, this.hasher));
    await writeCheckpoint(this.driver, cp);
    this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, cp.seq);
    await this.sealNow();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.idle();
      if (this.poll) clearInterval(this.poll);
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.sealTimer) clearInterval(this.sealTimer);
      if (this.background) await this.background;
      if (this.beating) await this.beating;
      if (this.unlisten) await this.unlisten();
      if (
        this.checkpointOnClose &&
        !this._broken &&
        !this.needReload &&
        this.view.seq > this.lastCheckpointSeq
      )
        await writeCheckpoint(this.driver, this.sealCheckpoint(checkpointOf(this.view, this.hasher))).catch(
          () => {},
        );
      if (!this._broken && !this.needReload) await this.sealNow().catch(() => {});
      await this.writeNode(true).catch(() => {});
    } finally {
      await this.driver.close();
    }
  }

  // ------------------------------------------------------------ internals

  private enqueue(cmd: Command, ifEmpty: boolean): Promise<StepResult> {
    return this.enqueuePending(cmd, ifEmpty).then((p) => p.result!);
  }

  private enqueuePending(cmd: Command, ifEmpty: boolean, once?: Once): Promise<Pending> {
    if (this.closed && !ifEmpty) return Promise.reject(new DbError('HV_LEDGER_CLOSED', 'ledger is closed'));
    if (this._broken) return Promise.reject(brokenError(this._broken));
    return new Promise<Pending>((resolve, reject) => {
      const p: Pending = {
        cmd,
        result: null,
        attempts: 0,
        ifEmpty,
        resolve: () => resolve(p),
        reject,
        ...(once ? { once } : {}),
      };
      if (this.hold) this.held.push(p);
      else this.stepOne(p);
      this.kick();
    });
  }

  /** Step one command into the speculative batch. */
  private stepOne(p: Pending): void {
    if (this._broken) {
      p.reject(brokenError(this._broken));
      return;
    }
    if (p.ifEmpty && this.live.seq > 0) {
      p.resolve({ entries: [], created: {}, touched: null, error: null });
      return;
    }
    const t0 = performance.now();
    try {
      const r = step(this.live, admit(this.live, p.cmd), { hasher: this.hasher, touched: true });
      p.result = r;
      if (p.once) {
        p.answer = p.once.respond(r, this.live);
        this.pending.once.push(p);
      }
      this.pending.items.push(p);
      for (const e of r.entries) this.pending.entries.push(e);
      this.pending.read.add(r.entries, r.touched);
      this.stats.stepMs += performance.now() - t0;
    } catch (e) {
      // A core bug (invariant violation) may have left the state half-changed. The batch's
      // read-model rows are serialised from the state at flush time, so nothing stepped since the
      // last commit can be committed from this state: fail the whole open batch (nothing of it is
      // durable, so a retry is safe), then rebuild from the database before stepping anything else.
      p.reject(e);
      const open = this.pending;
      this.pending = new Batch();
      for (const q of open.items)
        q.reject(
          new DbError(
            'HV_DB_FLUSH_FAILED',
            `not committed: a core invariant failed in the same batch (${(e as Error)?.message ?? String(e)}); retry`,
            e,
          ),
        );
      this.needReload = true;
      this.hold = true;
    }
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pump().catch(() => {});
    });
  }

  private noteRemote(seq: number): void {
    if (Number.isFinite(seq) && seq > this.remoteSeq) {
      this.remoteSeq = seq;
      if (seq > this.live.seq) this.kick();
    }
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        if (this.pending.items.length > 0) {
          await this.flush();
          continue;
        }
        if (this.needReload) {
          this.hold = true;
          try {
            await this.reload();
            this.needReload = false;
          } catch (e) {
            // The database is unreachable: fail whoever waits; the next submit tries again.
            for (const p of this.held.splice(0)) p.reject(flushError(e));
            break;
          }
          continue;
        }
        if (this.remoteSeq > this.live.seq && !this._broken) {
          this.hold = true;
          try {
            await this.catchUp();
          } catch {
            this.needReload = true;
          }
          continue;
        }
        if (this.hold) {
          this.hold = false;
          for (const p of this.held.splice(0)) this.stepOne(p);
          continue;
        }
        if (this.sealDue) {
          this.sealDue = false;
          await this.sealNow().catch(() => {});
          continue;
        }
        break;
      }
    } finally {
      this.pumping = false;
      // A failed reload with nobody waiting is retried by the next submit, not in a busy loop.
      if (this.pending.items.length > 0 || this.held.length > 0) this.kick();
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Batch();
    // Never append to a chain known to be broken (a background check may have found it meanwhile).
    if (this._broken) {
      const err = brokenError(this._broken);
      for (const p of batch.items) p.reject(err);
      return;
    }
    // Right now the state is exactly at the end of this batch: the only moment to snapshot it.
    if (
      !this.needReload &&
      this.checkpointEvery > 0 &&
      this.live.seq - this.lastCheckpointSeq >= this.checkpointEvery
    )
      batch.checkpoint = this.sealCheckpoint(checkpointOf(this.live, this.hasher));
    batch.read.seal(this.live);
    const last = batch.entries[batch.entries.length - 1];
    // Sign the batch head in the same transaction: at most every signEveryMs (about 7 ms each), and
    // always with a checkpoint. Batches between two signed heads are covered by the next one.
    if (last && (batch.checkpoint || performance.now() - this.lastSigned.at >= this.signEveryMs))
      batch.head = this.signHead({ seq: last.seq, l: last.l, hash: last.hash });
    const t0 = performance.now();
    try {
      await this.driver.tx(async (q) => {
        await writeBatch(q, batch.entries, batch.read, {
          node: this.nodeId,
          retries: batch.items.reduce((m, p) => Math.max(m, p.attempts), 0),
        });
        // Keyed answers commit with the commands they answer (a duplicate key aborts the batch).
        if (batch.once.length > 0)
          await writeAnswers(
            q,
            batch.once.map((p) => ({
              principal: p.once!.principal,
              key: p.once!.key,
              requestHash: p.once!.requestHash,
              status: p.answer!.status,
              body: p.answer!.body,
              ttlSeconds: p.once!.ttlSeconds ?? 86_400,
            })),
          );
        if (batch.checkpoint) await writeCheckpoint(q, batch.checkpoint);
        if (batch.head) await insertHead(q, batch.head);
        if (this.driver.kind === 'pg' && last)
          await q.query('SELECT pg_notify($1, $2)', [this.channel, String(last.seq)], 'xdv_notify');
        if (this.beforeCommit) await this.beforeCommit(batch.entries);
      });
    } catch (e) {
      // Everything stepped after the last commit is speculative and must be redone on the state the
      // database holds. A seq conflict means another writer got there first: retry the whole batch.
      const later = this.pending.items;
      this.pending = new Batch();
      this.hold = true;
      this.needReload = true;
      const onceConflict = isOnceConflict(e);
      const conflict = isSeqConflict(e) || onceConflict;
      if (conflict) this.stats.conflicts++;
      const retry: Pending[] = [];
      const failed: Array<[Pending, Error]> = [];
      for (const p of batch.items) {
        p.attempts++;
        // A keyed command goes back to its caller, who reads the answer the other writer stored.
        if (onceConflict && p.once) failed.push([p, new OnceConflict()]);
        else if (conflict && p.attempts < MAX_ATTEMPTS) retry.push(p);
        else
          failed.push([
            p,
            conflict
              ? new DbError('HV_CONFLICT_RETRIES', `gave up after ${p.attempts} seq conflicts`, e)
              : flushError(e),
          ]);
      }
      this.held.unshift(...retry, ...later);
      // Rebuild before answering, so a caller that sees the failure also sees the state the DB holds.
      try {
        await this.reload();
        this.needReload = false;
      } catch {
        // Still unreachable: the pump tries again before stepping anything.
      }
      for (const [p, err] of failed) p.reject(err);
      return;
    }
    if (batch.checkpoint) {
      this.lastCheckpointSeq = batch.checkpoint.seq;
      this.stats.checkpoints++;
    }
    this.stats.flushMs += performance.now() - t0;
    this.stats.batches++;
    this.stats.entries += batch.entries.length;
    // The committed state takes the batch before anyone is answered or told of it.
    if (last) this.commitView(batch.entries);
    if (batch.head) this.noteSigned(batch.head);
    for (const p of batch.items) p.resolve(p.result!);
    if (batch.entries.length > 0) this.emit(batch.entries);
  }

  /**
   * Advance the committed state by a batch that just committed. Should the core not regenerate the
   * batch byte for byte (a core bug), the committed state is rebuilt from the store before the next
   * command is stepped.
   */
  private commitView(entries: readonly Entry[]): void {
    if (advance(this.view, entries) !== null) {
      this.needReload = true;
      this.hold = true;
    }
  }

  private emit(entries: Entry[]): void {
    if (entries.length === 0) return;
    this.emittedSeq = Math.max(this.emittedSeq, entries[entries.length - 1]!.seq);
    for (const l of this.listeners) {
      try {
        l(entries);
      } catch {
        // A listener's failure is its own; the commit stands.
      }
    }
  }

  /** Signed checkpoints with the trace's hash at their seq (null where the trace is shorter). */
  private signedCheckpoints(order: 'ASC' | 'DESC'): Promise<
    Array<{
      seq: number;
      l: number;
      head: string;
      state_hash: string;
      key: string | null;
      sig: string | null;
      thash: string | null;
    }>
  > {
    return this.driver.query(
      `SELECT c."seq", c."l", c."head", c."state_hash", c."key", c."sig", t."hash" AS "thash" FROM "checkpoints" c LEFT JOIN "trace" t ON t."seq" = c."seq" WHERE c."sig" IS NOT NULL ORDER BY c."seq" ${order}`,
    );
  }

  /** Refuse a trace written with another protocol before anything replays or appends to it. */
  private async checkProtocol(): Promise<void> {
    // The genesis command (seq 1) and its effect (seq 2), which records the protocol.
    const rows = await this.driver.query<{ text: string; hash: string }>(
      'SELECT "text","hash" FROM "trace" WHERE "seq" <= 2 ORDER BY "seq"',
    );
    if (rows.length === 0) return;
    const genesis = rows.map((r) => parseEntry(r.text, r.hash));
    const found = genesis.every((e) => isEntry(e, 'genesis')) ? protocolOf(genesis) : null;
    if (found !== PROTOCOL_VERSION) throw new ProtocolMismatch(found);
  }

  /** Boot: newest valid checkpoint, then the tail replayed and verified through the core. */
  private async boot(): Promise<void> {
    const { state, broken, checkpointSeq } = await this.load();
    if (this.emittedSeq === 0) this.emittedSeq = state.seq; // first boot: history is not news
    this.view = state;
    this.live = cloneState(state);
    this._broken = broken;
    this.lastCheckpointSeq = checkpointSeq;
    this.remoteSeq = Math.max(this.remoteSeq, state.seq);
  }

  private async reload(): Promise<void> {
    this.stats.reloads++;
    await this.boot();
    // Entries another writer committed meanwhile are news to the listeners.
    while (this.view.seq > this.emittedSeq) {
      const news = await this.entries({ afterSeq: this.emittedSeq, limit: 10_000 });
      const upTo = news.filter((e) => e.seq <= this.view.seq);
      if (upTo.length === 0) break;
      this.emit(upTo);
    }
  }

  private async load(): Promise<{
    state: State;
    broken: { seq: number; reason: string } | null;
    checkpointSeq: number;
  }> {
    // Only a checkpoint signed by a trusted key is used; a signed one that fails its checks is a break
    // (a forged or swapped checkpoint), and boot falls back to an older one or genesis.
    const cps = await this.signedCheckpoints('DESC');
    let from: State | null = null;
    let checkpointSeq = 0;
    let sealBreak: Break | null = null;
    for (const cp of cps) {
      const bad = await this.checkpointBreak(cp);
      if (bad) {
        sealBreak ??= bad;
        continue;
      }
      if (cp.thash !== cp.head) {
        sealBreak ??= {
          seq: Number(cp.seq),
          reason:
            cp.thash === null
              ? `truncation: a checkpoint was signed at seq ${cp.seq} but the trace no longer reaches it`
              : `rollback/forgery: the trace's hash at seq ${cp.seq} is not the signed checkpoint's head`,
        };
        continue;
      }
      const text = (
        await this.driver.query<{ state: string }>('SELECT "state" FROM "checkpoints" WHERE "seq" = $1', [
          cp.seq,
        ])
      )[0]?.state;
      if (text === undefined || this.hasher(text) !== cp.state_hash) {
        sealBreak ??= {
          seq: Number(cp.seq),
          reason: `forged checkpoint at seq ${cp.seq}: its state does not match the signed state hash`,
        };
        continue;
      }
      const s = JSON.parse(text) as State;
      if (s.seq === Number(cp.seq) && s.head === cp.head) {
        from = s;
        checkpointSeq = Number(cp.seq);
        break;
      }
      sealBreak ??= {
        seq: Number(cp.seq),
        reason: `forged checkpoint at seq ${cp.seq}: its state is at another seq`,
      };
    }
    const r = await replayChunked(this.driver, from, this.hasher);
    return { state: r.state ?? emptyState(), broken: pickBreak(r.mismatch, sealBreak), checkpointSeq };
  }

  /** Follow another writer: replay its new entries into the live state and tell the listeners. */
  private async catchUp(): Promise<void> {
    this.stats.catchUps++;
    // Nothing is stepped ahead here (the pump holds new commands), so both states are at one seq:
    // replay verifies the rows into the committed state and the live one takes the same rows.
    const r = await replayChunked(this.driver, this.view, this.hasher, { keepRows: true });
    const rows = r.rows ?? [];
    if (r.state) {
      this.view = r.state;
      if (advance(this.live, rows) !== null) this.needReload = true;
    }
    if (r.mismatch) this.markBroken(r.mismatch);
    if (rows.length > 0) this.emit(rows.map((x) => parseEntry(x.text, x.hash)));
  }

  // ------------------------------------------------------------ the seal

  private markBroken(b: Break): void {
    if (!this._broken || b.seq < this._broken.seq) this._broken = b;
  }

  private sealCheckpoint(cp: CheckpointRow): CheckpointRow {
    const t0 = performance.now();
    const sig = this.key.sign(CHECKPOINT_KIND, checkpointBody(cp));
    this.stats.signs++;
    this.stats.signMs += performance.now() - t0;
    return { ...cp, key: this.key.fingerprint, sig };
  }

  private signHead(h: { seq: number; l: number; hash: string }): SignedHead {
    const t0 = performance.now();
    const signed = this.key.signHead(h);
    this.stats.signs++;
    this.stats.signMs += performance.now() - t0;
    return signed;
  }

  private noteSigned(h: SignedHead): void {
    this.lastSigned = { seq: h.seq, at: performance.now() };
    if (this.headFilePath) writeHeadFile(this.headFilePath, h);
  }

  /** Sign the committed head now (its own transaction) unless it is signed already. */
  private async sealNow(): Promise<void> {
    const at = { seq: this.view.seq, head: this.view.head };
    if (this._broken || this.needReload || at.seq === 0 || this.lastSigned.seq >= at.seq) return;
    const row = (
      await this.driver.query<{ seq: number; l: number; hash: string }>(
        'SELECT "seq","l","hash" FROM "trace" WHERE "seq" = $1',
        [at.seq],
      )
    )[0];
    if (!row || row.hash !== at.head) return;
    const h = this.signHead({ seq: Number(row.seq), l: Number(row.l), hash: row.hash });
    await insertHead(this.driver, h);
    this.noteSigned(h);
  }

  /** The public key of a trusted fingerprint, or null when the key is unknown or not pinned. */
  private async trustedPublicKey(fp: string): Promise<string | null> {
    if (fp === this.key.fingerprint) return this.key.publicKey;
    if (this.pinned && !this.pinned.has(fp)) return null;
    const cached = this.keyCache.get(fp);
    if (cached) return cached;
    const r = await this.driver.query<{ public_key: string }>(
      'SELECT "public_key" FROM "node_keys" WHERE "fingerprint" = $1',
      [fp],
    );
    const pub = r[0] && fingerprintOf(r[0].public_key) === fp ? r[0].public_key : null;
    if (pub) this.keyCache.set(fp, pub);
    return pub;
  }

  private async checkpointBreak(cp: {
    seq: number;
    l: number;
    head: string;
    state_hash: string;
    key: string | null;
    sig: string | null;
  }): Promise<Break | null> {
    const seq = Number(cp.seq);
    const pub = cp.key ? await this.trustedPublicKey(cp.key) : null;
    if (!pub)
      return {
        seq,
        reason: `checkpoint at seq ${seq} is signed by an unknown key ${shortFingerprint(cp.key ?? '')} (not pinned in XDV_TRUSTED_KEYS or the key table)`,
      };
    const body = checkpointBody({ seq, l: Number(cp.l), head: cp.head, stateHash: cp.state_hash });
    if (!verifySeal(CHECKPOINT_KIND, body, cp.sig ?? '', pub))
      return {
        seq,
        reason: `forged checkpoint at seq ${seq}: its signature does not verify (a checkpoint edited or swapped for another)`,
      };
    return null;
  }

  /**
   * The seal's checks: this node's head file against the trace (truncation, rollback/forgery), the
   * signed heads (all, or those at or above the checkpoint used) and, with `all`, every signed
   * checkpoint. Returns the first break found.
   */
  private async checkSeals(all: boolean): Promise<Break | null> {
    const file = readHeadFile(this.headFilePath);
    const traceHash = async (seq: number) =>
      (await this.driver.query<{ hash: string }>('SELECT "hash" FROM "trace" WHERE "seq" = $1', [seq]))[0]
        ?.hash;
    const end = async () =>
      Number(
        (await this.driver.query<{ m: number | null }>('SELECT max("seq")::int8 AS m FROM "trace"'))[0]?.m ??
          0,
      );
    if (file) {
      if (
        file.key !== this.key.fingerprint ||
        !verifySeal(HEAD_KIND, headBody(file), file.sig, this.key.publicKey)
      )
        return {
          seq: file.seq,
          reason: `the head file ${this.headFilePath} is not signed by this node's key ${shortFingerprint(this.key.fingerprint)}`,
        };
      const h = await traceHash(file.seq);
      if (h === undefined)
        return {
          seq: file.seq,
          reason: `truncation: this node signed the head at seq ${file.seq} but the trace ends at seq ${await end()}`,
        };
      if (h !== file.hash)
        return {
          seq: file.seq,
          reason: `rollback/forgery: the trace's hash at seq ${file.seq} is not the one this node signed`,
        };
    }
    const from = all ? 0 : this.lastCheckpointSeq;
    let after = -1;
    for (;;) {
      const heads = await this.driver.query<SignedHead & { thash: string | null } & Row>(
        'SELECT h."seq", h."l", h."hash", h."key", h."sig", t."hash" AS "thash" FROM "trace_heads" h LEFT JOIN "trace" t ON t."seq" = h."seq" WHERE h."seq" >= $1 AND h."seq" > $2 ORDER BY h."seq" LIMIT 500',
        [from, after],
      );
      if (heads.length === 0) break;
      for (const h of heads) {
        const seq = Number(h.seq);
        after = seq;
        const pub = await this.trustedPublicKey(h.key);
        if (!pub)
          return {
            seq,
            reason: `the head at seq ${seq} is signed by an unknown key ${shortFingerprint(h.key)} (not pinned in XDV_TRUSTED_KEYS or the key table)`,
          };
        if (!verifySeal(HEAD_KIND, headBody({ seq, l: Number(h.l), hash: h.hash }), h.sig, pub))
          return { seq, reason: `forged head at seq ${seq}: its signature does not verify` };
        if (h.thash === null)
          return {
            seq,
            reason: `truncation: a head was signed at seq ${seq} but the trace ends at seq ${await end()}`,
          };
        if (h.thash !== h.hash)
          return { seq, reason: `rollback/forgery: the trace's hash at seq ${seq} is not the signed head's` };
      }
      if (!all) break;
      await new Promise((r) => setImmediate(r));
    }
    if (all) {
      const cps = await this.signedCheckpoints('ASC');
      for (const cp of cps) {
        const bad = await this.checkpointBreak(cp);
        if (bad) return bad;
        const seq = Number(cp.seq);
        if (cp.thash === null)
          return {
            seq,
            reason: `truncation: a checkpoint was signed at seq ${seq} but the trace ends at seq ${await end()}`,
          };
        if (cp.thash !== cp.head)
          return {
            seq,
            reason: `rollback/forgery: the trace's hash at seq ${seq} is not the signed checkpoint's head`,
          };
      }
    }
    return null;
  }

  /**
   * Everything again, in chunks, after start (boot served from a checkpoint): every row's hash, link
   * and decision from genesis, then every signed head and checkpoint. A break stops writes.
   */
  private async verifyInBackground(): Promise<void> {
    const total = (await this.committedHead().catch(() => ({ seq: 0 }))).seq;
    this.progress = { checked: 0, total, done: false, result: null };
    const stop = new Error('closed');
    try {
      await new Promise((r) => setTimeout(r, 0));
      const r = await replayChunked(this.driver, null, this.hasher, {
        chunk: 2000,
        onChunk: async (entries) => {
          this.progress.checked = entries;
          this.progress.total = Math.max(this.progress.total, entries);
          if (this.closed) throw stop;
          await new Promise((res) => setImmediate(res));
        },
      });
      this.progress.checked = r.entries;
      this.progress.total = Math.max(this.progress.total, r.entries);
      const mismatch = pickBreak(r.mismatch, r.mismatch ? null : await this.checkSeals(true));
      if (mismatch) this.markBroken(mismatch);
      this.progress.done = true;
      this.progress.result = { ok: mismatch === null, mismatch };
    } catch (e) {
      this.progress.done = true;
      this.progress.result = {
        ok: false,
        mismatch: e === stop ? null : { seq: 0, reason: `not finished: ${(e as Error)?.message ?? e}` },
      };
      if (e === stop) this.progress.result = null;
    }
  }

  private idle(): Promise<void> {
    if (!this.pumping && this.pending.items.length === 0 && this.held.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ------------------------------------------------------------ cluster telemetry

  /** This node's last committed (or replayed) position; the live state may be ahead by speculation. */
  get applied(): { seq: number; l: number } {
    return { seq: this.view.seq, l: this.view.l };
  }

  /** Every node that has written this database, ordered by node id (a deterministic order). */
  async nodes(): Promise<NodeRow[]> {
    const rows = await this.driver.query<Row>(
      `SELECT n.*, (extract(epoch FROM (now() - n."last_seen_at")) * 1000)::int8 AS "age_ms",
         coalesce((SELECT max(r."last_seq") FROM "commit_rounds" r
                   WHERE r."committed_at" <= n."last_seen_at" - interval '1 second'), 0)::int8 AS "settled_seq"
       FROM "nodes" n ORDER BY n."id" COLLATE "C"`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      hostname: String(r.hostname),
      pid: Number(r.pid),
      driver: r.driver === 'pg' ? 'pg' : 'pglite',
      version: String(r.version),
      startedAt: iso(r.started_at),
      lastSeenAt: iso(r.last_seen_at),
      closedAt: r.closed_at == null ? null : iso(r.closed_at),
      ageMs: Math.max(0, Number(r.age_ms)),
      appliedSeq: Number(r.applied_seq),
      appliedL: Number(r.applied_l),
      hashSeq: Number(r.hash_seq),
      stateHash: String(r.state_hash),
      commits: Number(r.commits),
      entries: Number(r.entries),
      conflicts: Number(r.conflicts),
      catchUps: Number(r.catch_ups),
      reloads: Number(r.reloads),
      checkpoints: Number(r.checkpoints),
      broken: Boolean(r.broken),
      brokenSeq: r.broken_seq == null ? null : Number(r.broken_seq),
      settledSeq: Number(r.settled_seq),
    }));
  }

  /** The newest commit rounds (at most `limit`), newest first. */
  async rounds(limit = 20): Promise<CommitRound[]> {
    const rows = await this.driver.query<Row>(
      'SELECT * FROM "commit_rounds" ORDER BY "first_seq" DESC LIMIT $1',
      [Math.max(1, Math.min(limit, ROUNDS_KEPT))],
    );
    return rows.map((r) => ({
      firstSeq: Number(r.first_seq),
      lastSeq: Number(r.last_seq),
      firstL: Number(r.first_l),
      lastL: Number(r.last_l),
      entries: Number(r.entries),
      node: String(r.node),
      retries: Number(r.retries),
      committedAt: iso(r.committed_at),
    }));
  }

  /** The committed head of the trace in the database (every node's entries), not this node's view. */
  async committedHead(): Promise<{ seq: number; l: number }> {
    const r = await this.driver.query<{ seq: number; l: number }>(
      'SELECT "seq","l" FROM "trace" ORDER BY "seq" DESC LIMIT 1',
    );
    return { seq: Number(r[0]?.seq ?? 0), l: Number(r[0]?.l ?? 0) };
  }

  /** Refresh this node's row now (tests; the timer does it about once a second). */
  async heartbeatNow(): Promise<void> {
    if (this.beating) await this.beating;
    await this.idle();
    await this.writeNode(false, true);
  }

  /**
   * Keep only the newest ROUNDS_KEPT commit rounds (the heartbeat calls it about once a minute; any
   * node may, the DELETE is idempotent). PGlite has no autovacuum, so it vacuums the two telemetry
   * tables itself. Returns how many rounds were deleted.
   */
  async pruneRounds(): Promise<number> {
    const r = await this.driver.query<{ n: number }>(
      `WITH d AS (DELETE FROM "commit_rounds" WHERE "first_seq" < (SELECT "first_seq" FROM "commit_rounds" ORDER BY "first_seq" DESC OFFSET ${ROUNDS_KEPT - 1} LIMIT 1) RETURNING 1) SELECT count(*)::int AS n FROM d`,
    );
    if (this.driver.kind === 'pglite') await this.driver.query('VACUUM "commit_rounds", "nodes"');
    return Number(r[0]?.n ?? 0);
  }

  private beat(): void {
    if (this.beating || this.closed) return;
    this.beating = (async () => {
      try {
        await this.writeNode(false);
        if (++this.beats % 60 === 1) await this.pruneRounds();
      } catch {
        // Telemetry only: the next beat tries again.
      } finally {
        this.beating = null;
      }
    })();
  }

  private async writeNode(closing: boolean, force = closing): Promise<void> {
    // The committed state is always at exactly a committed seq (unless it awaits a rebuild): hash it
    // at most every heartbeat (or 20× its own cost, for a huge state).
    const now = performance.now();
    if (
      !this.needReload &&
      this.hashed.seq !== this.view.seq &&
      (force || now - this.hashedAt >= Math.max(this.heartbeatMs, 20 * this.hashCostMs))
    ) {
      this.hashed = { seq: this.view.seq, hash: stateHash(this.view, this.hasher) };
      this.hashedAt = now;
      this.hashCostMs = performance.now() - now;
    }
    const s = this.stats;
    await this.driver.query(
      `INSERT INTO "nodes" ("id","hostname","pid","driver","version","started_at","last_seen_at","closed_at",
         "applied_seq","applied_l","hash_seq","state_hash","commits","entries","conflicts","catch_ups","reloads",
         "checkpoints","broken","broken_seq")
       VALUES ($1,$2,$3,$4,$5,$6,now(),CASE WHEN $7::bool THEN now() END,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)
       ON CONFLICT ("id") DO UPDATE SET ("last_seen_at","closed_at","applied_seq","applied_l","hash_seq","state_hash",
         "commits","entries","conflicts","catch_ups","reloads","checkpoints","broken","broken_seq") =
         ROW(EXCLUDED."last_seen_at",EXCLUDED."closed_at",EXCLUDED."applied_seq",EXCLUDED."applied_l",EXCLUDED."hash_seq",
         EXCLUDED."state_hash",EXCLUDED."commits",EXCLUDED."entries",EXCLUDED."conflicts",EXCLUDED."catch_ups",
         EXCLUDED."reloads",EXCLUDED."checkpoints",EXCLUDED."broken",EXCLUDED."broken_seq")`,
      [
        this.nodeId,
        hostname(),
        process.pid,
        this.driver.kind,
        DB_VERSION,
        this.startedAt.toISOString(),
        closing,
        this.view.seq,
        this.view.l,
        Math.max(0, this.hashed.seq),
        this.hashed.hash,
        s.batches,
        s.entries,
        s.conflicts,
        s.catchUps,
        s.reloads,
        s.checkpoints,
        this._broken !== null,
        this._broken?.seq ?? null,
      ],
      'xdv_node',
    );
  }

  /** Hash of the committed state (tests and health checks compare processes with it). */
  stateHash(): string {
    return stateHash(this.view, this.hasher);
  }
}

function iso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}

function brokenError(b: { seq: number; reason: string }): DbError {
  return Object.assign(
    new DbError(
      'HV_TRACE_BROKEN',
      `trace broken at seq ${b.seq}: ${b.reason}; writes are refused`,
      undefined,
      {
        seq: b.seq,
      },
    ),
    { seq: b.seq },
  );
}

/** The break to report: the lower seq (the seal's on a tie: it names the attack). */
function pickBreak(a: Break | null, b: Break | null): Break | null {
  if (!a) return b;
  if (!b) return a;
  return a.seq < b.seq ? a : b;
}

function insertHead(q: { query: Driver['query'] }, h: SignedHead): Promise<unknown> {
  return q.query(
    'INSERT INTO "trace_heads" ("seq","l","hash","key","sig") VALUES ($1,$2,$3,$4,$5) ON CONFLICT ("seq") DO NOTHING',
    [h.seq, h.l, h.hash, h.key, h.sig],
    'xdv_head',
  );
}

function flushError(e: unknown): DbError {
  return new DbError('HV_DB_FLUSH_FAILED', `commit failed: ${(e as Error)?.message ?? String(e)}`, e);
}
