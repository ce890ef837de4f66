import { requireOperator } from '../engine/access.js';
import { type Ctx, emit } from '../engine/context.js';
import { text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import type { Alert, State } from '../model/state.js';

// The alert lifecycle (issue 15 §1). An alert fires when a report crosses a threshold
// (transitions/providers), resolves when a later report of the same provider has that metric of
// that subject back in range (here, folded from the report entry: no entry of its own, so traces
// written before the lifecycle existed replay unchanged), and may be acknowledged by an operator
// with a note (a command, so who acknowledged what is in the trace).

export function acknowledgeAlert(ctx: Ctx, cmd: CommandOf<'alert.acknowledge'>): void {
  requireOperator(ctx, 'acknowledge_alerts');
  const id = text('alert', cmd.alert, 64);
  const note = text('note', cmd.note, 500);
  const a = Object.hasOwn(ctx.state.alerts, id) ? ctx.state.alerts[id] : undefined;
  if (!a) reject('HV_NOT_FOUND', { id, kind: 'alert' });
  if (a.ack) reject('HV_CONFLICT', { alert: id, l: a.ack.l, reason: 'alert_acknowledged' });
  a.ack = { l: ctx.state.l, note };
  emit(ctx, { payload: { alert: id, note }, type: 'alert.acknowledged' });
}

/** Whether `value` of `metric` is within the threshold the alert was raised against. */
export function inRange(a: Pick<Alert, 'metric' | 'threshold'>, value: number): boolean {
  // Maxima (readout error, noise, drift) breach above; minima (T1, T2, fidelity, stability) below.
  return a.metric === 'readoutError' || a.metric === 'noise' || a.metric === 'drift'
    ? value <= a.threshold
    : value >= a.threshold;
}

/**
 * Resolve the provider's firing alerts whose subject this report measured back in range.
 * `values(subject, metric)` is the reported value, or undefined when the report did not cover it.
 */
export function resolveAlerts(
  state: State,
  provider: string,
  values: (subject: string, metric: string) => number | undefined,
): void {
  for (const id in state.alerts) {
    const a = state.alerts[id]!;
    if (a.provider !== provider || a.resolvedL !== undefined) continue;
    const v = values(a.subject, a.metric);
    if (v !== undefined && inRange(a, v)) a.resolvedL = state.l;
  }
}
