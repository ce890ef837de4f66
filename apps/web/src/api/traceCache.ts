import type { QueryClient } from '@tanstack/react-query';
import type { Entry } from '@xdv/core';
import { get } from './client';
import { qk } from './keys';
import type { TracePage } from './types';

// The trace tab's newest page lives in the query cache and grows from the event stream: entries are
// immutable, so a page once read never needs reading again, and the open tab downloads only the
// stream (issue 15 §5: it used to refetch the whole 200-entry page several times a second).

// 50 entries: a screenful and more. A page is heavier than its count suggests: a provider's signed
// report carries its ML-DSA signature (~5 KB of hex that does not compress), so 100 entries of a
// demo fleet were 670 KB of JSON and 88 KB on the wire. Older ones are a click away.
export const TRACE_PAGE = 50;
/** How many entries the live tail keeps (the oldest fall off as new ones arrive). */
export const TAIL_KEEP = 500;
// Keys: qk.traceTail() is the unfiltered newest page, appended to live (filtered and older pages
// are fixed reads); qk.liveTail() holds the stream's most recent entries (see live.ts), merged into
// a tail page that raced them.

/** Append one streamed entry to the cached tail page (no-op when none is cached or it already has it). */
export function appendToTail(qc: QueryClient, e: Entry): void {
  qc.setQueryData<TracePage>(qk.traceTail(), (p) => (p ? merge(p, [e]) : p));
}

/** Entries newer than what the page read, in seq order, appended; the head follows the newest. */
export function merge(p: TracePage, entries: readonly Entry[]): TracePage {
  const newer = entries.filter((e) => e.seq > p.head.seq && e.seq > (p.items.at(-1)?.seq ?? 0));
  if (newer.length === 0) return p;
  const last = newer.at(-1)!;
  return {
    ...p,
    items: [...p.items, ...newer].slice(-TAIL_KEEP),
    head: { seq: last.seq, hash: last.hash, l: last.l },
  };
}

/**
 * Read the newest page once; stream entries that arrived while it was in flight are merged in.
 * `before` past any seq asks for the newest entries directly, so the page need not wait for the
 * head from the overview first (one round trip less on a cold load).
 */
export async function fetchTail(qc: QueryClient, signal: AbortSignal): Promise<TracePage> {
  const page = await get<TracePage>(
    `/v1/trace?before=${Number.MAX_SAFE_INTEGER}&limit=${TRACE_PAGE}`,
    signal,
  );
  return merge(page, qc.getQueryData<Entry[]>(qk.liveTail()) ?? []);
}
