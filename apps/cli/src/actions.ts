import { type Command, InvalidArgumentError } from 'commander';
import type { Api } from './api.js';
import { hints, UsageError } from './errors.js';
import type { Io } from './io.js';
import { type Format, render } from './output.js';
import { type PreviewBody, printPreview } from './preview.js';

// Every action of the API as a subcommand. An action is a route and a body built from the command
// line; with --dry-run the server previews it (?dryRun=true) and nothing is committed.

export type Method = 'POST' | 'PUT';
export interface ActionRequest {
  method: Method;
  path: string;
  body?: Record<string, unknown>;
  /** False for routes that are not hypervisor commands (tokens): no preview exists for them. */
  previewable?: boolean;
}

export interface Answer {
  outcome?: string;
  seq?: number;
  created?: Record<string, string>;
  [k: string]: unknown;
}

/** Send an action (or preview it), print the outcome, and return the answer. */
export async function perform(
  api: Api,
  io: Io,
  req: ActionRequest,
  opts: { dryRun?: boolean; output?: Format; idempotencyKey?: string },
): Promise<Answer> {
  const dry = opts.dryRun === true;
  if (dry && req.previewable === false)
    throw new UsageError('this action has no dry run (it is not a hypervisor command)');
  const a = await api.call<Answer>(req.method, req.path, {
    ...(req.body !== undefined ? { body: req.body } : {}),
    ...(dry ? { query: { dryRun: true } } : {}),
    ...(opts.idempotencyKey ? { headers: { 'idempotency-key': opts.idempotencyKey } } : {}),
  });
  if (opts.output && opts.output !== 'table') {
    io.out(render(a, opts.output));
    return a;
  }
  if (dry) {
    const p = a as unknown as PreviewBody;
    printPreview(io, p);
    if (p.error) for (const h of hints(p.error.code, p.error.params)) io.out(`  hint: ${h}\n`);
    return a;
  }
  const created = Object.entries(a.created ?? {});
  io.out(
    `${a.outcome ?? 'done'}${a.seq !== undefined ? ` at seq ${a.seq}` : ''}${created.length ? `: ${created.map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}\n`,
  );
  return a;
}

/** "k=v,k=v" integers (a quota): memory=65536,cpu=2. */
export function intMap(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of v.split(',').filter(Boolean)) {
    const [k, n] = part.split('=');
    const x = Number(n);
    if (!k || !Number.isSafeInteger(x) || x < 0)
      throw new InvalidArgumentError(`${part}: expected name=integer, e.g. memory=65536,cpu=2`);
    out[k] = x;
  }
  return out;
}

export const list = (v: string): string[] => v.split(',').filter(Boolean);
export const int = (v: string): number => {
  const x = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(x)) throw new InvalidArgumentError(`${v} is not an integer`);
  return x;
};

export type Act = (
  build: (args: string[], o: Record<string, unknown>) => ActionRequest,
) => (...a: unknown[]) => Promise<void>;

/** Register every action under the program; `act` wraps each builder with connect/print/errors. */
export function registerActions(program: Command, act: Act): void {
  const id = encodeURIComponent;
  const dry = (c: Command) =>
    c.option(
      '--dry-run',
      'preview: entries, capacity, budget and quota before → after, invariants; commit nothing',
    );
  const cap = (c: Command) => c.requiredOption('--cap <capability>', 'the capability this action uses');

  const create = program.command('create').description('create a VHM, a tenant or a token');
  dry(
    create
      .command('vhm <name>')
      .description('create a VHM (root, or nested with --parent and the parent’s SPAWN_NESTED --cap)')
      .option('--tenant <tenant>', 'tenant id (operators; a tenant creates in its own)')
      .option('--parent <vhm>', 'parent VHM for a nested VHM')
      .option('--cap <capability>', 'the parent’s SPAWN_NESTED capability')
      .option('--quota <k=v,...>', 'vhms, memory (bytes), cpu (slices), qubits, envelopes', intMap, {}),
  ).action(
    act(([name], o) => ({
      method: 'POST',
      path: '/v1/vhms',
      body: {
        name,
        quota: o.quota,
        ...(o.tenant ? { tenant: o.tenant } : {}),
        ...(o.parent ? { parent: o.parent } : {}),
        ...(o.cap ? { capability: o.cap } : {}),
      },
    })),
  );
  dry(
    create
      .command('tenant <name>')
      .description('create a tenant (operator)')
      .option('--quota <k=v,...>', 'vhms, memory, cpu, qubits, envelopes', intMap, {}),
  ).action(act(([name], o) => ({ method: 'POST', path: '/v1/tenants', body: { name, quota: o.quota } })));
  create
    .command('token')
    .description('mint an API token (operator); its secret is printed once')
    .requiredOption('--kind <kind>', 'operator, tenant or provider')
    .option('--tenant <tenant>')
    .option('--role <role>', 'admin or viewer')
    .option('--provider <name>')
    .requiredOption('--label <label>')
    .action(
      act((_a, o) => ({
        method: 'POST',
        path: '/v1/tokens',
        previewable: false,
        body: Object.fromEntries(
          ['kind', 'tenant', 'role', 'provider', 'label']
            .filter((k) => o[k] !== undefined)
            .map((k) => [k, o[k]]),
        ),
      })),
    );

  const tenant = program.command('tenant').description('tenant actions (operator)');
  dry(
    tenant
      .command('quota <tenant>')
      .description('set a tenant’s quota')
      .requiredOption('--quota <k=v,...>', 'vhms, memory, cpu, qubits, envelopes', intMap),
  ).action(
    act(([t], o) => ({ method: 'PUT', path: `/v1/tenants/${id(t!)}/quota`, body: { quota: o.quota } })),
  );

  const vhm = program.command('vhm').description('VHM lifecycle');
  for (const a of ['validate', 'activate', 'pause', 'resume', 'terminate', 'release'])
    dry(vhm.command(`${a} <vhm>`).description(`${a} a VHM`)).action(
      act(([v]) => ({ method: 'POST', path: `/v1/vhms/${id(v!)}/${a}` })),
    );
  dry(
    vhm
      .command('schedule <vhm>')
      .description('set the scheduler weight and queue quota')
      .requiredOption('--weight <n>', 'weight', int)
      .requiredOption('--max-queued <n>', 'queued units', int),
  ).action(
    act(([v], o) => ({
      method: 'PUT',
      path: `/v1/vhms/${id(v!)}/schedule`,
      body: { weight: o.weight, maxQueued: o.maxQueued },
    })),
  );

  dry(
    cap(
      program
        .command('allocate <vhm>')
        .description('allocate a K, Q or Φ resource contract')
        .requiredOption('--domain <domain>', 'K, Q or PHI')
        .requiredOption('--provider <provider>', 'provider id'),
    )
      .option('--size <bytes>', 'K: memory', int)
      .option('--cpu <slices>', 'K: CPU slices', int)
      .option('--base <address>', 'K: pin the range (default: placed by the core)', int)
      .option('--qubits <n>', 'Q: logical qubits', int)
      .option('--budget <units>', 'Q: decoherence budget', int)
      .option('--calibration <id>', 'Q: calibration contract')
      .option('--start <L>', 'Φ: window start', int)
      .option('--duration <ticks>', 'Φ: window length', int)
      .option('--tolerance <bp>', 'Φ: stability tolerance, basis points', int),
  ).action(
    act(([v], o) => {
      const d = String(o.domain).toUpperCase();
      return {
        method: 'POST',
        path: `/v1/vhms/${id(v!)}/contracts`,
        body: {
          capability: o.cap,
          domain: d,
          provider: o.provider,
          ...(d === 'K'
            ? { k: { size: o.size, cpu: o.cpu ?? 0, ...(o.base !== undefined ? { base: o.base } : {}) } }
            : {}),
          ...(d === 'Q' ? { q: { qubits: o.qubits, budget: o.budget, calibration: o.calibration } } : {}),
          ...(d === 'PHI'
            ? { phi: { start: o.start ?? 0, duration: o.duration, tolerance: o.tolerance ?? 0 } }
            : {}),
        },
      };
    }),
  );

  const contract = program.command('contract').description('contract lifecycle');
  for (const a of ['activate', 'release'])
    dry(cap(contract.command(`${a} <contract>`).description(`${a} a contract`))).action(
      act(([c], o) => ({
        method: 'POST',
        path: `/v1/contracts/${id(c!)}/${a}`,
        body: { capability: o.cap },
      })),
    );
  dry(
    contract
      .command('revoke <contract>')
      .description('revoke a contract (operator)')
      .requiredOption('--reason <text>'),
  ).action(
    act(([c], o) => ({ method: 'POST', path: `/v1/contracts/${id(c!)}/revoke`, body: { reason: o.reason } })),
  );

  dry(
    cap(
      program
        .command('bind <vhm>')
        .description('request a binding of a contract')
        .requiredOption('--contract <id>'),
    ),
  ).action(
    act(([v], o) => ({
      method: 'POST',
      path: `/v1/vhms/${id(v!)}/bindings`,
      body: { capability: o.cap, contract: o.contract },
    })),
  );
  const binding = program.command('binding').description('binding lifecycle');
  for (const a of ['validate', 'activate', 'release'])
    dry(cap(binding.command(`${a} <binding>`).description(`${a} a binding`))).action(
      act(([b], o) => ({ method: 'POST', path: `/v1/bindings/${id(b!)}/${a}`, body: { capability: o.cap } })),
    );

  dry(
    cap(
      program
        .command('job <binding>')
        .description('run a Q job on an active Q binding')
        .requiredOption('--cost <units>', 'decoherence budget it consumes', int)
        .option('--ops <list>', 'operations, e.g. h,cx,measure', list),
    ),
  ).action(
    act(([b], o) => ({
      method: 'POST',
      path: `/v1/bindings/${id(b!)}/jobs`,
      body: { capability: o.cap, cost: o.cost, ...(o.ops ? { operations: o.ops } : {}) },
    })),
  );
  dry(
    cap(
      program
        .command('transform <binding>')
        .description('apply a Φ transform on an active Φ binding')
        .requiredOption('--transform <name>')
        .option('--impact <bp>', 'basis points', int),
    ),
  ).action(
    act(([b], o) => ({
      method: 'POST',
      path: `/v1/bindings/${id(b!)}/transforms`,
      body: {
        capability: o.cap,
        transform: o.transform,
        ...(o.impact !== undefined ? { impact: o.impact } : {}),
      },
    })),
  );
  dry(
    cap(
      program
        .command('snapshot <vhm>')
        .description('take a K snapshot')
        .option('--include <domains>', 'K', list),
    ),
  ).action(
    act(([v], o) => ({
      method: 'POST',
      path: `/v1/vhms/${id(v!)}/snapshots`,
      body: { capability: o.cap, ...(o.include ? { include: o.include } : {}) },
    })),
  );
  dry(
    cap(
      program
        .command('migrate <vhm>')
        .description('migrate a VHM to another K host')
        .requiredOption('--target <provider>')
        .option('--q-policy <policy>', 'reinit or live')
        .option('--phi-policy <policy>', 'reinit or live')
        .option('--transfer <contracts>', 'contracts to transfer live', list),
    ),
  ).action(
    act(([v], o) => ({
      method: 'POST',
      path: `/v1/vhms/${id(v!)}/migrations`,
      body: {
        capability: o.cap,
        target: o.target,
        ...(o.qPolicy ? { qPolicy: o.qPolicy } : {}),
        ...(o.phiPolicy ? { phiPolicy: o.phiPolicy } : {}),
        ...(o.transfer ? { transferContracts: o.transfer } : {}),
      },
    })),
  );

  const ipc = program.command('ipc').description('IPC contracts between two VHMs');
  dry(
    ipc
      .command('open')
      .requiredOption('--a <vhm>')
      .requiredOption('--cap-a <capability>')
      .requiredOption('--b <vhm>')
      .requiredOption('--cap-b <capability>')
      .option('--rights <list>', 'MSG, PHI_SHARE', list, ['MSG']),
  ).action(
    act((_a, o) => ({
      method: 'POST',
      path: '/v1/ipc',
      body: { a: o.a, capabilityA: o.capA, b: o.b, capabilityB: o.capB, rights: o.rights },
    })),
  );
  dry(ipc.command('close <ipc>')).action(act(([i]) => ({ method: 'POST', path: `/v1/ipc/${id(i!)}/close` })));

  const capc = program.command('cap').description('capabilities');
  dry(capc.command('issue <vhm>').requiredOption('--rights <list>', 'rights', list)).action(
    act(([v], o) => ({
      method: 'POST',
      path: `/v1/vhms/${id(v!)}/capabilities`,
      body: { rights: o.rights },
    })),
  );
  dry(
    capc
      .command('derive <vhm>')
      .requiredOption('--from <capability>', 'the parent capability')
      .requiredOption('--rights <list>', 'a subset of its rights', list),
  ).action(
    act(([v], o) => ({
      method: 'POST',
      path: `/v1/vhms/${id(v!)}/capabilities/${id(String(o.from))}/derive`,
      body: { rights: o.rights },
    })),
  );
  dry(capc.command('revoke <vhm> <capability>')).action(
    act(([v, c]) => ({ method: 'POST', path: `/v1/vhms/${id(v!)}/capabilities/${id(c!)}/revoke` })),
  );

  const proc = program.command('process').description('processes in a VHM');
  dry(cap(proc.command('spawn <vhm>').requiredOption('--name <name>'))).action(
    act(([v], o) => ({
      method: 'POST',
      path: `/v1/vhms/${id(v!)}/processes`,
      body: { capability: o.cap, name: o.name },
    })),
  );
  dry(cap(proc.command('exit <vhm> <process>'))).action(
    act(([v, p], o) => ({
      method: 'POST',
      path: `/v1/vhms/${id(v!)}/processes/${id(p!)}/exit`,
      body: { capability: o.cap },
    })),
  );

  const token = program.command('token').description('API tokens (operator)');
  token
    .command('revoke <token>')
    .action(act(([t]) => ({ method: 'POST', path: `/v1/tokens/${id(t!)}/revoke`, previewable: false })));

  const clock = program.command('clock').description('logical time (operator)');
  dry(clock.command('advance <ticks>')).action(
    act(([n]) => ({ method: 'POST', path: '/v1/clock/advance', body: { ticks: int(n!) } })),
  );

  const sched = program.command('scheduler').description('the cross-domain scheduler');
  dry(
    cap(
      sched
        .command('submit <vhm>')
        .requiredOption('--process <id>')
        .requiredOption('--domain <domain>')
        .option('--contract <id>')
        .option('--priority <n>', 'priority', int)
        .option('--quanta <n>', 'quanta', int),
    ),
  ).action(
    act(([v], o) => ({
      method: 'POST',
      path: '/v1/scheduler/units',
      body: {
        vhm: v,
        capability: o.cap,
        process: o.process,
        domain: o.domain,
        ...(o.contract ? { contract: o.contract } : {}),
        ...(o.priority !== undefined ? { priority: o.priority } : {}),
        ...(o.quanta !== undefined ? { quanta: o.quanta } : {}),
      },
    })),
  );
  dry(sched.command('tick').description('one scheduler round (operator)')).action(
    act(() => ({ method: 'POST', path: '/v1/scheduler/tick' })),
  );

  dry(
    program
      .command('calibration <provider>')
      .description('issue a Q calibration contract (operator or the provider)')
      .requiredOption('--from <L>', 'valid from', int)
      .requiredOption('--until <L>', 'valid until', int),
  ).action(
    act(([p], o) => ({
      method: 'POST',
      path: `/v1/providers/${id(p!)}/calibrations`,
      body: { from: o.from, until: o.until },
    })),
  );
  dry(
    program
      .command('fault-inject')
      .description('inject a fault (operator)')
      .requiredOption('--kind <kind>')
      .requiredOption('--target <id>')
      .option('--amount <n>', 'amount', int),
  ).action(
    act((_a, o) => ({
      method: 'POST',
      path: '/v1/faults/inject',
      body: { kind: o.kind, target: o.target, ...(o.amount !== undefined ? { amount: o.amount } : {}) },
    })),
  );
}
