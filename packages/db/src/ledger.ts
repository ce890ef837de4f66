import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  admit,
  type Command,
  type Entry,
  type ErrorParams,
  emptyState,
  type Hasher,
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
  /** The answer to store and return, computed from the step result before the batch commits. */
  respond(result: StepResult): { status: number; body: string };
  /** Seconds the stored answer is kept (default 24 h). */
  ttlSeconds?: number;
}

/** What a keyed command answers: the stored response, and whether an earlier request produced it. */
export interface OnceAnswer {
  status: number;
  body: string;
  replayed: boolean;
}

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
  private _state: State = emptyState();
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
  /** Last committed position (the live state may be ahead by speculatively stepped commands). */
  private committed = { seq: 0, l: 0 };
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
  };
  readonly tokens: TokenStore;
  readonly idempotency: IdempotencyStore;

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
      await ledger.checkProtocol();
      await ledger.boot();
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
      if (ledger._state.seq === 0 && !ledger._broken) await ledger.enqueue(scenario.genesisCmd(), true);
      // Forget nodes long gone: stopped over an hour ago, or silent for a day.
      await driver.query(
        `DELETE FROM "nodes" WHERE ("closed_at" IS NOT NULL AND "closed_at" < now() - interval '1 hour') OR "last_seen_at" < now() - interval '1 day'`,
      );
      await ledger.writeNode(false);
      if (ledger.heartbeatMs > 0) {
        ledger.heartbeat = setInterval(() => ledger.beat(), ledger.heartbeatMs);
        ledger.heartbeat.unref();
      }
    } catch (e) {
      await ledger.close().catch(() => {});
      throw e;
    }
    return ledger;
  }

  /** Live in-memory state (including commands stepped but not yet committed). Do not mutate. */
  get state(): State {
    return this._state;
  }

  /** Set when the hash chain or a replay failed: writes are refused, reads and verify still work. */
  get broken(): { seq: number; reason: string } | null {
    return this._broken;
  }

  get kind(): 'pglite' | 'pg' {
    return this.driver.kind;
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
    return preview(this._state, admit(this._state, cmd), this.hasher);
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
    return { ok: r.mismatch === null, entries: r.entries, mismatch: r.mismatch };
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
    if (this._broken || this._state.seq === 0 || this._state.seq === this.lastCheckpointSeq) return;
    const cp = checkpointOf(this._state, this.hasher);
    await writeCheckpoint(this.driver, cp);
    this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, cp.seq);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.idle();
      if (this.poll) clearInterval(this.poll);
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.beating) await this.beating;
      if (this.unlisten) await this.unlisten();
      if (
        this.checkpointOnClose &&
        !this._broken &&
        !this.needReload &&
        this._state.seq > this.lastCheckpointSeq
      )
        await writeCheckpoint(this.driver, checkpointOf(this._state, this.hasher)).catch(() => {});
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
    if (p.ifEmpty && this._state.seq > 0) {
      p.resolve({ entries: [], created: {}, touched: null, error: null });
      return;
    }
    const t0 = performance.now();
    try {
      const r = step(this._state, admit(this._state, p.cmd), { hasher: this.hasher, touched: true });
      p.result = r;
      if (p.once) {
        p.answer = p.once.respond(r);
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
      if (seq > this._state.seq) this.kick();
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
        if (this.remoteSeq > this._state.seq && !this._broken) {
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
    // Right now the state is exactly at the end of this batch: the only moment to snapshot it.
    if (
      !this.needReload &&
      this.checkpointEvery > 0 &&
      this._state.seq - this.lastCheckpointSeq >= this.checkpointEvery
    )
      batch.checkpoint = checkpointOf(this._state, this.hasher);
    batch.read.seal(this._state);
    const last = batch.entries[batch.entries.length - 1];
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
        if (this.driver.kind === 'pg' && last)
          await q.query('SELECT pg_notify($1, $2)', [this.channel, String(last.seq)], 'xdv_notify');
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
    if (last) this.committed = { seq: last.seq, l: last.l };
    for (const p of batch.items) p.resolve(p.result!);
    if (batch.entries.length > 0) this.emit(batch.entries);
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
    const rows = await this.driver.query<{ text: string; hash: string }>(
      'SELECT "text","hash" FROM "trace" WHERE "seq" <= 2 ORDER BY "seq"',
    );
    if (rows.length === 0) return;
    const genesis = rows.map((r) => parseEntry(r.text, r.hash));
    const found = genesis.every((e) => e.type === 'genesis') ? protocolOf(genesis) : null;
    if (found !== PROTOCOL_VERSION) throw new ProtocolMismatch(found);
  }

  /** Boot: newest valid checkpoint, then the tail replayed and verified through the core. */
  private async boot(): Promise<void> {
    const { state, broken, checkpointSeq } = await this.load();
    if (this.emittedSeq === 0) this.emittedSeq = state.seq; // first boot: history is not news
    this._state = state;
    this._broken = broken;
    this.committed = { seq: state.seq, l: state.l };
    this.lastCheckpointSeq = checkpointSeq;
    this.remoteSeq = Math.max(this.remoteSeq, state.seq);
  }

  private async reload(): Promise<void> {
    this.stats.reloads++;
    await this.boot();
    // Entries another writer committed meanwhile are news to the listeners.
    while (this._state.seq > this.emittedSeq) {
      const news = await this.entries({ afterSeq: this.emittedSeq, limit: 10_000 });
      const upTo = news.filter((e) => e.seq <= this._state.seq);
      if (upTo.length === 0) break;
      this.emit(upTo);
    }
  }

  private async load(): Promise<{
    state: State;
    broken: { seq: number; reason: string } | null;
    checkpointSeq: number;
  }> {
    const cps = await this.driver.query<{ seq: number; head: string; state_hash: string; state: string }>(
      'SELECT c."seq", c."head", c."state_hash", c."state" FROM "checkpoints" c JOIN "trace" t ON t."seq" = c."seq" AND t."hash" = c."head" ORDER BY c."seq" DESC LIMIT 1',
    );
    let from: State | null = null;
    let checkpointSeq = 0;
    const cp = cps[0];
    if (cp && this.hasher(cp.state) === cp.state_hash) {
      const s = JSON.parse(cp.state) as State;
      if (s.seq === cp.seq && s.head === cp.head) {
        from = s;
        checkpointSeq = cp.seq;
      }
    }
    const r = await replayChunked(this.driver, from, this.hasher);
    return { state: r.state ?? emptyState(), broken: r.mismatch, checkpointSeq };
  }

  /** Follow another writer: replay its new entries into the live state and tell the listeners. */
  private async catchUp(): Promise<void> {
    this.stats.catchUps++;
    const r = await replayChunked(this.driver, this._state, this.hasher, { keepRows: true });
    if (r.state) {
      this._state = r.state;
      this.committed = { seq: r.state.seq, l: r.state.l };
    }
    if (r.mismatch) this._broken = r.mismatch;
    const rows = r.rows ?? [];
    if (rows.length > 0) this.emit(rows.map((x) => parseEntry(x.text, x.hash)));
  }

  private idle(): Promise<void> {
    if (!this.pumping && this.pending.items.length === 0 && this.held.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ------------------------------------------------------------ cluster telemetry

  /** This node's last committed (or replayed) position; the live state may be ahead by speculation. */
  get applied(): { seq: number; l: number } {
    return { ...this.committed };
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
    // The state hash needs the state at exactly a committed seq: take it only when nothing is
    // speculatively stepped, and at most every heartbeat (or 20× its own cost, for a huge state).
    const quiet =
      this._state.seq === this.committed.seq &&
      this.pending.items.length === 0 &&
      !this.needReload &&
      !this.hold;
    const now = performance.now();
    if (
      quiet &&
      this.hashed.seq !== this.committed.seq &&
      (force || now - this.hashedAt >= Math.max(this.heartbeatMs, 20 * this.hashCostMs))
    ) {
      this.hashed = { seq: this.committed.seq, hash: stateHash(this._state, this.hasher) };
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
        this.committed.seq,
        this.committed.l,
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

  /** Hash of the live state (tests and health checks compare processes with it). */
  stateHash(): string {
    return stateHash(this._state, this.hasher);
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

function flushError(e: unknown): DbError {
  return new DbError('HV_DB_FLUSH_FAILED', `commit failed: ${(e as Error)?.message ?? String(e)}`, e);
}
