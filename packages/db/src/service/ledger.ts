import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  admit,
  type Command,
  cloneState,
  type Entry,
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
  scenario,
  stateHash,
  step,
} from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';
import { exportBundle } from '../bundle.js';
import { DbError, type HeldLock, type Row } from '../driver.js';
import { type CommitRound, Heartbeat, type NodeReport, type NodeRow } from '../heartbeat.js';
import {
  CHECKPOINT_KIND,
  checkpointBody,
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
} from '../seal.js';
import { isOnceConflict, isSeqConflict } from '../store/answers.js';
import { type CheckpointRow, checkpointOf } from '../store/checkpoints.js';
import { type BatchWrite, onceSlot, type TraceQuery, TraceStore } from '../store/trace-store.js';
import type { IdempotencyStore, TokenStore } from '../tokens.js';
import {
  Batch,
  CONTENDED_ROUNDS,
  FIRST_BATCH,
  FOLLOW_CHUNK,
  type Inflight,
  MAX_ATTEMPTS,
  MAX_BATCH,
  type Pending,
  STEP_SLICE,
} from './batch.js';
import { advance, follow, isCommandEntry } from './committed.js';
import {
  type Break,
  brokenError,
  flushError,
  OnceConflict,
  onceMismatch,
  ProtocolMismatch,
  pickBreak,
} from './errors.js';
import { SealChecks } from './trust.js';
import type {
  LedgerOptions,
  Once,
  OnceAnswer,
  SignedHeadInfo,
  VerifyProgress,
  VerifyResult,
} from './types.js';

let ledgersOpened = 0;

/**
 * The hypervisor service: admission and the core's step on the live state, group commit through
 * the trace store (one transaction per batch, callers answered only after COMMIT), the committed
 * state every read serves, following other writers, checkpoints and the seal's policy. Several
 * services may share one PostgreSQL: appends are optimistic on seq, and after a seq conflict a
 * node's commits are pessimistic (stepped under the database's commit lock) until contention ends,
 * so no command is refused because another node was busy. All SQL is the store's.
 */
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
  /** Commands received and not stepped yet, in arrival order (the pump steps them). */
  private queue: Pending[] = [];
  /** The open batch: stepped into the live state, not sent yet. */
  private pending = new Batch();
  /** The batch whose transaction is in flight (at most one). */
  private inflight: Inflight | null = null;
  /**
   * Committed batches the committed state has not taken yet: it takes them lazily, before any read
   * of it (see `committed`) and while the pump waits on a transaction, so the re-stepping overlaps
   * the next commit instead of delaying it.
   */
  private viewQueue: Entry[][] = [];
  /** The seq of the last entry known committed by this node (its batches and the rows it followed). */
  private committedSeq = 0;
  /** Keyed commands being executed in this process: a duplicate waits for the first's answer. */
  private readonly inflightOnce = new Map<string, { requestHash: string; answer: Promise<OnceAnswer> }>();
  /** The live state is ahead of what the database holds (a failed commit): rebuild it from the committed state. */
  private needRebuild = false;
  /** The committed state itself is unusable (a core bug): reload it from the database. */
  private needReload = false;
  private pumping = false;
  /**
   * Pessimistic commits still due (see CONTENDED_ROUNDS): while above zero, commands are stepped
   * inside a transaction holding the commit lock, on the state the database holds, not before it.
   */
  private contended = 0;
  /** Callers of a batch that failed to commit, answered once the live state is rebuilt. */
  private afterRebuild: Array<[Pending, Error]> = [];
  /** Wakes the pump while it waits on a transaction (new commands, a remote commit). */
  private wakeup: (() => void) | null = null;
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
  private readonly heartbeat: Heartbeat;
  private heartbeatMs = 1000;
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
    /** Live states rebuilt from the committed one after a failed commit (no database reload). */
    rebuilds: 0,
    checkpoints: 0,
    /** Milliseconds spent stepping commands (core + read-model rows) and in flush transactions. */
    stepMs: 0,
    flushMs: 0,
    /** Milliseconds spent advancing the committed state by committed batches (the cost of committed reads). */
    viewMs: 0,
    /** Heads and checkpoints signed, and the milliseconds spent signing them (ML-DSA-65). */
    signs: 0,
    signMs: 0,
  };
  /** This node's signing key (its secret stays in the key directory and this process). */
  private key: NodeKey = NodeKey.ephemeral();
  /** Verifies heads, checkpoints and the head file against the store before they are trusted. */
  private seals: SealChecks | null = null;
  private headFilePath: string | null = null;
  private signEveryMs = 5000;
  private lastSigned = { seq: 0, at: Number.NEGATIVE_INFINITY };
  private sealDue = false;
  private sealTimer: NodeJS.Timeout | null = null;
  private progress: VerifyProgress = { checked: 0, total: 0, done: false, result: null };
  private background: Promise<void> | null = null;
  private beforeCommit: LedgerOptions['beforeCommit'] | null = null;

  private constructor(
    private readonly store: TraceStore,
    private readonly hasher: Hasher,
    private readonly checkpointEvery: number,
    private readonly checkpointOnClose: boolean,
    nodeId: string | undefined,
  ) {
    this.nodeId = nodeId ?? `${hostname()}:${process.pid}:${++ledgersOpened}:${this.startedAt.getTime()}`;
    this.heartbeat = new Heartbeat(store.raw, this.nodeId, this.startedAt, (force) => this.report(force));
  }

  static async open(opts: LedgerOptions = {}): Promise<Ledger> {
    const url = opts.databaseUrl === null ? undefined : (opts.databaseUrl ?? process.env.DATABASE_URL);
    const { store, id } = await TraceStore.open({
      databaseUrl: url,
      schema: opts.schema,
      dataDir: opts.dataDir,
      pgliteTemplate: opts.pgliteTemplate,
    });
    const ledger = new Ledger(
      store,
      opts.hasher ?? nodeSha256,
      opts.checkpointEvery ?? 10_000,
      opts.checkpointOnClose ?? true,
      opts.nodeId,
    );
    ledger.heartbeatMs = opts.heartbeatMs ?? 1000;
    try {
      ledger.key = opts.keyDir ? NodeKey.loadOrCreate(resolve(opts.keyDir)) : NodeKey.ephemeral();
      const pinned = parseTrustedKeys(opts.trustedKeys ?? null);
      ledger.signEveryMs = opts.signEveryMs ?? 5000;
      ledger.beforeCommit = opts.beforeCommit ?? null;
      ledger.headFilePath = id ? ledger.key.headFile(storeIdOf(id)) : null;
      ledger.seals = new SealChecks(store, ledger.key, pinned ? new Set(pinned) : null, ledger.headFilePath);
      await store.addNodeKey(ledger.key.fingerprint, ledger.key.publicKey, ledger.nodeId);
      await ledger.checkProtocol();
      await ledger.boot();
      // Start-up verifies before it trusts: the head file, the checkpoint used, the heads above it.
      const sealBreak = await ledger.trust.check(false, ledger.lastCheckpointSeq);
      if (sealBreak && (!ledger._broken || ledger._broken.seq >= sealBreak.seq)) ledger._broken = sealBreak;
      ledger.lastSigned.seq = readHeadFile(ledger.headFilePath)?.seq ?? 0;
      if (store.kind === 'pg') {
        ledger.unlisten = await store.listen((seq) => ledger.noteRemote(seq));
        ledger.poll = setInterval(() => {
          store
            .maxSeq()
            .then((m) => ledger.noteRemote(m))
            .catch(() => {});
        }, opts.followPollMs ?? 1000);
        ledger.poll.unref();
      }
      if (ledger.live.seq === 0 && !ledger._broken) await ledger.enqueue(scenario.genesisCmd(), true);
      await ledger.heartbeat.start(ledger.heartbeatMs);
      if (ledger.signEveryMs > 0) {
        ledger.sealTimer = setInterval(() => {
          if (!ledger._broken && ledger.lastSigned.seq < ledger.committedSeq) {
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
    return this.committed;
  }

  private get trust(): SealChecks {
    if (!this.seals) throw new Error('the seal checks are set up by Ledger.open');
    return this.seals;
  }

  /** Set when the hash chain or a replay failed: writes are refused, reads and verify still work. */
  get broken(): { seq: number; reason: string } | null {
    return this._broken;
  }

  get kind(): 'pglite' | 'pg' {
    return this.store.kind;
  }

  /** API tokens (hashed secrets) and Idempotency-Key answers: the store's tables. */
  get tokens(): TokenStore {
    return this.store.tokens;
  }

  get idempotency(): IdempotencyStore {
    return this.store.idempotency;
  }

  /**
   * The trace as a self-contained NDJSON bundle for a remote verifier (see bundle.ts): header, node
   * keys, signed heads and checkpoints, then every entry, streamed in pages. One line per string.
   */
  exportBundle(): AsyncGenerator<string> {
    return exportBundle(this.store);
  }

  /** Raw SQL for reporting and tests (read model queries). */
  sql<T extends Row = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.store.sql<T>(text, params);
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
    const slot = onceSlot(once.principal, once.key);
    for (;;) {
      const running = this.inflightOnce.get(slot);
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
      this.inflightOnce.set(slot, { requestHash: once.requestHash, answer });
      try {
        const a = await this.runOnce(cmd, once);
        settle(a);
        return a;
      } catch (e) {
        fail(e);
        throw e;
      } finally {
        this.inflightOnce.delete(slot);
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
    const view = this.committed;
    return preview(view, admit(view, cmd), this.hasher);
  }

  onCommit(listener: (entries: Entry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  entries(q: TraceQuery = {}): Promise<Entry[]> {
    return this.store.entries(q);
  }

  /**
   * The right to be the clock source: among all processes on one database, at most one holds it
   * (a PostgreSQL session advisory lock, freed when its holder dies). Null when another holds it.
   */
  tryClockLock(): Promise<HeldLock | null> {
    return this.store.tryLock('xdv-clock');
  }

  /** Full check of the stored trace: every hash, link and decision re-derived from genesis. */
  async verify(): Promise<VerifyResult> {
    // In chunks with a yield between them: a long trace must not stop the server answering meanwhile.
    const r = await this.replayChecked({
      chunk: 2000,
      onChunk: () => new Promise((res) => setImmediate(res)),
    });
    const seal = await this.trust.check(true, 0);
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
    const head = await this.store.newestHead();
    if (!head) return null;
    const pub = await this.trust.trustedPublicKey(head.key);
    const known = pub ?? (await this.store.publicKeyOf(head.key)) ?? null;
    return {
      ...head,
      publicKey: known,
      trusted: pub !== null && verifySeal(HEAD_KIND, headBody(head), head.sig, pub),
    };
  }

  /** State at logical time L: the nearest checkpoint at or before L, then the trace up to L. */
  async stateAt(l: number): Promise<State> {
    const found = await this.store.checkpointAtOrBefore(l);
    const cp = found && this.hasher(found.state) === found.state_hash ? found : null;
    const from = cp ? (JSON.parse(cp.state) as State) : null;
    const r = await this.store.replay(from, this.hasher, { untilL: l });
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
    const view = this.committed;
    if (this._broken || this.needReload || view.seq === 0 || view.seq === this.lastCheckpointSeq) return;
    const cp = this.sealCheckpoint(checkpointOf(view, this.hasher));
    await this.store.writeCheckpoint(cp);
    this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, cp.seq);
    await this.sealNow();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.idle();
      if (this.poll) clearInterval(this.poll);
      if (this.sealTimer) clearInterval(this.sealTimer);
      if (this.background) await this.background;
      await this.heartbeat.stop();
      if (this.unlisten) await this.unlisten();
      if (
        this.checkpointOnClose &&
        !this._broken &&
        this.committed.seq > this.lastCheckpointSeq &&
        !this.needReload
      )
        await this.store
          .writeCheckpoint(this.sealCheckpoint(checkpointOf(this.view, this.hasher)))
          .catch(() => {});
      if (!this._broken && !this.needReload) await this.sealNow().catch(() => {});
      await this.heartbeat.write(true).catch(() => {});
    } finally {
      await this.store.close();
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
      // Stepped by the pump, in arrival order: while a batch commits, the next one is stepped.
      this.queue.push(p);
      this.kick();
    });
  }

  /** Step one command into the open batch. */
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
      // A core bug (invariant violation) may have left the live state half-changed. The batch's
      // read-model rows are serialised from the state when it is sent, so nothing stepped since
      // the last batch sent can be committed from this state: fail the whole open batch (nothing of
      // it is durable, so a retry is safe), then rebuild the live state before stepping anything else.
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
      this.needRebuild = true;
    }
  }

  private kick(): void {
    if (this.pumping) {
      const w = this.wakeup;
      this.wakeup = null;
      w?.();
      return;
    }
    this.pumping = true;
    setImmediate(() => {
      this.pump().catch(() => {});
    });
  }

  private noteRemote(seq: number): void {
    if (Number.isFinite(seq) && seq > this.remoteSeq) {
      this.remoteSeq = seq;
      if (seq > this.committedSeq) this.kick();
    }
  }

  /** Nothing may be stepped until the live state is rebuilt, reloaded or has followed other writers. */
  private get blocked(): boolean {
    // Also before a pessimistic commit: rows known committed are followed outside the commit lock,
    // so the lock is held only to follow the few committed since and to step.
    return this.needRebuild || this.needReload || this.remoteAhead;
  }

  /** The next commit is pessimistic and has commands to step (nothing is stepped outside the lock). */
  private get lockedNext(): boolean {
    return this.contended > 0 && this.queue.length > 0 && this.pending.items.length === 0;
  }

  /**
   * The open batch may be sent (nothing in flight): it holds FIRST_BATCH commands, or everything
   * that arrived. A transaction that commits quickly (or one that runs on this thread, as an
   * in-process PGlite does) therefore does not shrink the batches under load.
   */
  private get sendable(): boolean {
    const n = this.pending.items.length;
    return n > 0 && !this.blocked && (n >= FIRST_BATCH || this.queue.length === 0);
  }

  /**
   * Another writer committed rows this node has not followed. A head at or below the last seq of the
   * batch in flight may be this node's own (its NOTIFY can arrive before its COMMIT returns); if it
   * is a rival's, the batch in flight fails with a seq conflict.
   */
  private get remoteAhead(): boolean {
    const known = this.inflight ? Math.max(this.committedSeq, this.inflight.last) : this.committedSeq;
    return !this._broken && this.remoteSeq > known;
  }

  /**
   * The commit pipeline: at most one transaction in flight while the next batch is stepped. When a
   * transaction commits, the open batch is sent at once, and only then is the committed batch
   * answered (its callers, the listeners; the committed state takes it lazily). A failed commit
   * fails or requeues everything stepped after the last commit and rebuilds the live state from the
   * committed one (following the rows another writer committed, if any) before stepping again.
   */
  private async pump(): Promise<void> {
    try {
      for (;;) {
        const f = this.inflight;
        if (f?.settled) {
          this.inflight = null;
          if (f.error === null) {
            this.noteCommitted(f);
            // Send the next batch before anything else: its COMMIT overlaps answering this one.
            if (this.sendable) this.send();
            this.answerCommitted(f);
          } else this.failed(f);
          continue;
        }
        if (!f && this.blocked) {
          // Whatever is stepped but not sent was stepped on a state that is no longer the database's.
          this.requeueOpen();
          try {
            if (!this.needReload) await this.resync();
            if (this.needReload) {
              await this.reload();
              this.needReload = false;
              this.needRebuild = false;
            }
          } catch (e) {
            // The database is unreachable: fail whoever waits; the next submit tries again.
            this.needRebuild = true;
            for (const p of this.queue.splice(0)) p.reject(flushError(e));
            this.answerFailed();
            break;
          }
          this.answerFailed();
          continue;
        }
        if (!f && this.lockedNext && !this.blocked) {
          this.sendLocked();
          continue;
        }
        if (
          this.queue.length > 0 &&
          this.contended === 0 &&
          !this.blocked &&
          this.pending.items.length < MAX_BATCH
        ) {
          // Step a slice, then let I/O (the transaction in flight) be noticed.
          const n = Math.min(this.queue.length, STEP_SLICE, MAX_BATCH - this.pending.items.length);
          for (const p of this.queue.splice(0, n)) this.stepOne(p);
          if (!this.inflight) {
            if (this.sendable) this.send();
          } else await new Promise((r) => setImmediate(r));
          continue;
        }
        if (!f && this.pending.items.length > 0 && !this.blocked) {
          this.send();
          continue;
        }
        if (f) {
          // Waiting on the database: the committed state takes the committed batches meanwhile.
          this.drainView();
          if (!f.settled) await Promise.race([f.done, new Promise<void>((r) => (this.wakeup = r))]);
          this.wakeup = null;
          continue;
        }
        if (this.sealDue) {
          this.sealDue = false;
          await this.sealNow().catch(() => {});
          continue;
        }
        this.drainView();
        break;
      }
    } finally {
      this.pumping = false;
      this.wakeup = null;
      // A failed rebuild with nobody waiting is retried by the next submit, not in a busy loop.
      if (this.queue.length > 0 || this.pending.items.length > 0 || this.inflight) this.kick();
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Put the open batch's commands back at the head of the queue, to be stepped again. */
  private requeueOpen(): void {
    const open = this.pending;
    this.pending = new Batch();
    if (open.items.length > 0) this.queue.unshift(...open.items);
  }

  /** Close the open batch (the live state is exactly at its end) and start its transaction. */
  private send(): void {
    const batch = this.pending;
    this.pending = new Batch();
    // Never append to a chain known to be broken (a background check may have found it meanwhile).
    if (this._broken) {
      const err = brokenError(this._broken);
      for (const p of batch.items) p.reject(err);
      return;
    }
    const f = this.inflightOf(batch, []);
    this.start(f, this.store.commit(this.closeBatch(f), this.beforeCommit));
  }

  /**
   * A pessimistic commit of the queued commands: its transaction takes the commit lock, reads the
   * rows committed after this node's committed state, and only then are they followed and the
   * commands stepped on the result (prepareLocked), so it cannot lose the seq race. The live state
   * is exactly the committed one here (nothing is stepped outside the lock in this mode).
   */
  private sendLocked(): void {
    const f = this.inflightOf(new Batch(), this.queue.splice(0, MAX_BATCH));
    const keys = f.unstepped.flatMap((p) =>
      p.once ? [{ principal: p.once.principal, key: p.once.key }] : [],
    );
    this.start(
      f,
      this.store.commitLocked(
        this.committedSeq,
        keys,
        (rows, answered) => this.prepareLocked(f, rows, answered),
        this.beforeCommit,
      ),
    );
  }

  /**
   * Under the commit lock: follow the rows other writers committed (verified, as resync does) on
   * both states, hand the keyed commands another writer answered back to their callers, then step
   * the rest and close the batch. Null writes nothing: the commands go
   * back to the queue when the states must be rebuilt or reloaded first (the pump does that next).
   */
  private prepareLocked(f: Inflight, rows: Entry[], answered: ReadonlySet<string>): BatchWrite | null {
    const items: Pending[] = [];
    for (const p of f.unstepped) {
      // Another writer committed this key: its caller reads the stored answer (see runOnce).
      if (p.once && answered.has(onceSlot(p.once.principal, p.once.key))) p.reject(new OnceConflict());
      else items.push(p);
    }
    f.unstepped = [];
    this.drainView();
    if (rows.length > 0 && !this.needReload) {
      if (follow(this.view, rows, this.hasher) !== null) this.needReload = true;
      else {
        if (advance(this.live, rows) !== null) this.needRebuild = true;
        this.committedSeq = this.view.seq;
        this.remoteSeq = Math.max(this.remoteSeq, this.view.seq);
        this.stats.catchUps++;
        this.emit(rows);
      }
    }
    this.contended = rows.length > 0 ? CONTENDED_ROUNDS : Math.max(0, this.contended - 1);
    if (this.live.seq !== this.view.seq) this.needRebuild = true;
    if (this.needReload || this.needRebuild) {
      this.queue.unshift(...items);
      return null;
    }
    for (let i = 0; i < items.length; i++) {
      this.stepOne(items[i]!);
      if (this.needRebuild) {
        // A core bug failed the batch (stepOne answered it): the rest wait for the rebuild.
        this.queue.unshift(...items.slice(i + 1));
        break;
      }
    }
    f.batch = this.pending;
    this.pending = new Batch();
    return f.batch.items.length > 0 ? this.closeBatch(f) : null;
  }

  private inflightOf(batch: Batch, unstepped: Pending[]): Inflight {
    return {
      batch,
      unstepped,
      last: this.committedSeq,
      t0: performance.now(),
      settled: false,
      error: null,
      done: Promise.resolve(),
    };
  }

  /** Seal the batch's rows, checkpoint and signed head from the live state (exactly at its end). */
  private closeBatch(f: Inflight): BatchWrite {
    const { batch } = f;
    // Right now the live state is exactly at the end of this batch: the only moment to snapshot it.
    if (this.checkpointEvery > 0 && this.live.seq - this.lastCheckpointSeq >= this.checkpointEvery)
      batch.checkpoint = this.sealCheckpoint(checkpointOf(this.live, this.hasher));
    batch.read.seal(this.live);
    const last = batch.entries[batch.entries.length - 1];
    // Sign the batch head in the same transaction: at most every signEveryMs (about 7 ms each), and
    // always with a checkpoint. Batches between two signed heads are covered by the next one.
    if (last && (batch.checkpoint || performance.now() - this.lastSigned.at >= this.signEveryMs))
      batch.head = this.signHead({ seq: last.seq, l: last.l, hash: last.hash });
    f.last = last?.seq ?? this.committedSeq;
    return {
      entries: batch.entries,
      read: batch.read,
      round: { node: this.nodeId, retries: batch.items.reduce((m, p) => Math.max(m, p.attempts), 0) },
      // Keyed answers commit with the commands they answer (a duplicate key aborts the batch).
      answers: batch.once.map((p) => ({
        principal: p.once!.principal,
        key: p.once!.key,
        requestHash: p.once!.requestHash,
        status: p.answer!.status,
        body: p.answer!.body,
        ttlSeconds: p.once!.ttlSeconds ?? 86_400,
      })),
      checkpoint: batch.checkpoint,
      head: batch.head,
    };
  }

  /** Track the batch's transaction: settled (never rejects), then the pump is woken. */
  private start(f: Inflight, commit: Promise<void>): void {
    f.done = commit
      .then(
        () => {},
        (e: unknown) => {
          f.error = { e };
        },
      )
      .finally(() => {
        f.settled = true;
        this.kick();
      });
    this.inflight = f;
  }

  /**
   * A batch committed: count it, note its checkpoint and signed head (before the next batch is
   * closed, which would otherwise sign or snapshot again) and queue it for the committed state.
   */
  private noteCommitted(f: Inflight): void {
    const { batch } = f;
    this.stats.flushMs += performance.now() - f.t0;
    // A pessimistic commit that found nothing to write (see prepareLocked).
    if (batch.items.length === 0) return;
    if (batch.checkpoint) {
      this.lastCheckpointSeq = batch.checkpoint.seq;
      this.stats.checkpoints++;
    }
    this.stats.batches++;
    this.stats.entries += batch.entries.length;
    const last = batch.entries[batch.entries.length - 1];
    if (last) {
      this.committedSeq = Math.max(this.committedSeq, last.seq);
      // Any read of the committed state (the `state` getter and everything else) takes it first.
      this.viewQueue.push(batch.entries);
    }
    if (batch.head) this.noteSigned(batch.head);
  }

  /** Answer a committed batch's callers and tell the listeners. */
  private answerCommitted(f: Inflight): void {
    const { batch } = f;
    for (const p of batch.items) p.resolve(p.result!);
    if (batch.entries.length > 0) this.emit(batch.entries);
  }

  /**
   * A batch failed to commit. Everything stepped after the last commit is speculative: the open
   * batch goes back to the queue, the failed batch's commands are retried (a seq conflict: another
   * writer got there first) or failed, and the live state is rebuilt before anything is stepped.
   */
  private failed(f: Inflight): void {
    const { batch } = f;
    const e = f.error!.e;
    this.stats.flushMs += performance.now() - f.t0;
    this.requeueOpen();
    this.needRebuild = true;
    const onceConflict = isOnceConflict(e);
    const conflict = isSeqConflict(e) || onceConflict;
    if (conflict) {
      this.stats.conflicts++;
      // The next commits read the head under the commit lock: this node cannot lose the race again.
      this.contended = CONTENDED_ROUNDS;
    }
    const retry: Pending[] = [];
    const failed: Array<[Pending, Error]> = [];
    const items = [...batch.items, ...f.unstepped];
    f.unstepped = [];
    for (const p of items) {
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
    this.queue.unshift(...retry);
    // The committed state is the database's state up to committedSeq: the rebuild clones it and
    // follows whatever else the database holds. The failed callers are answered after it.
    this.afterRebuild.push(...failed);
  }

  /**
   * Rebuild the live state from the committed one (no reload from the database): follow the rows
   * other writers committed after it (verified by replay), then answer the callers a failed commit
   * failed, so a caller that sees the failure also sees the state the database holds.
   */
  private async resync(): Promise<void> {
    this.drainView();
    if (this.needReload) return;
    // The live state can take the same rows only if nothing was stepped beyond the committed state.
    let liveFollows = !this.needRebuild && this.live.seq === this.view.seq;
    const followed: Entry[] = [];
    for (;;) {
      let rows = await this.store.entries({ afterSeq: this.view.seq, limit: FOLLOW_CHUNK });
      if (rows.length === 0) break;
      const full = rows.length === FOLLOW_CHUNK;
      if (full) {
        // Whole commands only: the last command group of a full page may continue on the next.
        let cut = rows.length - 1;
        while (cut > 0 && !isCommandEntry(rows[cut]!)) cut--;
        if (cut === 0) {
          this.needReload = true; // one command larger than a page: the reload's replay reads it
          return;
        }
        rows = rows.slice(0, cut);
      }
      if (follow(this.view, rows, this.hasher) !== null) {
        // A row that does not verify (or a core bug): the reload's full replay names the break.
        this.needReload = true;
        return;
      }
      if (liveFollows && advance(this.live, rows) !== null) liveFollows = false;
      for (const e of rows) followed.push(e);
      if (!full) break;
    }
    if (followed.length > 0) this.stats.catchUps++;
    if (!liveFollows) {
      // The live state was stepped ahead (a failed commit, a rival's rows): copy the committed one.
      this.stats.rebuilds++;
      this.live = cloneState(this.view);
    }
    this.committedSeq = this.view.seq;
    this.remoteSeq = Math.max(this.remoteSeq, this.view.seq);
    this.needRebuild = false;
    this.emit(followed);
  }

  /** Answer the callers whose batch failed to commit, once the live state is rebuilt (or could not be). */
  private answerFailed(): void {
    for (const [p, err] of this.afterRebuild.splice(0)) p.reject(err);
  }

  /** The committed state, having taken every committed batch. */
  private get committed(): State {
    this.drainView();
    return this.view;
  }

  /**
   * Advance the committed state by the batches that committed since it was last read. Should the
   * core not regenerate a batch byte for byte (a core bug), the committed state is reloaded from
   * the store before the next command is stepped.
   */
  private drainView(): void {
    if (this.viewQueue.length === 0) return;
    const t0 = performance.now();
    const batches = this.viewQueue;
    this.viewQueue = [];
    for (const entries of batches) {
      if (this.needReload) break;
      if (advance(this.view, entries) !== null) {
        this.needReload = true;
        if (!this.pumping) this.kick();
      }
    }
    this.stats.viewMs += performance.now() - t0;
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

  /** Refuse a trace written with another protocol before anything replays or appends to it. */
  private async checkProtocol(): Promise<void> {
    // The genesis command (seq 1) and its effect (seq 2), which records the protocol.
    const rows = await this.store.genesisRows();
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
    this.viewQueue = [];
    this.live = cloneState(state);
    this.committedSeq = state.seq;
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
    const cps = await this.store.signedCheckpoints('DESC');
    let from: State | null = null;
    let checkpointSeq = 0;
    let sealBreak: Break | null = null;
    for (const cp of cps) {
      const bad = await this.trust.checkpointBreak(cp);
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
      const text = await this.store.checkpointState(Number(cp.seq));
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
    const r = await this.store.replay(from, this.hasher);
    return { state: r.state ?? emptyState(), broken: pickBreak(r.mismatch, sealBreak), checkpointSeq };
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
    const view = this.committed;
    const at = { seq: view.seq, head: view.head };
    if (this._broken || this.needReload || at.seq === 0 || this.lastSigned.seq >= at.seq) return;
    const row = await this.store.rowAt(at.seq);
    if (!row || row.hash !== at.head) return;
    const h = this.signHead(row);
    await this.store.insertHead(h);
    this.noteSigned(h);
  }

  /**
   * Everything again, in chunks, after start (boot served from a checkpoint): every row's hash, link
   * and decision from genesis, then every signed head and checkpoint. A break stops writes.
   */
  /**
   * The whole trace replayed from genesis, and every signed checkpoint's state hash compared with the
   * replayed state at its seq: a trusted key that signed a state the trace does not produce (a node's
   * bug, a stolen key) is found here, not only when a boot happens to start from that checkpoint.
   */
  private async replayChecked(
    opts: { chunk?: number; onChunk?: (entries: number) => Promise<void> } = {},
  ): Promise<{ entries: number; mismatch: Break | null }> {
    const cps = new Map(
      (await this.store.signedCheckpoints('ASC')).map((c) => [Number(c.seq), c.state_hash]),
    );
    const checked = new Set<number>();
    const r = await this.store.replay(null, this.hasher, {
      ...opts,
      stops: [...cps.keys()],
      onStop: (state) => {
        checked.add(state.seq);
        return stateHash(state, this.hasher) === cps.get(state.seq)
          ? null
          : {
              seq: state.seq,
              reason: `forged checkpoint at seq ${state.seq}: its signed state hash is not the replayed state's`,
            };
      },
    });
    if (r.mismatch) return { entries: r.entries, mismatch: r.mismatch };
    const inside = [...cps.keys()].find((seq) => seq <= r.entries && !checked.has(seq));
    return {
      entries: r.entries,
      mismatch:
        inside === undefined
          ? null
          : { seq: inside, reason: `forged checkpoint at seq ${inside}: it is inside a command group` },
    };
  }

  private async verifyInBackground(): Promise<void> {
    const total = (await this.committedHead().catch(() => ({ seq: 0 }))).seq;
    this.progress = { checked: 0, total, done: false, result: null };
    const stop = new Error('closed');
    try {
      await new Promise((r) => setTimeout(r, 0));
      const r = await this.replayChecked({
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
      const mismatch = pickBreak(r.mismatch, r.mismatch ? null : await this.trust.check(true, 0));
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
    if (!this.pumping && this.queue.length === 0 && this.pending.items.length === 0 && !this.inflight)
      return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ------------------------------------------------------------ cluster telemetry

  /** This node's last committed (or replayed) position; the live state may be ahead by speculation. */
  get applied(): { seq: number; l: number } {
    const view = this.committed;
    return { seq: view.seq, l: view.l };
  }

  /** Every node that has written this database, ordered by node id (a deterministic order). */
  nodes(): Promise<NodeRow[]> {
    return this.heartbeat.nodes();
  }

  /** The newest commit rounds (at most `limit`), newest first. */
  rounds(limit = 20): Promise<CommitRound[]> {
    return this.heartbeat.rounds(limit);
  }

  /** The committed head of the trace in the database (every node's entries), not this node's view. */
  committedHead(): Promise<{ seq: number; l: number }> {
    return this.store.committedHead();
  }

  /** Refresh this node's row now (tests; the timer does it about once a second). */
  async heartbeatNow(): Promise<void> {
    await this.heartbeat.settled();
    await this.idle();
    await this.heartbeat.write(false, true);
  }

  /** Keep only the newest commit rounds (see Heartbeat.pruneRounds). Returns how many were deleted. */
  pruneRounds(): Promise<number> {
    return this.heartbeat.pruneRounds();
  }

  /** What this node's heartbeat records: the committed position, its state hash and the counters. */
  private report(force: boolean): NodeReport {
    // The committed state is always at exactly a committed seq (unless it awaits a rebuild): hash it
    // at most every heartbeat (or 20× its own cost, for a huge state).
    const view = this.committed;
    const now = performance.now();
    if (
      !this.needReload &&
      this.hashed.seq !== view.seq &&
      (force || now - this.hashedAt >= Math.max(this.heartbeatMs, 20 * this.hashCostMs))
    ) {
      this.hashed = { seq: view.seq, hash: stateHash(view, this.hasher) };
      this.hashedAt = now;
      this.hashCostMs = performance.now() - now;
    }
    const s = this.stats;
    return {
      appliedSeq: view.seq,
      appliedL: view.l,
      hashSeq: Math.max(0, this.hashed.seq),
      stateHash: this.hashed.hash,
      commits: s.batches,
      entries: s.entries,
      conflicts: s.conflicts,
      catchUps: s.catchUps,
      reloads: s.reloads,
      rebuilds: s.rebuilds,
      checkpoints: s.checkpoints,
      brokenSeq: this._broken?.seq ?? null,
    };
  }

  /** Hash of the committed state (tests and health checks compare processes with it). */
  stateHash(): string {
    return stateHash(this.committed, this.hasher);
  }
}
