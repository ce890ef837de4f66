import { byId } from '../engine/context.js';
import type { Alert, State } from '../model/state.js';

// Alerts as an operator triages them: each with its lifecycle status and severity, and grouped by
// subject (one row per provider and subject, however many reports crossed its thresholds).

export type AlertStatus = 'firing' | 'resolved';
/** `critical`: the breach ended something (a Φ stability breach terminates the envelope). */
export type AlertSeverity = 'critical' | 'warning';

export interface AlertView extends Alert {
  status: AlertStatus;
  severity: AlertSeverity;
  /** Why it resolved: a later report back in range, or its subject (a Φ envelope) ended. */
  resolution: 'back_in_range' | 'subject_ended' | null;
  /** L it resolved at (null while firing). */
  resolvedAt: number | null;
}

export interface AlertGroup {
  /** `${provider}/${subject}`: stable, so a console can key rows and links by it. */
  key: string;
  provider: string;
  subject: string;
  severity: AlertSeverity;
  /** Firing if any of its alerts fires. */
  status: AlertStatus;
  /**
   * Its newest firing alert is acknowledged: someone has seen the subject as it is now. A later
   * breach is a new alert, so the group needs someone again.
   */
  acknowledged: boolean;
  firing: number;
  total: number;
  metrics: string[];
  /** The newest alert of the group (the latest value and threshold). */
  latest: AlertView;
  /** The firing alerts' ids, oldest first (what acknowledging the group acknowledges). */
  firingIds: string[];
}

export function severityOf(a: Pick<Alert, 'metric'>): AlertSeverity {
  return a.metric === 'stability' ? 'critical' : 'warning';
}

export function alertView(s: State, a: Alert): AlertView {
  const severity = severityOf(a);
  if (a.resolvedL !== undefined)
    return { ...a, resolution: 'back_in_range', resolvedAt: a.resolvedL, severity, status: 'resolved' };
  const env = Object.hasOwn(s.envelopes, a.subject) ? s.envelopes[a.subject] : undefined;
  if (env && !env.live)
    return { ...a, resolution: 'subject_ended', resolvedAt: env.endedL, severity, status: 'resolved' };
  return { ...a, resolution: null, resolvedAt: null, severity, status: 'firing' };
}

export function alertViews(s: State): AlertView[] {
  return Object.values(s.alerts)
    .sort((a, b) => byId(a.id, b.id))
    .map((a) => alertView(s, a));
}

/** Groups ordered firing first, critical first, then newest first. */
export function alertGroups(s: State): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const a of alertViews(s)) {
    const key = `${a.provider}/${a.subject}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        acknowledged: true,
        firing: 0,
        firingIds: [],
        key,
        latest: a,
        metrics: [],
        provider: a.provider,
        severity: a.severity,
        status: 'resolved',
        subject: a.subject,
        total: 0,
      };
      groups.set(key, g);
    }
    g.total++;
    g.latest = a;
    if (a.severity === 'critical') g.severity = 'critical';
    if (!g.metrics.includes(a.metric)) g.metrics.push(a.metric);
    if (a.status === 'firing') {
      g.firing++;
      g.firingIds.push(a.id);
      g.status = 'firing';
      g.acknowledged = a.ack !== undefined;
    }
  }
  const rank = (g: AlertGroup) => (g.status === 'firing' ? 0 : 2) + (g.severity === 'critical' ? 0 : 1);
  return [...groups.values()].sort(
    (a, b) => rank(a) - rank(b) || b.latest.l - a.latest.l || byId(a.latest.id, b.latest.id),
  );
}
