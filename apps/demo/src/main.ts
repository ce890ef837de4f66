#!/usr/bin/env node
import { configFromEnv, ENV_HELP, serve, serverFacts } from '@xdv/api';
import { Simulator } from '@xdv/provider-sim';
import { banner } from './banner.js';
import { terminalLogs } from './logs.js';
import { DEMO_ENV_HELP, demoOptions } from './options.js';

// `npm start`: the API server, and beside it (with XDV_DEMO=1) the simulated providers, which
// seed the demo fleet on an empty hypervisor and talk to the server over its public REST API
// through @xdv/client, like outside hardware. The server itself knows nothing of the simulator.

const HELP = `xdv-demo — the XDV control plane with the demo fleet (what npm start runs)

Usage: node apps/demo/dist/main.js      (XDV_DEMO=1 for the simulated providers and demo tenants)

${DEMO_ENV_HELP}

Server (node apps/api/dist/main.js --help):
${ENV_HELP}
`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const opts = demoOptions();
  // Unless LOG_LEVEL asks, only warnings and errors reach the terminal: the banner stays readable.
  const config = { ...configFromEnv(), logLevel: opts.logLevel ?? 'warn' };
  const serving = await serve(config, { logStream: terminalLogs(process.stdout) });
  const { app, url } = serving;
  let sim: Simulator | null = null;
  let simToken: string | null = null;
  let simError: string | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.server.log.info({ signal }, 'stopping: the simulator, then the server (draining, checkpoint)');
    await sim?.stop();
    if (simToken) await app.tokens.revoke(simToken);
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  if (opts.demo) {
    // The simulator's operator token lives as long as this run: revoked on a clean stop.
    const minted = await app.tokens.create({
      kind: 'operator',
      tenant: null,
      role: null,
      provider: null,
      label: 'simulator (this run)',
    });
    simToken = minted.record.id;
    sim = new Simulator({
      base: url,
      operatorToken: minted.secret,
      seed: opts.seed,
      demo: true,
      // The server's clock source moves L; a manual clock (XDV_TICK_MS=0) is ticked by the simulator.
      driveClock: config.tickMs === 0,
      log: (line) => app.server.log.info({ sim: true }, line),
    });
    try {
      await sim.setup();
      sim.start(opts.simIntervalMs);
    } catch (e) {
      // The server still serves (a broken trace refuses writes but answers reads): say why, keep it up.
      simError = e instanceof Error ? e.message : String(e);
      await sim.stop();
      sim = null;
    }
  }
  process.stdout.write(
    banner({
      facts: serverFacts(serving),
      url,
      operatorToken: app.bootstrapSecret,
      bootstrapFromEnv: config.bootstrapToken !== null,
      tenantTokens: sim?.tokens ?? null,
      demo: opts.demo && simError === null,
      simError,
      logLevel: opts.logLevel,
      dataDir: config.databaseUrl ? null : config.dataDir,
    }),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
