import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { type Entry, type ErrorParams, renderMessage } from '@xdv/core';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { ApiError, get } from '../api/client';
import { type Clock, useClock } from '../api/clock';
import { useMe, useOverview } from '../api/data';
import { qk } from '../api/keys';
import { fetchTail, TRACE_PAGE } from '../api/traceCache';
import type { TracePage } from '../api/types';
import { TraceHistory, TypeChips } from '../components/TraceHistory';
import { AtL, Est } from '../components/time';
import { Badge, Empty, ErrorBox, fmt, Loading, Section } from '../components/ui';
import { relative } from '../lib/clock';
import { checkSignedHead, type HeadCheck, type SignedHeadResponse } from '../lib/head';
import { Link, useAt, useNavigate, usePageSearch } from '../lib/router';
import { type Category, groupEntries, HIDEABLE, visibleGroups } from '../lib/traceGroups';
import { type ChainResult, checkEntry, verifyOwnEntries, verifyWholeChain } from '../lib/verify';

export default function Trace() {
  const me = useMe();
  const o = useOverview();
  const at = useAt();
  const clock = useClock();
  const qc = useQueryClient();
  const search = usePageSearch();
  const navigate = useNavigate();
  const operator = me.data?.token.kind === 'operator';
  const [type, setType] = useState('');
  const [vhm, setVhm] = useState('');
  // The selected entry and the hidden kinds live in the URL, so a link reopens the same view.
  const selected = search.seq ?? null;
  const hidden = useMemo(() => hiddenFrom(search.hide), [search.hide]);
  const [after, setAfter] = useState<number | null>(() =>
    search.seq !== undefined ? Math.max(0, search.seq - 1) : null,
  );
  const filtered = type !== '' || vhm !== '';
  // The unfiltered newest page is read once and then grows from the event stream (traceCache.ts);
  // filtered pages read from the start (or the chosen point), older pages are fixed reads.
  const tail = useQuery({
    queryKey: qk.traceTail(),
    queryFn: ({ signal }) => fetchTail(qc, signal),
    enabled: after === null && !filtered,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const from = after ?? 0;
  const fixed = useQuery({
    queryKey: qk.traceList(from, type, vhm),
    queryFn: ({ signal }) =>
      get<TracePage>(
        `/v1/trace?after=${from}&limit=${TRACE_PAGE}${type ? `&type=${encodeURIComponent(type)}` : ''}${vhm ? `&vhm=${encodeURIComponent(vhm)}` : ''}`,
        signal,
      ),
    enabled: o.data !== undefined && (after !== null || filtered),
    staleTime: Number.POSITIVE_INFINITY,
    placeholderData: (prev) => prev,
  });
  const tailMode = after === null && !filtered;
  const q = tailMode ? tail : fixed;
  // The newest page is shown as it was when it was read (or last brought up to date by the reader):
  // entries that stream in later wait behind a "Show n newer" button instead of pushing the rows
  // the reader is looking at down the page.
  const [shown, setShown] = useState<TracePage | undefined>(undefined);
  if (tailMode && shown === undefined && tail.data !== undefined) setShown(tail.data);
  if (!tailMode && shown !== undefined) setShown(undefined);
  const data = tailMode ? (shown ?? tail.data) : fixed.data;
  const newer = useMemo(
    () => (tailMode && at === null && shown && tail.data ? newerGroups(shown, tail.data, hidden) : null),
    [tailMode, at, shown, tail.data, hidden],
  );
  const items = useMemo(() => (data?.items ?? []).filter((e) => at === null || e.l <= at), [data, at]);
  const first = data?.items[0]?.seq ?? 0;
  const sel = items.find((e) => e.seq === selected) ?? null;
  const setSearch = (patch: { seq?: number; hide?: string }) =>
    void navigate({ to: '/trace', search: (prev) => ({ ...prev, ...patch }), replace: true });
  return (
    <div className="page">
      <h1>Trace</h1>
      <ChainVerify operator={operator} />
      <Section title="Entries">
        <search className="filters" aria-label="Filter trace entries">
          <label>
            <span>Type</span>
            <input
              value={type}
              onChange={(e) => {
                setType(e.target.value.trim());
                setAfter(null);
              }}
              placeholder="e.g. binding.activated"
              list="entry-types"
            />
          </label>
          <datalist id="entry-types">
            {[
              'vhm.created',
              'cap.derived',
              'cap.revoked',
              'contract.issued',
              'binding.activated',
              'binding.released',
              'q.job.executed',
              'sched.decision',
              'fault.escalated',
              'alert.raised',
              'alert.acknowledged',
              'q.metrics.reported',
              'phi.stability.reported',
            ].map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <label>
            <span>VHM</span>
            <input
              value={vhm}
              onChange={(e) => {
                setVhm(e.target.value.trim());
                setAfter(null);
              }}
              placeholder="vhm-1"
            />
          </label>
          <div className="pager">
            <button
              type="button"
              onClick={() => setAfter(Math.max(0, first - 1 - TRACE_PAGE))}
              disabled={first <= 1}
            >
              ◀ Older
            </button>
            <button
              type="button"
              onClick={() => setAfter(data?.nextAfter ?? from)}
              disabled={after === null || !data?.nextAfter}
            >
              Newer ▶
            </button>
            <button type="button" onClick={() => setAfter(null)} disabled={after === null}>
              Latest
            </button>
          </div>
        </search>
        <TypeChips
          hidden={hidden}
          onChange={(next) => setSearch({ hide: [...next].sort().join(',') || undefined })}
        />
        <p className="muted small">
          Each row is a command and the effects it caused (▸ shows them); select a seq to see its payload,
          canonical text and hashes.
        </p>
        {at !== null ? (
          <p className="muted small">
            Showing entries up to L {at}
            <Est text={relative(at, clock.live, clock.tickMs)} /> only.
          </p>
        ) : null}
        {newer ? <NewerBar newer={newer} onShow={() => setShown(tail.data)} /> : null}
        {q.error ? (
          <ErrorBox error={q.error} />
        ) : q.isPending ? (
          <Loading what="Reading the trace" />
        ) : items.length === 0 ? (
          <Empty>No entries match.</Empty>
        ) : (
          <div className={sel ? 'split trace-split' : undefined}>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
            <section className="table-scroll" tabIndex={0} aria-label="Scrollable table">
              <TraceHistory
                items={items}
                hidden={hidden}
                selected={selected}
                onSelect={(seq) => setSearch({ seq })}
                clock={clock}
              />
            </section>
            {sel ? <EntryDetail e={sel} clock={clock} /> : null}
          </div>
        )}
      </Section>
    </div>
  );
}

/** What the live tail holds beyond the page on screen: its visible groups, and whether more fell off. */
interface Newer {
  groups: number;
  /** The tail dropped entries between the page on screen and what it still holds (TAIL_KEEP). */
  gap: boolean;
}

export function newerGroups(shown: TracePage, live: TracePage, hidden: ReadonlySet<Category>): Newer {
  const since = shown.head.seq;
  const entries = live.items.filter((e) => e.seq > since);
  const gap = live.head.seq > since && (live.items[0]?.seq ?? 0) > since + 1;
  return { groups: visibleGroups(groupEntries(entries), hidden).length, gap };
}

/**
 * The one line above the rows that offers newer entries. It is always there, one line tall,
 * so that what it says can change without moving the rows below it.
 */
export function NewerBar({ newer, onShow }: { newer: Newer; onShow: () => void }) {
  const n = newer.groups;
  const waiting = newer.gap || n > 0;
  return (
    <div className="newer-bar">
      {/* Said once when entries start to wait, not at every tick: the text does not carry the count. */}
      <span className="sr-only" role="status">
        {waiting ? 'Newer entries are waiting; the button above the rows shows them.' : ''}
      </span>
      {newer.gap ? (
        // More arrived than the live tail keeps: a count would be wrong, and the rows on screen
        // are no longer adjacent to what it holds.
        <button type="button" className="small" onClick={onShow}>
          ▲ Jump to the newest entries
        </button>
      ) : n > 0 ? (
        <button type="button" className="small" onClick={onShow}>
          ▲ Show {fmt(n)} newer {n === 1 ? 'entry' : 'entries'}
        </button>
      ) : (
        <span className="muted small">Up to date: newer entries are offered here.</span>
      )}
    </div>
  );
}

function hiddenFrom(v: string | undefined): Set<Category> {
  const known = new Set<string>(HIDEABLE.map((h) => h.category));
  return new Set((v ?? '').split(',').filter((c): c is Category => known.has(c)));
}

const UNKNOWN_CLOCK: Clock = { tickMs: undefined, now: undefined, live: undefined, notLive: false };

export function EntryDetail({ e, clock = UNKNOWN_CLOCK }: { e: Entry | null; clock?: Clock }) {
  if (!e)
    return (
      <aside className="detail-pane muted">
        Select an entry to see its payload, canonical text and hashes.
      </aside>
    );
  const bad = checkEntry(e);
  return (
    <aside className="detail-pane" aria-label={`Entry ${e.seq}`}>
      <h3>
        Entry {e.seq} <code>{e.type}</code>
      </h3>
      <dl className="kv">
        <dt>L</dt>
        <dd>
          <AtL l={e.l} now={clock.now} tickMs={clock.tickMs} bare /> ·{' '}
          <Link to="/replay" search={{ at: e.l }}>
            state at this L
          </Link>
        </dd>
        <dt>Outcome</dt>
        <dd>
          {e.outcome}
          {e.outcome === 'rejected' && typeof e.payload.code === 'string' ? (
            <>
              {' '}
              <code className="code">{e.payload.code}</code>{' '}
              <span className="detail">{rejectionText(e)}</span>
            </>
          ) : null}
        </dd>
        <dt>Tenant · VHM</dt>
        <dd>
          {e.tenant ?? '—'} · {e.vhm ?? '—'}
        </dd>
        <dt>Capability · contract</dt>
        <dd>
          {e.capability ?? '—'} · {e.contract ?? '—'}
        </dd>
        <dt>Prev</dt>
        <dd>
          <code className="hash">{e.prev}</code>
        </dd>
        <dt>Hash</dt>
        <dd>
          <code className="hash">{e.hash}</code>{' '}
          {bad ? <Badge tone="bad">{bad}</Badge> : <Badge tone="ok">SHA-256(text) = hash</Badge>}
        </dd>
      </dl>
      <h4 id={`payload-${e.seq}`}>Payload</h4>
      <CodeBlock labelledBy={`payload-${e.seq}`}>{JSON.stringify(e.payload, null, 2)}</CodeBlock>
      <h4 id={`text-${e.seq}`}>Canonical text (hashed)</h4>
      <CodeBlock labelledBy={`text-${e.seq}`} wrap>
        {e.text}
      </CodeBlock>
    </aside>
  );
}

function ChainVerify({ operator }: { operator: boolean }) {
  const [state, setState] = useState<{
    running: boolean;
    progress: number;
    result?: ChainResult;
    error?: unknown;
  }>({
    running: false,
    progress: 0,
  });
  const server = useQuery({
    queryKey: qk.serverVerify(),
    queryFn: ({ signal }) =>
      get<{ ok: boolean; entries: number; mismatch: { seq: number; reason: string } | null }>(
        '/v1/trace/verify',
        signal,
      ),
    enabled: operator,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const run = async () => {
    setState({ running: true, progress: 0 });
    try {
      const fn = operator ? verifyWholeChain : verifyOwnEntries;
      const result = await fn((n) => setState((s) => ({ ...s, progress: n })));
      setState({ running: false, progress: result.entries, result });
    } catch (error) {
      setState({ running: false, progress: 0, error });
    }
  };
  const r = state.result;
  return (
    <Section title="Hash-chain verification">
      <p>
        {operator
          ? 'Verify the whole chain here in the browser with @xdv/core: every entry’s SHA-256 over its stored canonical text, seq continuity and every previous-hash link from genesis.'
          : 'Your token receives only your tenant’s entries, so the browser checks each entry’s SHA-256 against its stored canonical text. Full-chain verification (links across every tenant’s entries) is an operator view.'}
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void run()} disabled={state.running}>
          {state.running
            ? `Verifying… ${fmt(state.progress)} entries`
            : operator
              ? 'Verify chain in browser'
              : 'Verify my entries in browser'}
        </button>
        {operator ? (
          <span className="server-check">
            Server check:{' '}
            {server.isPending ? (
              '…'
            ) : server.error ? (
              <ErrorBox error={server.error} />
            ) : server.data?.ok ? (
              <Badge tone="ok">verified {fmt(server.data.entries)} entries</Badge>
            ) : (
              <Badge tone="bad">mismatch at seq {server.data?.mismatch?.seq}</Badge>
            )}
          </span>
        ) : null}
      </div>
      {operator ? <SignedHead /> : null}
      <div role="status" aria-live="polite">
        {state.error ? <ErrorBox error={state.error} /> : null}
        {r ? (
          r.ok ? (
            <p className="state ok">
              Browser: {r.mode === 'chain' ? 'chain verified' : 'every entry verified'} — {fmt(r.entries)}{' '}
              entries
              {r.head ? (
                <>
                  , head <code className="hash">{r.head}</code>
                </>
              ) : null}
              .
            </p>
          ) : (
            <p className="state error">
              Browser: verification FAILED at seq {r.mismatch?.seq}: {r.mismatch?.reason} ({fmt(r.entries)}{' '}
              entries verified before it).
            </p>
          )
        ) : null}
      </div>
    </Section>
  );
}

const short = (fp: string) => `${fp.slice(0, 16)}…`;

/**
 * The server's newest signed head (operator), verified here: the ML-DSA-65 signature against its
 * public key, the key's fingerprint against `key`, and the head against the newest one this
 * browser verified for this server before (an older seq: a rollback; the same seq, another hash: a fork).
 */
export function SignedHead({ origin = window.location.origin }: { origin?: string }) {
  const head = useQuery({
    queryKey: qk.traceHead(),
    queryFn: ({ signal }) => get<SignedHeadResponse>('/v1/trace/head', signal),
  });
  const [check, setCheck] = useState<HeadCheck | { status: 'error'; error: unknown } | null>(null);
  useEffect(() => {
    if (!head.data) return;
    let live = true;
    setCheck(null);
    checkSignedHead(head.data, origin).then(
      (c) => live && setCheck(c),
      (error: unknown) => live && setCheck({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [head.data, origin]);
  let body: ReactNode;
  if (head.error)
    body =
      head.error instanceof ApiError && head.error.status === 404 ? (
        <p className="muted">Signed head: no trace head has been signed yet.</p>
      ) : (
        <ErrorBox error={head.error} title="Reading the signed head failed" />
      );
  else if (head.isPending || !check) body = <p className="muted">Signed head: verifying…</p>;
  else if (check.status === 'error')
    body = <ErrorBox error={check.error} title="Verifying the signed head failed" />;
  else if (check.status === 'invalid')
    body = (
      <div className="state error" role="alert">
        Signed head seq {check.head.seq} does NOT verify: {check.reason}. Do not trust this server’s trace
        head.
      </div>
    );
  else {
    const { head: h, comparison: c } = check;
    const verified = (
      <p className="state ok">
        Signed head seq {h.seq} verified (key <code title={h.key}>{short(h.key)}</code>)
        {head.data && !head.data.trusted ? ' — the server does not list this key as trusted' : ''}.
      </p>
    );
    body =
      c.kind === 'older' ? (
        <>
          {verified}
          <div className="state error" role="alert">
            The server presents an older signed head (seq {h.seq} &lt; seq {c.before.seq} you saw before):
            possible rollback.
          </div>
        </>
      ) : c.kind === 'conflict' ? (
        <>
          {verified}
          <div className="state error" role="alert">
            Conflicting signed head: seq {h.seq} has hash <code className="hash">{h.hash}</code> but hash{' '}
            <code className="hash">{c.before.hash}</code> when you saw it before (key {short(c.before.key)}):
            the server’s history forked.
          </div>
        </>
      ) : (
        verified
      );
  }
  return <div className="signed-head">{body}</div>;
}

/** A scrollable block of code: it takes focus so that a keyboard can scroll it. */
function CodeBlock({
  labelledBy,
  wrap = false,
  children,
}: {
  labelledBy: string;
  wrap?: boolean;
  children: string;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="json" tabIndex={0} aria-labelledby={labelledBy}>
      <pre className={wrap ? 'wrap' : undefined}>{children}</pre>
    </section>
  );
}

/** The text of a rejected entry: rendered here from its recorded code and params (the trace holds no prose). */
function rejectionText(e: Entry): string {
  const p = e.payload.params;
  const params = typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as ErrorParams) : {};
  return renderMessage(String(e.payload.code), params);
}

export const route = createLazyRoute('/trace')({ component: Trace });
