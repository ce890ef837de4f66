import { type AlertGroup, type AttentionItem, alertGroups, attentionOf } from '@xdv/core';
import { get } from './client';
import { useSource } from './data';
import { qk } from './keys';

// Triage data (issue 15 §1): the server's attention list and alert groups live, and the same core
// projections over the replayed state at ?at=L, so the past reads exactly as it was.

export interface AttentionView {
  l: number;
  items: AttentionItem[];
}

export const fetchAttention = (sig: AbortSignal) => get<AttentionView>('/v1/attention', sig);
export const useAttention = () =>
  useSource<AttentionView>(qk.attention(), fetchAttention, (s) => ({ l: s.l, items: attentionOf(s) }));

export const fetchAlertGroups = async (sig: AbortSignal) =>
  (await get<{ items: AlertGroup[] }>('/v1/alerts/groups', sig)).items;
export const useAlertGroups = () =>
  useSource<AlertGroup[]>(qk.alertGroups(), fetchAlertGroups, (s) => alertGroups(s));

export function ackRequest(alert: string, note: string) {
  return {
    method: 'POST' as const,
    path: `/v1/alerts/${encodeURIComponent(alert)}/acknowledge`,
    body: { note },
  };
}
