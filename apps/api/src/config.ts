// Configuration comes from the environment only; `--help` lists it (and the README repeats it).

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  bootstrapToken: string | null;
  demo: boolean;
  /** Noise seed of the simulated providers. */
  seed: number;
  /** Wall-clock pacing of simulator steps. */
  simIntervalMs: number;
  /** Wall-clock milliseconds per logical tick of the clock source; 0 = ticks only through the operator API. */
  tickMs: number;
  rateLimit: number;
  webDir: string | null;
  logLevel: string;
  /** The conformance report the console's compliance page shows. */
  complianceReport?: string;
  /** This process's name in the cluster view (default: hostname:pid:n:start). */
  nodeId?: string | null;
}

export const ENV_HELP = `Environment:
  PORT                 port to listen on (default 8080)
  HOST                 address to bind (default 127.0.0.1)
  DATABASE_URL         PostgreSQL URL; when unset, embedded PGlite is used
  XDV_DATA_DIR         PGlite data directory (default ./data)
  XDV_BOOTSTRAP_TOKEN  the first operator token, for automation (default: generated and printed once)
  XDV_DEMO             1 to seed the demo fleet and run the simulated providers (default 0)
  XDV_SEED             noise seed of the simulated providers (default 1)
  XDV_TICK_MS          wall-clock milliseconds per logical tick (default 1000; 0 = manual ticks through
                       POST /v1/clock/advance only). Only ticks move L; with several processes on one
                       PostgreSQL exactly one ticks (an advisory lock; another takes over if it dies)
  XDV_SIM_INTERVAL_MS  wall-clock pause between simulator steps (default 1000)
  XDV_RATE_LIMIT       requests per minute per token (default 6000; 0 disables)
  XDV_WEB_DIR          directory of the built console to serve at / (default: apps/web/dist if present)
  XDV_COMPLIANCE_REPORT  conformance report shown on the compliance page (default ./cts-report.json)
  XDV_NODE_ID          this process's name in the cluster view (default hostname:pid:n:start-ms)
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
    demo: env.XDV_DEMO === '1' || env.XDV_DEMO === 'true',
    seed: int('XDV_SEED', env.XDV_SEED, 1),
    simIntervalMs: int('XDV_SIM_INTERVAL_MS', env.XDV_SIM_INTERVAL_MS, 1000),
    tickMs: int('XDV_TICK_MS', env.XDV_TICK_MS, 1000),
    rateLimit: int('XDV_RATE_LIMIT', env.XDV_RATE_LIMIT, 6000),
    webDir: env.XDV_WEB_DIR || null,
    logLevel: env.LOG_LEVEL || 'info',
    complianceReport: env.XDV_COMPLIANCE_REPORT || 'cts-report.json',
    nodeId: nodeId(env.XDV_NODE_ID),
  };
}

/**
 * The defaults with some settings replaced: for tests, benchmarks and tools that embed the server.
 * Its clock is manual unless asked (tickMs 0): tests drive logical time with explicit ticks.
 */
export function configWith(overrides: Partial<Config>): Config {
  return { ...configFromEnv({}), tickMs: 0, ...overrides };
}
