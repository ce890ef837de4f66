import { type App, openApp } from './app.js';
import type { Config } from './config.js';
import type { LogDestination } from './logging.js';

// Start the server as `node apps/api/dist/main.js` does: open the store, listen, start the clock.
// The production entry (main.ts) and the demo launcher (apps/demo) both start it this way; what runs
// beside it (the simulated providers) is the launcher's business, not the server's.

export interface Serving {
  app: App;
  config: Config;
  /** The console's URL, with a trailing slash. */
  url: string;
}

export async function serve(config: Config, opts: { logStream?: LogDestination } = {}): Promise<Serving> {
  const app = await openApp(config, opts.logStream ? { logStream: opts.logStream } : {});
  try {
    await app.server.listen({ port: config.port, host: config.host });
  } catch (e) {
    await app.close();
    throw e;
  }
  // Logical time moves from now on (unless XDV_TICK_MS=0: then only operator ticks move it).
  app.clock.start();
  return { app, config, url: `http://${config.host}:${config.port}/` };
}

/** What a person starting the server needs to know, one line per fact (no trailing newline). */
export function serverFacts(s: Serving): Array<[label: string, value: string]> {
  const { app, config, url } = s;
  const store = config.databaseUrl
    ? 'PostgreSQL'
    : `PGlite at ${config.dataDir} (embedded; PostgreSQL is the durable production store)`;
  const key = app.ledger.nodeKey;
  const facts: Array<[string, string]> = [
    ['Console', url],
    ['API docs', `${url}docs`],
    ['Store', store],
    ['Node key', `${key.short}… (ML-DSA-65, SHA-256 ${key.fingerprint}) in ${key.dir ?? '(memory only)'}`],
  ];
  if (app.ledger.broken)
    facts.push([
      'TRACE BROKEN',
      `at seq ${app.ledger.broken.seq}: ${app.ledger.broken.reason}; writes are refused`,
    ]);
  return facts;
}

/** Label/value pairs as aligned lines. */
export function formatFacts(facts: Array<[string, string]>, indent = ''): string {
  const width = Math.max(...facts.map(([k]) => k.length));
  return facts.map(([k, v]) => `${indent}${`${k}:`.padEnd(width + 2)}${v}`).join('\n');
}
