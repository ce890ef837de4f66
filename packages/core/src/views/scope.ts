import type { Actor } from '../model/commands.js';
import type { Provider, State } from '../model/state.js';
import type { Entry } from '../trace/entry.js';

// What a principal may see. Operators see everything. A tenant sees its own objects and the shared
// fleet (providers, calibrations), and nothing from which another tenant's resources could be
// inferred: no foreign ids, no global id counters. The same projection serves live views and replay.

function filterRecord<T>(rec: Record<string, T>, keep: (v: T) => boolean): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(rec)) if (keep(v)) out[k] = v;
  return out;
}

export function tenantOf(actor: Actor): string | null {
  return actor.kind === 'tenant' ? actor.tenant : null;
}

/** The state as this principal may see it (a new object; shares nothing mutable with the input). */
export function scopeState(s: State, actor: Actor): State {
  if (actor.kind === 'operator') return s;
  const t = tenantOf(actor);
  const vhms = filterRecord(s.vhms, (v) => v.tenant === t);
  const contracts = filterRecord(s.contracts, (c) => c.tenant === t);
  const own = (vhm: string) => vhms[vhm] !== undefined;
  const envelopes = filterRecord(s.envelopes, (e) => own(e.vhm));
  // Shared providers: a tenant sees their capacity and its own allocation on them, never the
  // fleet-wide total (from which other tenants' holdings could be read off).
  const mine: Record<string, Provider['allocated']> = {};
  for (const c of Object.values(contracts)) {
    if (c.status !== 'issued' && c.status !== 'active') continue;
    mine[c.provider] ??= { cpu: 0, envelopes: 0, memory: 0, qubits: 0 };
    const a = mine[c.provider]!;
    if (c.k) {
      a.memory += c.k.size;
      a.cpu += c.k.cpu;
    } else if (c.q) a.qubits += c.q.qubits;
    else if (c.phi) a.envelopes += 1;
  }
  const providers: Record<string, Provider> = {};
  for (const p of Object.values(s.providers))
    providers[p.id] = {
      ...p,
      allocated: mine[p.id] ?? { cpu: 0, envelopes: 0, memory: 0, qubits: 0 },
      ranges: p.ranges.filter((r) => contracts[r[2]] !== undefined),
      irqRoutes: filterRecord(p.irqRoutes, (cid) => contracts[cid] !== undefined),
    };
  return {
    ...s,
    counters: {},
    capStats: { issued: 0, revoked: 0 },
    tenants: filterRecord(s.tenants, (x) => x.id === t),
    providers,
    vhms,
    processes: filterRecord(s.processes, (p) => own(p.vhm)),
    capabilities: filterRecord(s.capabilities, (c) => own(c.vhm)),
    contracts,
    bindings: filterRecord(s.bindings, (b) => own(b.vhm)),
    containers: filterRecord(s.containers, (c) => own(c.vhm)),
    envelopes,
    snapshots: filterRecord(s.snapshots, (x) => own(x.vhm)),
    migrations: filterRecord(s.migrations, (m) => own(m.vhm)),
    ipcs: filterRecord(s.ipcs, (i) => own(i.a) || own(i.b)),
    units: filterRecord(s.units, (u) => own(u.vhm)),
    faults: filterRecord(s.faults, (f) => f.tenant === t),
    // Provider alerts are fleet-wide, except those about an envelope another tenant holds.
    alerts: filterRecord(
      s.alerts,
      (a) => !a.subject.startsWith('env-') || envelopes[a.subject] !== undefined,
    ),
    phiExpiry: s.phiExpiry.filter(([, cid]) => contracts[cid] !== undefined),
    runQueue: s.runQueue.filter((id) => s.units[id] !== undefined && own(s.units[id]!.vhm)),
    trustedFirmware: actor.kind === 'provider' ? s.trustedFirmware : [],
  };
}

/** Whether a trace entry is visible: operators see all; a tenant sees entries filed under it. */
export function entryVisible(e: Pick<Entry, 'tenant'>, actor: Actor): boolean {
  if (actor.kind === 'operator') return true;
  if (actor.kind === 'tenant') return e.tenant === actor.tenant;
  return false;
}
