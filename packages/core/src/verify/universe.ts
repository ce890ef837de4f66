// The small universe the bounded model checker explores: a fixed prefix of commands that sets up
// tenants, providers and a calibration (and, per scenario, some VHMs, contracts and bindings), and
// a finite alphabet of concrete commands over that universe, generated per command type from the
// transition table (alphabet.ts).

import { step } from '../engine/step.js';
import type { Actor, Command, CommandBody } from '../model/commands.js';
import { QUOTA_KEYS } from '../model/quota.js';
import { DEFAULT_CONFIG, emptyState, type Quota, type State } from '../model/state.js';
import { genesisCmd, OPERATOR, quotaOf } from '../scenario/builder.js';
import type { Hasher } from '../trace/hash.js';
import { alphabet, type Letter } from './alphabet.js';
import {
  A1,
  A2,
  as,
  CAL,
  createAlpha,
  createBeta,
  createGamma,
  DEFAULT_UNIVERSE,
  K1,
  PP,
  QP,
  registered,
  registrations,
  type UniverseConfig,
} from './fixtures.js';

export { GENERATORS, type Generator, type Letter, PREFIX_ONLY } from './alphabet.js';
export { DEFAULT_UNIVERSE, type UniverseConfig } from './fixtures.js';

export type ScenarioName = 'fleet' | 'vhms' | 'bound';
export const SCENARIOS: readonly ScenarioName[] = ['fleet', 'vhms', 'bound'];

export interface Universe {
  scenario: ScenarioName;
  config: UniverseConfig;
  prefix: Command[];
  alphabet: Letter[];
  /** Guard evaluated before a letter is tried (the universe bound on VHM count). */
  enabled: (state: State, letter: Letter) => boolean;
}

function scenarioCommands(scenario: ScenarioName, phi: { start: number; duration: number }): Command[] {
  if (scenario === 'fleet') return [];
  const up = (vhm: string, owner: Actor): Command[] => [
    as(owner, { type: 'vhm.validate', vhm }),
    as(owner, { type: 'vhm.activate', vhm }),
  ];
  const vhms = [
    createAlpha(),
    ...up('vhm-1', A1),
    createBeta(),
    ...up('vhm-2', A1),
    createGamma(),
    ...up('vhm-3', A2),
  ];
  if (scenario === 'vhms') return vhms;
  // bound: vhm-1 holds an active K, Q and Φ contract, each actively bound; vhm-3 an active Q one
  // whose binding is only requested (so validation and activation are one and two letters away).
  const bind = (contract: string, binding: string): Command[] => [
    as(A1, { type: 'contract.activate', vhm: 'vhm-1', capability: 'cap-1', contract }),
    as(A1, { type: 'binding.request', vhm: 'vhm-1', capability: 'cap-1', contract }),
    as(A1, { type: 'binding.validate', vhm: 'vhm-1', capability: 'cap-1', binding }),
    as(A1, { type: 'binding.activate', vhm: 'vhm-1', capability: 'cap-1', binding }),
  ];
  const alloc = (
    vhm: string,
    cap: string,
    owner: Actor,
    extra: Partial<CommandBody & { type: 'contract.allocate' }>,
  ): Command =>
    as(owner, {
      type: 'contract.allocate',
      vhm,
      capability: cap,
      domain: 'K',
      provider: K1,
      ...extra,
    } as CommandBody);
  return [
    ...vhms,
    alloc('vhm-1', 'cap-1', A1, { k: { base: 0, size: 16, cpu: 1, irqs: [1] } }),
    ...bind('contract-1', 'binding-1'),
    alloc('vhm-1', 'cap-1', A1, { domain: 'Q', provider: QP, q: { qubits: 2, budget: 3, calibration: CAL } }),
    ...bind('contract-2', 'binding-2'),
    alloc('vhm-1', 'cap-1', A1, { domain: 'PHI', provider: PP, phi: { ...phi, tolerance: 5000 } }),
    ...bind('contract-3', 'binding-3'),
    alloc('vhm-3', 'cap-3', A2, { domain: 'Q', provider: QP, q: { qubits: 1, budget: 2, calibration: CAL } }),
    as(A2, { type: 'contract.activate', vhm: 'vhm-3', capability: 'cap-3', contract: 'contract-4' }),
    as(A2, { type: 'binding.request', vhm: 'vhm-3', capability: 'cap-3', contract: 'contract-4' }),
    as(A1, { type: 'process.spawn', vhm: 'vhm-1', capability: 'cap-1', name: 'worker' }),
  ];
}

const noHash: Hasher = () => '0'.repeat(64);

/** Operator administration: see `UniverseConfig.adminChanges`. */
const ADMIN: ReadonlySet<string> = new Set([
  'tenant.create',
  'tenant.setQuota',
  'firmware.trust',
  'calibration.issue',
]);

function count(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** L after running commands from the empty state (whatever the clock model, it is what the core says). */
function clockAfter(cmds: readonly Command[]): number {
  const s = emptyState();
  for (const c of cmds) step(s, c, { hasher: noHash, invariants: false });
  return s.l;
}

/** Build the prefix and alphabet of a scenario. */
export function universe(scenario: ScenarioName, partial: Partial<UniverseConfig> = {}): Universe {
  const u: UniverseConfig = { ...DEFAULT_UNIVERSE, ...partial };
  const config = { ...DEFAULT_CONFIG, maxDepth: u.maxNesting, vhmEscalation: u.vhmEscalation };
  const base: Command[] = [
    genesisCmd(config),
    as(OPERATOR, {
      type: 'tenant.create',
      name: 'acme',
      quota: quotaOf({ vhms: 3, memory: 64, cpu: 4, qubits: 4, envelopes: 2 }),
    }),
    as(OPERATOR, {
      type: 'tenant.create',
      name: 'globex',
      quota: quotaOf({ vhms: 2, memory: 32, cpu: 2, qubits: 2, envelopes: 1 }),
    }),
    ...registrations(u).map(([reg, seed]) => registered(reg, seed)),
  ];
  const calibrate = (until: number): Command =>
    as(OPERATOR, { type: 'calibration.issue', provider: QP, from: 0, until });
  // The L the prefix ends at, measured on a draft of it (no command in it reads the values drafted
  // here to decide how far the clock moves): the calibration stays valid `calibrationTicks` past it,
  // and bound's Φ window, open since up to 6 ticks before, closes `phiTicks` past it.
  const end = clockAfter([
    ...base,
    calibrate(Number.MAX_SAFE_INTEGER),
    ...scenarioCommands(scenario, { start: 0, duration: 1 }),
  ]);
  const start = Math.max(0, end - 6);
  const prefix = [
    ...base,
    calibrate(end + 1 + u.calibrationTicks),
    ...scenarioCommands(scenario, { start, duration: end + u.phiTicks - start }),
  ];
  // Tenant quotas as the prefix leaves them.
  const prefixQuota: Record<string, Quota> = {};
  const initial = emptyState();
  for (const c of prefix) step(initial, c, { hasher: noHash, invariants: false });
  for (const id in initial.tenants) prefixQuota[id] = initial.tenants[id]!.quota;
  return { scenario, config: u, prefix, alphabet: alphabet(u, end), enabled };

  /** The universe bounds: at most `maxVhms` VHMs, and `adminChanges` administration changes. */
  function enabled(state: State, letter: Letter): boolean {
    const t = letter.cmd.type;
    if (t === 'vhm.create') return count(state.vhms) < u.maxVhms;
    if (!ADMIN.has(t)) return true;
    let changes = count(state.tenants) - 2 + count(state.calibrations) - 1 + state.trustedFirmware.length;
    for (const id in state.tenants) {
      const q = state.tenants[id]!.quota;
      const was = prefixQuota[id];
      if (was && QUOTA_KEYS.some((k) => q[k] !== was[k])) changes++;
    }
    return changes < u.adminChanges;
  }
}
