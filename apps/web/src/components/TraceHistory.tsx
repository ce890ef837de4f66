import { useRouter } from '@tanstack/react-router';
import type { Entry } from '@xdv/core';
import { Fragment, type ReactNode, startTransition, useEffect, useMemo, useState } from 'react';
import { useStepped } from '../lib/stepped';
import { checkEntry, inSlices } from '../lib/verify';
import '../history.css';
import type { Clock } from '../api/clock';
import {
  actorOf,
  type Category,
  codeOf,
  type EntryGroup,
  groupEntries,
  HIDEABLE,
  summarize,
  visibleGroups,
} from '../lib/traceGroups';
import { AtL } from './time';
import { Badge, Empty } from './ui';

// The trace as an event history: one row per command with its actor, outcome, refusal code and a
// one-line summary; its effects expand beneath it. Chips hide telemetry; each row links to the
// state replayed at its L.

export function TypeChips({
  hidden,
  onChange,
}: {
  hidden: ReadonlySet<Category>;
  onChange: (next: Set<Category>) => void;
}) {
  return (
    <fieldset className="chips">
      <legend className="sr-only">Show entry kinds</legend>
      {HIDEABLE.map(({ category, label }) => {
        const shown = !hidden.has(category);
        return (
          <button
            key={category}
            type="button"
            className={`chip ${shown ? 'on' : 'off'}`}
            aria-pressed={shown}
            onClick={() => {
              const next = new Set(hidden);
              if (shown) next.add(category);
              else next.delete(category);
              onChange(next);
            }}
          >
            {shown ? '✓ ' : ''}
            {label}
          </button>
        );
      })}
    </fieldset>
  );
}

/** Groups drawn at first (and per "Show more"): a page of 200 entries is ~2,000 DOM nodes at once. */
export const GROUPS_SHOWN = 20;
/** Rows drawn in one commit; the rest follow in later tasks, below what is already drawn. */
const ROWS_PER_COMMIT = 10;

export function TraceHistory({
  items,
  hidden,
  selected,
  onSelect,
  clock,
}: {
  /** Entries in seq order. */
  items: readonly Entry[];
  hidden: ReadonlySet<Category>;
  selected: number | null;
  onSelect: (seq: number) => void;
  clock: Clock;
}) {
  const groups = useMemo(() => visibleGroups(groupEntries(items), hidden).reverse(), [items, hidden]);
  const [open, setOpen] = useState<ReadonlySet<number>>(() => new Set());
  const [shown, setShown] = useState(GROUPS_SHOWN);
  // The selected entry (from the URL) is always drawn, however far down the page it is.
  const selectedAt =
    selected === null
      ? -1
      : groups.findIndex((g) => g.seq === selected || g.effects.some((e) => e.seq === selected));
  const limit = Math.max(shown, selectedAt + 1);
  const more = groups.length - limit;
  const drawn = useStepped(Math.min(limit, groups.length), ROWS_PER_COMMIT, 0);
  if (groups.length === 0)
    return <Empty>Every entry here is of a hidden kind; show them with the chips above.</Empty>;
  const toggle = (seq: number) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(seq)) n.delete(seq);
      else n.add(seq);
      return n;
    });
  return (
    <>
      <table className="trace-table history">
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">L</th>
            <th scope="col">Type</th>
            <th scope="col">Actor</th>
            <th scope="col">Outcome</th>
            <th scope="col">Code</th>
            <th scope="col">VHM</th>
            <th scope="col">Summary</th>
            <th scope="col">
              <span className="sr-only">Effects and state</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.slice(0, drawn).map((g) => (
            <Fragment key={g.seq}>
              <GroupRow
                g={g}
                open={open.has(g.seq)}
                onToggle={() => toggle(g.seq)}
                selected={selected}
                onSelect={onSelect}
                clock={clock}
              />
              {open.has(g.seq)
                ? g.effects.map((e) => (
                    <tr key={e.seq} className={`effect-row ${e.seq === selected ? 'selected' : ''}`}>
                      <td className="num">
                        <SeqButton e={e} selected={selected} onSelect={onSelect} />
                      </td>
                      <td className="num">{e.l}</td>
                      <td>
                        <span aria-hidden="true">↳ </span>
                        <code>{e.type}</code>
                      </td>
                      <td />
                      <td>
                        <span className="outcome">effect</span>
                      </td>
                      <td />
                      <td>{e.vhm ? <RowLink href={vhmHref(e.vhm)}>{e.vhm}</RowLink> : null}</td>
                      <td className="summary">
                        {summarize({ ...g, command: null, effects: [e] }).replace('(continued) ', '')}
                      </td>
                      <td />
                    </tr>
                  ))
                : null}
            </Fragment>
          ))}
        </tbody>
      </table>
      {more > 0 && drawn >= limit ? (
        <p>
          <button type="button" onClick={() => setShown(limit + GROUPS_SHOWN)}>
            Show {Math.min(more, GROUPS_SHOWN)} more
          </button>{' '}
          <span className="muted small">{more} older on this page</span>
        </p>
      ) : null}
    </>
  );
}

function SeqButton({
  e,
  selected,
  onSelect,
}: {
  e: Entry;
  selected: number | null;
  onSelect: (s: number) => void;
}) {
  return (
    <button type="button" className="link" onClick={() => onSelect(e.seq)} aria-pressed={e.seq === selected}>
      {e.seq}
    </button>
  );
}

function GroupRow({
  g,
  open,
  onToggle,
  selected,
  onSelect,
  clock,
}: {
  g: EntryGroup;
  open: boolean;
  onToggle: () => void;
  selected: number | null;
  onSelect: (seq: number) => void;
  clock: Clock;
}) {
  const head = g.command ?? g.effects[0]!;
  const code = codeOf(g.command);
  return (
    <tr className={`group-row ${head.seq === selected ? 'selected' : ''}`}>
      <td className="num">
        <SeqButton e={head} selected={selected} onSelect={onSelect} />
      </td>
      <td className="num">
        <AtL l={g.l} now={clock.now} tickMs={clock.tickMs} compact bare />
      </td>
      <td>
        <code>{head.type}</code>
      </td>
      <td className="small">{actorOf(g.command)}</td>
      <td>
        <span className={`outcome ${head.outcome}`}>{g.command ? head.outcome : 'effect'}</span>
      </td>
      <td>{code ? <code className="code small">{code}</code> : <span className="muted">—</span>}</td>
      <td>{head.vhm ? <RowLink href={vhmHref(head.vhm)}>{head.vhm}</RowLink> : '—'}</td>
      <td className="summary">{summarize(g)}</td>
      <td className="row-actions">
        <HashMark e={head} />{' '}
        {g.effects.length > (g.command ? 0 : 1) ? (
          <button
            type="button"
            className="small"
            aria-expanded={open}
            aria-label={`${open ? 'Hide' : 'Show'} the ${g.effects.length} effects of entry ${head.seq}`}
            onClick={onToggle}
          >
            {open ? '▾' : '▸'} {g.effects.length}
          </button>
        ) : null}{' '}
        <RowLink href={`/replay?at=${g.l}`} title={`The state replayed at L ${g.l}`}>
          state at L {g.l}
        </RowLink>
      </td>
    </tr>
  );
}

const vhmHref = (id: string) => `/vhms/${encodeURIComponent(id)}`;

/**
 * A row's link: an anchor that navigates inside the console on a plain click (a modified click
 * opens a tab, as any link). A router <Link> in every row builds a location and subscribes to the
 * router's state, several times per row on a page of tens of rows.
 */
function RowLink({ href, title, children }: { href: string; title?: string; children: ReactNode }) {
  const router = useRouter();
  return (
    <a
      href={href}
      title={title}
      onClick={(ev) => {
        if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey)
          return;
        ev.preventDefault();
        void router.navigate({ href });
      }}
    >
      {children}
    </a>
  );
}

/** The entry's own hash check (SHA-256 of its stored text), computed in idle slices. */
function HashMark({ e }: { e: Entry }) {
  const [bad, setBad] = useState<string | null | undefined>(undefined);
  // The mark is rendered in a transition: React renders the marks of a slice in yielding chunks.
  useEffect(() => inSlices(() => startTransition(() => setBad(checkEntry(e)))), [e]);
  if (bad === undefined)
    return (
      <span className="muted" title="checking…" aria-hidden="true">
        …
      </span>
    );
  if (bad) return <Badge tone="bad">✗ {bad}</Badge>;
  return (
    <span className="text-ok" title={`SHA-256 of the text equals the hash ${e.hash.slice(0, 10)}…`}>
      ✓<span className="sr-only"> hash verified</span>
    </span>
  );
}
