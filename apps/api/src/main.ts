#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { openApp } from './app.js';
import { configFromEnv, ENV_HELP } from './config.js';
import { formatFacts, serve, serverFacts } from './serve.js';

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
  const serving = await serve(config);
  const { app } = serving;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.server.log.info({ signal }, 'stopping: draining requests, writing a checkpoint');
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const lines = [formatFacts(serverFacts(serving))];
  if (app.bootstrapSecret) lines.push(`Operator token (shown once, keep it): ${app.bootstrapSecret}`);
  else if (!config.bootstrapToken)
    lines.push(
      'Operator token: printed at the first start; mint another: node apps/api/dist/main.js token create --kind operator',
    );
  // The demo moved out of the server: say so to anyone still starting it with XDV_DEMO=1.
  if (process.env.XDV_DEMO === '1' || process.env.XDV_DEMO === 'true')
    lines.push(
      'XDV_DEMO is read by the demo launcher (npm start, apps/demo); this server runs without the simulator.',
    );
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
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
