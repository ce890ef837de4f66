import { Command, CommanderError, Option } from 'commander';
import { type ActionRequest, perform, registerActions } from './actions.js';
import { type Api, connect } from './api.js';
import { applyFile } from './apply/index.js';
import { completion } from './completion.js';
import { configPath, loadConfig, saveConfig } from './config.js';
import { EXIT, type ExitCode, report, UsageError } from './errors.js';
import type { Io } from './io.js';
import { formatOf, render } from './output.js';
import { itemsOf, KINDS, kindOf, listAt } from './resources.js';
import { exportBundle, verifyBundleFile, verifyOnline } from './trace.js';
import { watch } from './watch.js';

// The `xdv` program. `run` is the whole CLI as a function of its arguments and its Io, so the
// tests drive exactly what the bin runs.

export async function run(argv: string[], io: Io): Promise<ExitCode> {
  const program = build(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; everything else commander refuses is bad usage.
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    return report(io, e);
  }
}

function build(io: Io): Command {
  const program = new Command('xdv');
  program
    .description('Command line of the XDV Domain Hypervisor')
    .version('0.1.0')
    .option('--context <name>', 'use this context instead of the current one')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showSuggestionAfterError();
  const api = (): Api => connect(io, program.opts<{ context?: string }>().context);
  const out = (c: Command) =>
    c.addOption(new Option('-o, --output <format>', 'table, json or yaml').default('table'));

  program
    .command('login <url>')
    .description('save a context for a server; the token comes from XDV_TOKEN, --token-stdin or a prompt')
    .option('--name <context>', 'context name (default: the URL’s host)')
    .option('--token-stdin', 'read the token from standard input')
    .action(async (url: string, o: { name?: string; tokenStdin?: boolean }) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new UsageError(`${url} is not a URL (e.g. http://127.0.0.1:8080)`);
      }
      const token =
        (o.tokenStdin ? (await io.readStdin()).trim() : io.env.XDV_TOKEN) ?? (await io.prompt('API token: '));
      if (!token)
        throw new UsageError('no token: pipe it with --token-stdin, set XDV_TOKEN, or run in a terminal');
      const base = url.replace(/\/+$/, '');
      // Check the token before saving it: a typo should fail here, not at the next command.
      const { createXdvClient } = await import('@xdv/client');
      const { Api } = await import('./api.js');
      const me = await new Api(createXdvClient({ baseUrl: base, token }), base).get<Record<string, unknown>>(
        '/v1/me',
      );
      const name = o.name ?? parsed.host;
      const path = configPath(io.env);
      const cfg = loadConfig(path);
      cfg.contexts[name] = { url: base, token };
      cfg.current = name;
      saveConfig(path, cfg);
      io.out(`logged in to ${base} as ${describeMe(me)}; context ${name} saved in ${path} and now current\n`);
    });

  const ctx = program.command('context').description('named contexts (server and token)');
  ctx
    .command('use <name>')
    .description('make a context current')
    .action((name: string) => {
      const path = configPath(io.env);
      const cfg = loadConfig(path);
      if (!cfg.contexts[name]) throw new UsageError(`no context named ${name}; see \`xdv context list\``);
      cfg.current = name;
      saveConfig(path, cfg);
      io.out(`current context: ${name}\n`);
    });
  out(ctx.command('list').description('list contexts (tokens are never printed)')).action(
    (o: { output: string }) => {
      const cfg = loadConfig(configPath(io.env));
      const rows = Object.entries(cfg.contexts).map(([name, c]) => ({
        current: name === cfg.current ? '*' : '',
        name,
        url: c.url,
      }));
      io.out(render(rows, formatOf(o.output), ['current', 'name', 'url']));
    },
  );

  const kinds = KINDS.map((k) => k.name).join(', ');
  out(
    program
      .command('get <kind> [id]')
      .description(`list a resource kind, or read one object: ${kinds}`)
      .option('--vhm <vhm>', 'only what belongs to this VHM')
      .option('--at <L>', 'in the state replayed at logical time L'),
  ).action(
    async (kindName: string, id: string | undefined, o: { output: string; vhm?: string; at?: string }) => {
      const format = formatOf(o.output);
      const kind = kindOf(kindName);
      const a = api();
      const at = o.at === undefined ? undefined : atOf(o.at);
      if (id) {
        const item = await getOne(a, kind, id, at, o.vhm);
        io.out(format === 'table' ? render([item], 'table', kind.columns) : render(item, format));
        return;
      }
      const items =
        at === undefined ? await kind.list(a, o.vhm ? { vhm: o.vhm } : {}) : await listAt(a, kind, at, o.vhm);
      io.out(render(items, format, kind.columns));
    },
  );
  out(
    program
      .command('describe <kind> <id>')
      .description('one object in full')
      .option('--at <L>', 'in the state replayed at logical time L'),
  ).action(async (kindName: string, id: string, o: { output: string; at?: string }) => {
    const kind = kindOf(kindName);
    const format = formatOf(o.output);
    const item = await getOne(api(), kind, id, o.at === undefined ? undefined : atOf(o.at));
    io.out(render(item, format === 'table' ? 'yaml' : format));
  });

  registerActions(program, (buildReq) => async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const o = cmd.opts<Record<string, unknown>>();
    const req: ActionRequest = buildReq(
      args.slice(0, -2).map((x) => String(x)),
      o,
    );
    const a = api();
    // An operator's nested VHM belongs to its parent's tenant: fill it in rather than ask for it.
    if (req.path === '/v1/vhms' && req.body?.parent && !req.body.tenant)
      req.body.tenant = (
        await a.get<{ tenant: string }>(`/v1/vhms/${encodeURIComponent(String(req.body.parent))}`)
      ).tenant;
    await perform(a, io, req, { dryRun: o.dryRun === true });
  });

  program
    .command('watch')
    .description('follow the trace as it is committed (resumes after a dropped connection)')
    .option('--after <seq>', 'start after this seq (default: now)')
    .option('--json', 'one entry per line as JSON')
    .option('--count <n>', 'stop after n entries')
    .action(async (o: { after?: string; json?: boolean; count?: string }) => {
      await watch(api(), io, {
        ...(o.after !== undefined ? { after: o.after } : {}),
        ...(o.json ? { json: true } : {}),
        ...(o.count !== undefined ? { count: Number(o.count) } : {}),
      });
    });

  const trace = program.command('trace').description('the hash-chained trace');
  trace
    .command('verify')
    .description('have the server verify its whole store (operator)')
    .action(() => verifyOnline(api(), io));
  trace
    .command('export')
    .description('export the trace bundle (operator)')
    .option('-f, --format <format>', 'bundle (NDJSON)', 'bundle')
    .option('--file <file>', 'write to this file (default: standard output)')
    .action(async (o: { format: string; file?: string }) => {
      if (o.format !== 'bundle') throw new UsageError('-f must be bundle');
      await exportBundle(api(), io, o.file);
    });
  trace
    .command('verify-bundle <file>')
    .description('verify a trace bundle offline (no server needed)')
    .option('--trust <keys>', 'pin the signing keys: fingerprints or public keys, comma-separated')
    .action((file: string, o: { trust?: string }) => verifyBundleFile(io, file, o.trust));

  program
    .command('apply')
    .description('take the server to the desired state in a YAML file: plan, preview on the server, apply')
    .requiredOption('-f, --file <file>', 'desired state (YAML); "-" reads standard input')
    .option(
      '--prune',
      'also remove what the file does not mention (VHMs, contracts, IPC under mentioned parents)',
    )
    .action((o: { file: string; prune?: boolean }) =>
      applyFile(api(), io, o.file, { prune: o.prune === true, apply: true }),
    );
  program
    .command('diff')
    .description('print the plan `xdv apply` would carry out; commit nothing')
    .requiredOption('-f, --file <file>', 'desired state (YAML)')
    .option('--prune', 'include removals of what the file does not mention')
    .action((o: { file: string; prune?: boolean }) =>
      applyFile(api(), io, o.file, { prune: o.prune === true, apply: false }),
    );

  program
    .command('completion <shell>')
    .description('shell completion script: source <(xdv completion bash), or zsh')
    .action((shell: string) => io.out(completion(program, shell)));
  return program;
}

function atOf(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--at needs a logical time L ≥ 0 (got ${v})`);
  return n;
}

async function getOne(
  a: Api,
  kind: ReturnType<typeof kindOf>,
  id: string,
  at?: number,
  vhm?: string,
): Promise<Record<string, unknown>> {
  if (at === undefined && kind.one) return kind.one(a, id);
  const items = at === undefined ? await kind.list(a, vhm ? { vhm } : {}) : await listAt(a, kind, at, vhm);
  const key = kind.name === 'trace' ? 'seq' : 'id';
  const hit = items.find((x) => String(x[key]) === id);
  if (!hit) {
    const { XdvProblem } = await import('@xdv/client');
    throw new XdvProblem({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'HV_NOT_FOUND',
      detail: `${kind.name} ${id} does not exist${at !== undefined ? ` at L ${at}` : ''}.`,
    });
  }
  return hit;
}

function describeMe(me: Record<string, unknown>): string {
  const t = (me.token ?? {}) as Record<string, unknown>;
  return [t.kind ?? 'principal', me.tenantName ?? t.tenant, t.role, t.provider]
    .filter((x) => typeof x === 'string' && x)
    .join(' ');
}

export { itemsOf };
