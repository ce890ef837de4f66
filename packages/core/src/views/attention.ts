import { byId } from '../engine/context.js';
import type { State } from '../model/state.js';
import { type AlertGroup, alertGroups } from './alerts.js';

// What needs a person now (issue 15 §1): VHMs that fault escalation paused, Q and Φ providers that
// stopped reporting or report errors, and firing alerts nobody acknowledged. Each item names the
// one action that resolves it; the console adds the trace's own health (the server verifies it).

/** Ticks without a report after which a Q or Φ provider counts as stale (the simulator reports every tick). */
export const STALE_AFTER_TICKS = 10;

export type AttentionItem =
  | {
      kind: 'vhm_paused';
      vhm: string;
      name: string;
      tenant: string;
      /** Domain faults that escalated it (at least the configured escalation count). */
      faults: number;
      action: 'resume';
    }
  | {
      kind: 'provider_stale';
      provider: string;
      name: string;
      /** L of its last report (null: it never reported). */
      lastReportL: number | null;
      health: 'ok' | 'degraded';
      action: 'inspect';
    }
  | { kind: 'alert'; group: AlertGroup; action: 'acknowledge' };

export function attentionOf(s: State, staleAfter = STALE_AFTER_TICKS): AttentionItem[] {
  const items: AttentionItem[] = [];
  const vhms = Object.values(s.vhms).sort((a, b) => byId(a.id, b.id));
  for (const v of vhms)
    if (v.state === 'paused' && v.faultCount >= s.config.vhmEscalation)
      items.push({
        action: 'resume',
        faults: v.faultCount,
        kind: 'vhm_paused',
        name: v.name,
        tenant: v.tenant,
        vhm: v.id,
      });
  const providers = Object.values(s.providers).sort((a, b) => byId(a.id, b.id));
  for (const p of providers) {
    // K hosts do not report telemetry; Q and Φ providers report every few ticks while healthy.
    if (p.domain === 'K') continue;
    const stale =
      p.lastReportL === null ? s.l - p.registeredL > staleAfter : s.l - p.lastReportL > staleAfter;
    if (stale || p.health === 'degraded')
      items.push({
        action: 'inspect',
        health: p.health,
        kind: 'provider_stale',
        lastReportL: p.lastReportL,
        name: p.name,
        provider: p.id,
      });
  }
  for (const g of alertGroups(s))
    if (g.status === 'firing' && !g.acknowledged)
      items.push({ action: 'acknowledge', group: g, kind: 'alert' });
  return items;
}
