// `npm run verify`: the bounded model checker over every scenario of the small universe.
//   node dist-node/verify-cli.js [--depth N] [--scenario fleet|vhms|bound|all] [--max-vhms N]
//     [--nesting N] [--escalation N] [--k-hosts N] [--qubits N] [--envelopes N] [--max-states N]
//     [--calibration-ticks N] [--phi-ticks N] [--admin-changes N]
// Exits 1 and prints the shortest counterexample on the first violation.

import {
  type CheckResult,
  DEFAULT_UNIVERSE,
  modelCheck,
  SCENARIOS,
  type ScenarioName,
  type UniverseConfig,
} from '@xdv/core/verify';
import { nodeSha256 } from './sha256.js';

/**
 * Default depth per scenario: the richer the starting state, the more letters are accepted. fleet
 * stops at 4: with every command type in the alphabet, its fifth level alone is ~55k states and
 * 1.3M transitions (`--scenario fleet --depth 5` runs it), mostly interleavings of operator and
 * provider letters with VHM creation; vhms and bound start from those VHMs.
 */
const DEFAULT_DEPTH: Record<ScenarioName, number> = { fleet: 4, vhms: 3, bound: 3 };

function parse(argv: string[]): {
  depth: number | null;
  scenarios: ScenarioName[];
  universe: Partial<UniverseConfig>;
  maxStates: number | undefined;
} {
  let depth: number | null = null;
  let scenarios: ScenarioName[] = [...SCENARIOS];
  let maxStates: number | undefined;
  const universe: Partial<UniverseConfig> = {};
  const flags: Record<string, keyof UniverseConfig> = {
    '--max-vhms': 'maxVhms',
    '--nesting': 'maxNesting',
    '--escalation': 'vhmEscalation',
    '--k-hosts': 'kHosts',
    '--qubits': 'qubits',
    '--envelopes': 'envelopes',
    '--calibration-ticks': 'calibrationTicks',
    '--phi-ticks': 'phiTicks',
    '--admin-changes': 'adminChanges',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? (a.split('=', 2) as [string, string]) : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = Number(value());
      if (!Number.isSafeInteger(v) || v < 0) usage(`${flag} needs a non-negative integer`);
      return v;
    };
    if (flag === '--depth') depth = num();
    else if (flag === '--max-states') maxStates = num();
    else if (flag === '--scenario') {
      const v = value();
      if (v === 'all') scenarios = [...SCENARIOS];
      else if ((SCENARIOS as readonly string[]).includes(v)) scenarios = [v as ScenarioName];
      else usage(`unknown scenario ${v}`);
    } else if (flags[flag]) universe[flags[flag]!] = num();
    else if (flag === '--help' || flag === '-h') usage(null);
    else usage(`unknown option ${a}`);
  }
  return { depth, scenarios, universe, maxStates };
}

function usage(error: string | null): never {
  if (error) console.error(`verify: ${error}`);
  console.error(
    'usage: verify [--depth N] [--scenario fleet|vhms|bound|all] [--max-vhms N] [--nesting N]\n' +
      '              [--escalation N] [--k-hosts N] [--qubits N] [--envelopes N] [--max-states N]\n' +
      '              [--calibration-ticks N] [--phi-ticks N] [--admin-changes N]\n' +
      `defaults: depth ${JSON.stringify(DEFAULT_DEPTH)}, universe ${JSON.stringify(DEFAULT_UNIVERSE)}`,
  );
  process.exit(error ? 2 : 0);
}

function report(r: CheckResult): void {
  const secs = (r.ms / 1000).toFixed(2);
  console.log(
    `  ${r.scenario}: states explored ${r.states}, transitions ${r.transitions}, depth reached ${r.depthReached}/${r.depth}, ` +
      `alphabet ${r.alphabet}, time ${secs} s${r.complete ? '' : ' (stopped at --max-states: incomplete)'}`,
  );
}

/** Command types the core never accepted (or never rejected) in a scenario: gaps in the alphabet. */
function coverageGaps(r: CheckResult): void {
  const never = (k: 'accepted' | 'rejected') =>
    Object.entries(r.coverage)
      .filter(([, c]) => c[k] === 0)
      .map(([t]) => t);
  const types = Object.keys(r.coverage).length;
  const na = never('accepted');
  const nr = never('rejected');
  console.log(
    `    coverage: ${types} command types tried; never accepted here: ${na.join(', ') || 'none'}; ` +
      `never rejected here: ${nr.join(', ') || 'none'}`,
  );
}

function main(): void {
  const args = parse(process.argv.slice(2));
  const started = performance.now();
  let states = 0;
  let transitions = 0;
  console.log('XDV bounded model checker (explicit state, breadth-first, checkAll in every state)');
  for (const scenario of args.scenarios) {
    const depth = args.depth ?? DEFAULT_DEPTH[scenario];
    console.log(`scenario ${scenario}, depth ${depth}`);
    const r = modelCheck({
      scenario,
      depth,
      universe: args.universe,
      hasher: nodeSha256,
      now: () => performance.now(),
      ...(args.maxStates !== undefined ? { maxStates: args.maxStates } : {}),
      onLevel: (l) =>
        console.log(
          `    depth ${l.depth}: ${l.newStates} new states, ${l.transitions} transitions, ${(l.ms / 1000).toFixed(2)} s`,
        ),
    });
    report(r);
    coverageGaps(r);
    states += r.states;
    transitions += r.transitions;
    if (r.counterexample) {
      const c = r.counterexample;
      console.log(
        `\nVIOLATION (${c.kind}) after ${c.path.length} commands past the ${c.prefix.length}-command prefix:`,
      );
      for (const v of c.violations) console.log(`  ✗ ${v}`);
      console.log('shortest counterexample (prefix omitted; scenario above):');
      c.path.forEach((l, i) => {
        console.log(`  ${i + 1}. ${l.label}`);
        console.log(`     ${JSON.stringify(l.cmd)}`);
      });
      process.exitCode = 1;
      return;
    }
  }
  console.log(
    `no violation: ${states} states explored, ${transitions} transitions, ${((performance.now() - started) / 1000).toFixed(2)} s in total`,
  );
}

main();
