import { dirname, join, resolve } from 'node:path';
import { defaultVerifierSize } from './verifier.js';

// Configuration comes from the environment only; `--help` lists it (and the README repeats it).

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  bootstrapToken: string | null;
  /** Wall-clock milliseconds per logical tick of the clock source; 0 = ticks only through the operator API. */
  tickMs: number;
  rateLimit: number;
  webDir: string | null;
  logLevel: string;
  /** The conformance report the console's compliance page shows. */
  complianceReport?: string;
  /** This process's name in the cluster view (default: hostname:pid:n:start). */
  nodeId?: string | null;
  /**
   * The node's key directory: its ML-DSA-65 signing key and newest signed head, never in the database.
   * Null: derived by keyDirOf (beside the PGlite data dir, or ./keys with PostgreSQL; none in memory).
   */
  keyDir?: string | null;
  /** Fingerprints or public keys trusted to sign heads besides this node's own (null: the DB's key table). */
  trustedKeys?: string | null;
  /** Sign the committed trace head at most this often (ms); also at every checkpoint and on stop. */
  signEveryMs?: number;
  /** Worker threads that verify signed commands (ML-DSA-65) off the serving thread; 0 = inline. */
  verifyWorkers?: number;
}

/** Where the node key lives: XDV_KEY_DIR, else `keys` beside the PGlite data dir, else ./keys (PostgreSQL). */
export function keyDirOf(config: Pick<Config, 'keyDir' | 'databaseUrl' | 'dataDir'>): string | null {
  if (config.keyDir) return config.keyDir;
  if (config.databaseUrl) return './keys';
  return config.dataDir ? join(dirname(resolve(config.dataDir)), 'keys') : null;
}

export const ENV_HELP = `Environment:
  PORT                 port to listen on (default 8080)
  HOST                 address to bind (default 127.0.0.1)
  DATABASE_URL         PostgreSQL URL; when unset, embedded PGlite is used
  XDV_DATA_DIR         PGlite data directory (default ./data)
  XDV_BOOTSTRAP_TOKEN  the first operator token, for automation (default: generated and printed once)
  XDV_TICK_MS          wall-clock milliseconds per logical tick (default 1000; 0 = manual ticks through
                       POST /v1/clock/advance only). Only ticks move L; with several processes on one
                       PostgreSQL exactly one ticks (an advisory lock; another takes over if it dies)
  XDV_RATE_LIMIT       requests per minute per token (default 6000; 0 disables)
  XDV_WEB_DIR          directory of the built console to serve at / (default: apps/web/dist if present)
  XDV_COMPLIANCE_REPORT  conformance report shown on the compliance page (default ./cts-report.json)
  XDV_NODE_ID          this process's name in the cluster view (default hostname:pid:n:start-ms)
  XDV_KEY_DIR          this node's key directory, a local path never inside the database: its ML-DSA-65
                       signing key (node-key.json, 0600, created at the first start; its fingerprint is
                       printed at start) and the newest trace head it signed (default: keys beside
                       XDV_DATA_DIR, i.e. ./keys; ./keys with DATABASE_URL). Back it up; losing it loses
                       the node's memory of what it signed, not the trace
  XDV_TRUSTED_KEYS     comma-separated fingerprints (SHA-256 of the public key, 64 hex) or public keys
                       trusted to sign trace heads and checkpoints besides this node's own. Unset: every
                       key in the database's node_keys table is trusted (a database writer could add
                       one); set it on every node of a cluster to pin each other's keys
  XDV_SIGN_EVERY_MS    sign the committed trace head at most this often (default 5000; 0 = every
                       commit, about 7 ms each); always at checkpoints and on a clean stop
  XDV_VERIFY_WORKERS   worker threads verifying provider signatures off the serving thread (default:
                       one per core; 0 verifies inline)
  XDV_PGLITE_WORKER    1: PGlite runs on a worker thread of its own, off the serving thread; 0: on the
                       serving thread (default 0)
  LOG_LEVEL            pino log level (default info)`;

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
}

function nodeId(v: string | undefined): string | null {
  if (v === undefined || v === '') return null;
  if (!/^[\w.:~-]{1,128}$/.test(v))
    throw new Error(`XDV_NODE_ID must be 1–128 letters, digits or . : ~ - _, got ${JSON.stringify(v)}`);
  return v;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: int('PORT', env.PORT, 8080),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || null,
    dataDir: env.XDV_DATA_DIR || './data',
    bootstrapToken: env.XDV_BOOTSTRAP_TOKEN || null,
    tickMs: int('XDV_TICK_MS', env.XDV_TICK_MS, 1000),
    rateLimit: int('XDV_RATE_LIMIT', env.XDV_RATE_LIMIT, 6000),
    webDir: env.XDV_WEB_DIR || null,
    logLevel: env.LOG_LEVEL || 'info',
    complianceReport: env.XDV_COMPLIANCE_REPORT || 'cts-report.json',
    nodeId: nodeId(env.XDV_NODE_ID),
    keyDir: env.XDV_KEY_DIR || null,
    trustedKeys: env.XDV_TRUSTED_KEYS || null,
    signEveryMs: int('XDV_SIGN_EVERY_MS', env.XDV_SIGN_EVERY_MS, 5000),
    verifyWorkers: int('XDV_VERIFY_WORKERS', env.XDV_VERIFY_WORKERS, defaultVerifierSize()),
  };
}

/**
 * The defaults with some settings replaced: for tests, benchmarks and tools that embed the server.
 * Its clock is manual unless asked (tickMs 0): tests drive logical time with explicit ticks.
 */
export function configWith(overrides: Partial<Config>): Config {
  return { ...configFromEnv({}), tickMs: 0, ...overrides };
}
