import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Driver, Row } from './driver.js';

// Node heartbeats: each service process keeps its row in `nodes` fresh (position, state hash,
// counters, broken) and the commit rounds table trimmed. Telemetry only: nothing decides on it.

/** What a heartbeat records of its service: the committed position and hash, and its counters. */
export interface NodeReport {
  appliedSeq: number;
  appliedL: number;
  hashSeq: number;
  stateHash: string;
  commits: number;
  entries: number;
  conflicts: number;
  catchUps: number;
  reloads: number;
  /** Live states rebuilt from the committed one after a failed commit (no database reload). */
  rebuilds: number;
  checkpoints: number;
  brokenSeq: number | null;
}

/** A service process as its last heartbeat recorded it (the `nodes` table), read with the database's clock. */
export interface NodeRow extends NodeReport {
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
  broken: boolean;
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

/** Commit rounds kept in the database (older ones are pruned by the heartbeat). */
export const ROUNDS_KEPT = 1000;

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

const NODE_SQL = `INSERT INTO "nodes" ("id","hostname","pid","driver","version","started_at","last_seen_at","closed_at",
   "applied_seq","applied_l","hash_seq","state_hash","commits","entries","conflicts","catch_ups","reloads",
   "checkpoints","broken","broken_seq","rebuilds")
 VALUES ($1,$2,$3,$4,$5,$6,now(),CASE WHEN $7::bool THEN now() END,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)
 ON CONFLICT ("id") DO UPDATE SET ("last_seen_at","closed_at","applied_seq","applied_l","hash_seq","state_hash",
   "commits","entries","conflicts","catch_ups","reloads","checkpoints","broken","broken_seq","rebuilds") =
   ROW(EXCLUDED."last_seen_at",EXCLUDED."closed_at",EXCLUDED."applied_seq",EXCLUDED."applied_l",EXCLUDED."hash_seq",
   EXCLUDED."state_hash",EXCLUDED."commits",EXCLUDED."entries",EXCLUDED."conflicts",EXCLUDED."catch_ups",
   EXCLUDED."reloads",EXCLUDED."checkpoints",EXCLUDED."broken",EXCLUDED."broken_seq",EXCLUDED."rebuilds")`;

/**
 * One process's heartbeat: writes its node row about every `everyMs` (0 = only when asked) from
 * the report its service gives, prunes the commit rounds about once a minute, and reads the
 * cluster's rows back.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private beats = 0;
  private stopped = false;

  constructor(
    private readonly driver: Driver,
    readonly nodeId: string,
    private readonly startedAt: Date,
    private readonly report: (force: boolean) => NodeReport,
  ) {}

  /** Forget nodes long gone (stopped over an hour ago, or silent for a day), write the row, start beating. */
  async start(everyMs: number): Promise<void> {
    await this.driver.query(
      `DELETE FROM "nodes" WHERE ("closed_at" IS NOT NULL AND "closed_at" < now() - interval '1 hour') OR "last_seen_at" < now() - interval '1 day'`,
    );
    await this.write(false, false);
    if (everyMs > 0) {
      this.timer = setInterval(() => this.beat(), everyMs);
      this.timer.unref();
    }
  }

  /** Stop beating and wait for a beat in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.beating) await this.beating;
  }

  /** Wait for a beat in flight (then the caller writes its own). */
  async settled(): Promise<void> {
    if (this.beating) await this.beating;
  }

  /** Write this node's row now; `closing` marks it stopped. */
  async write(closing: boolean, force = closing): Promise<void> {
    const r = this.report(force);
    await this.driver.query(
      NODE_SQL,
      [
        this.nodeId,
        hostname(),
        process.pid,
        this.driver.kind,
        DB_VERSION,
        this.startedAt.toISOString(),
        closing,
        r.appliedSeq,
        r.appliedL,
        r.hashSeq,
        r.stateHash,
        r.commits,
        r.entries,
        r.conflicts,
        r.catchUps,
        r.reloads,
        r.checkpoints,
        r.brokenSeq !== null,
        r.brokenSeq,
        r.rebuilds,
      ],
      'xdv_node',
    );
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
      rebuilds: Number(r.rebuilds ?? 0),
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
    if (this.beating || this.stopped) return;
    this.beating = (async () => {
      try {
        await this.write(false);
        if (++this.beats % 60 === 1) await this.pruneRounds();
      } catch {
        // Telemetry only: the next beat tries again.
      } finally {
        this.beating = null;
      }
    })();
  }
}

function iso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}
