#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { openApp } from './app.js';
import { configFromEnv, ENV_HELP } from './config.js';

const HELP = `xdv-api — XDV Domain Hypervisor control plane

Usage:
  node apps/api/dist/main.js                 start the API server (and the console at /)
  node apps/api/dist/main.js token create --kind operator|tenant|provider [--tenant ID] [--role admin|viewer] [--provider NAME] [--label TEXT] [--expires-in SECONDS]
                                             mint an API token (printed once)
  node apps/api/dist/main.js --help

${ENV_HELP}
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const config = configFromEnv();
  if (argv[0] === 'token') return mintToken(argv.slice(1), config);
  if (argv.length > 0) throw new Error(`unknown arguments: ${argv.join(' ')}\n\n${HELP}`);
  const app = await openApp(config);
  let stopping = false;
  let stopSim: (() => Promise<void>) | null = null;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.server.log.info({ signal }, 'stopping: draining requests, writing a checkpoint');
    await stopSim?.();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await app.server.listen({ port: config.port, host: config.host });
  // Logical time moves from now on (unless XDV_TICK_MS=0: then only operator ticks move it).
  app.clock.start();
  const url = `http://${config.host}:${config.port}/`;
  let demoTokens: { acme: string; globex: string } | null = null;
  if (config.demo) {
    // The simulated providers talk to this server over its public REST API, like real hardware.
    const { Simulator } = await import('@xdv/provider-sim');
    const minted = await app.tokens.create({
      kind: 'operator',
      tenant: null,
      role: null,
      provider: null,
      label: 'simulator (this run)',
    });
    const sim = new Simulator({
      base: url,
      operatorToken: minted.secret,
      seed: config.seed,
      demo: true,
      // The server's clock source moves L; a manual clock (XDV_TICK_MS=0) is ticked by the simulator.
      driveClock: config.tickMs === 0,
      log: (line) => app.server.log.info({ sim: true }, line),
    });
    await sim.setup();
    demoTokens = sim.tokens;
    sim.start(config.simIntervalMs);
    stopSim = async () => {
      await sim.stop();
      await app.tokens.revoke(minted.record.id);
    };
  }
  const store = config.databaseUrl
    ? 'PostgreSQL'
    : `PGlite at ${config.dataDir} (embedded; PostgreSQL is the durable production store)`;
  const key = app.ledger.nodeKey;
  process.stdout.write(
    `\nXDV console: ${url}\nAPI docs:    ${url}docs\nStore:       ${store}\nNode key:    ${key.short}… (ML-DSA-65, SHA-256 ${key.fingerprint}) in ${key.dir ?? '(memory only)'}\n`,
  );
  if (app.ledger.broken)
    process.stdout.write(
      `TRACE BROKEN at seq ${app.ledger.broken.seq}: ${app.ledger.broken.reason}; writes are refused\n`,
    );
  if (app.bootstrapSecret)
    process.stdout.write(`Operator token (shown once, keep it): ${app.bootstrapSecret}\n`);
  else if (!config.bootstrapToken)
    process.stdout.write(
      'Operator token: printed at the first start; mint another: node apps/api/dist/main.js token create --kind operator\n',
    );
  if (demoTokens)
    process.stdout.write(
      `Tenant token, acme admin (shown once): ${demoTokens.acme}\nTenant token, globex admin (shown once): ${demoTokens.globex}\n`,
    );
  if (config.demo)
    process.stdout.write(
      'Demo: simulated providers are running. Stop with Ctrl-C; the next start continues the same trace.\n',
    );
  process.stdout.write('\n');
}

async function mintToken(args: string[], config: ReturnType<typeof configFromEnv>): Promise<void> {
  const { values } = parseArgs({
    args: args[0] === 'create' ? args.slice(1) : args,
    options: {
      kind: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string' },
      provider: { type: 'string' },
      label: { type: 'string' },
      'expires-in': { type: 'string' },
    },
  });
  const expiresIn = values['expires-in'];
  if (expiresIn !== undefined && !/^\d+$/.test(expiresIn))
    throw new Error('--expires-in must be a whole number of seconds');
  const kind = values.kind;
  if (kind !== 'operator' && kind !== 'tenant' && kind !== 'provider')
    throw new Error('--kind must be operator, tenant or provider');
  const app = await openApp(config, { logger: false });
  try {
    if (kind === 'tenant' && (!values.tenant || !app.ledger.state.tenants[values.tenant]))
      throw new Error(`tenant ${values.tenant ?? '(missing --tenant)'} does not exist`);
    if (kind === 'provider' && !values.provider) throw new Error('--provider NAME is required');
    const role = values.role === 'viewer' ? 'viewer' : 'admin';
    const r = await app.tokens.create({
      kind,
      tenant: kind === 'tenant' ? values.tenant! : null,
      role: kind === 'tenant' ? role : null,
      provider: kind === 'provider' ? values.provider! : null,
      label: values.label ?? `${kind} token`,
      expiresAt:
        expiresIn === undefined ? null : new Date(Date.now() + Number(expiresIn) * 1000).toISOString(),
    });
    process.stdout.write(`${r.secret}\n`);
  } finally {
    await app.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
