import { mkdirSync } from 'node:fs';
import { Ledger, type LedgerOptions } from '@xdv/db';
import type { FastifyInstance } from 'fastify';
import { idempotencyStore, tokenStore } from './adapters.js';
import { ClockSource } from './clock.js';
import { type Config, keyDirOf } from './config.js';
import type { LogDestination } from './logging.js';
import type { TokenStore } from './ports.js';
import { buildServer } from './server.js';

export interface App {
  server: FastifyInstance;
  ledger: Ledger;
  tokens: TokenStore;
  /** Set when this start created the first operator token (shown once). */
  bootstrapSecret: string | null;
  /** The clock source: ticks every config.tickMs once started (main starts it after listen; 0 = manual). */
  clock: ClockSource;
  close(): Promise<void>;
}

/** Open the ledger, make sure an operator token exists, and build the server (not yet listening). */
export async function openApp(
  config: Config,
  opts: {
    logger?: boolean;
    logStream?: LogDestination;
    ledger?: LedgerOptions;
    /** Unsent bytes an SSE client may hold before it is dropped (tests lower it). */
    sseMaxBuffered?: number;
    /** How long a token lookup is cached (tests raise it, to see that a revocation elsewhere clears it). */
    tokenCacheMs?: number;
  } = {},
): Promise<App> {
  // PGlite creates only the last level of its directory.
  if (!config.databaseUrl && config.dataDir && !opts.ledger) mkdirSync(config.dataDir, { recursive: true });
  const ledger = await Ledger.open({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }),
    ...(config.nodeId ? { nodeId: config.nodeId } : {}),
    ...(keyDirOf(config) ? { keyDir: keyDirOf(config)! } : {}),
    ...(config.trustedKeys ? { trustedKeys: config.trustedKeys } : {}),
    ...(config.signEveryMs !== undefined ? { signEveryMs: config.signEveryMs } : {}),
    ...opts.ledger,
  });
  const tokens = tokenStore(ledger, opts.tokenCacheMs);
  let bootstrapSecret: string | null = null;
  try {
    if (config.bootstrapToken) {
      if (!(await tokens.findBySecret(config.bootstrapToken))) {
        await tokens.create(
          {
            kind: 'operator',
            tenant: null,
            role: null,
            provider: null,
            label: 'bootstrap (XDV_BOOTSTRAP_TOKEN)',
          },
          config.bootstrapToken,
        );
      }
    } else if ((await tokens.countActiveOperators()) === 0) {
      bootstrapSecret = (
        await tokens.create({
          kind: 'operator',
          tenant: null,
          role: null,
          provider: null,
          label: 'first operator',
        })
      ).secret;
    }
    const clock = new ClockSource(ledger, config.tickMs, (msg, err) =>
      err ? server.log.error({ err }, msg) : server.log.info(msg),
    );
    const server = await buildServer({
      ledger,
      tokens,
      idempotency: idempotencyStore(ledger),
      clock: () => clock.status,
      config,
      ...(opts.logger === false ? { logger: false } : {}),
      ...(opts.logStream ? { logStream: opts.logStream } : {}),
      ...(opts.sseMaxBuffered ? { sseMaxBuffered: opts.sseMaxBuffered } : {}),
    });
    return {
      server,
      ledger,
      tokens,
      bootstrapSecret,
      clock,
      async close() {
        await clock.stop();
        await server.close();
        await ledger.close();
      },
    };
  } catch (e) {
    await ledger.close();
    throw e;
  }
}
