import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type Entry, renderMessage, type Vhm } from '@xdv/core';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { type ActionRequest, ApiError, commit, type DryRun, dryRun, type Mutation } from '../api/client';
import { useClock } from '../api/clock';
import { qk, STABLE_ROOTS } from '../api/keys';
import type { Gate } from '../lib/caps';
import { effectLine, requestSubjects, touches } from '../lib/effects';
import { Dialog } from './Dialog';
import { AtL } from './time';
import { ErrorBox, fmt, Loading, Qty } from './ui';

// A guarded action: disabled (saying why) without a capability; otherwise a dialog that first shows
// the API's dry run (entries, capacity and budget effect, invariants) and commits only on confirm.
// Destructive actions also ask for the VHM's name to be typed. Cancel sends nothing.

export interface GuardedActionProps {
  label: string;
  gate: Pick<Gate, 'allowed' | 'reason'>;
  /** The request to preview and commit; null while the form is incomplete. */
  request: () => ActionRequest | null;
  /** Fields shown before the preview (a form); without them the preview runs on open. */
  fields?: ReactNode;
  /** Destructive: the user types this name to confirm. */
  confirmName?: string;
  title?: string;
  tone?: 'danger' | 'primary' | 'plain';
  small?: boolean;
  onDone?: (m: Mutation) => void;
  onOpen?: () => void;
}

export function GuardedAction(props: GuardedActionProps) {
  const { label, gate, small } = props;
  const [open, setOpen] = useState(false);
  const reasonId = `why-${label.replace(/\W+/g, '-')}-${Math.abs(hash(gate.reason ?? ''))}`;
  return (
    <span className="action">
      <button
        type="button"
        className={`${props.tone ?? (props.confirmName ? 'danger' : 'plain')} ${small ? 'small' : ''}`}
        disabled={!gate.allowed}
        aria-describedby={gate.allowed ? undefined : reasonId}
        title={gate.allowed ? undefined : (gate.reason ?? undefined)}
        onClick={() => {
          props.onOpen?.();
          setOpen(true);
        }}
      >
        {label}
      </button>
      {!gate.allowed && gate.reason ? (
        <span id={reasonId} className={gate.reason.startsWith('Missing right') ? 'why' : 'sr-only'}>
          {gate.reason}
        </span>
      ) : null}
      {open ? <ActionDialog {...props} onClose={() => setOpen(false)} /> : null}
    </span>
  );
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

/** A fresh idempotency key: one per previewed request, reused if the same confirm is retried. */
function newKey(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}

/** The labels of a form's fields that are empty or invalid, for "Missing: Name, Peer VHM". */
function missingFields(form: HTMLFormElement): string[] {
  const out: string[] = [];
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select, textarea')) {
    if (el.disabled || el.checkValidity()) continue;
    const label =
      el.closest('label')?.querySelector('span')?.textContent ?? el.getAttribute('aria-label') ?? el.name;
    if (label) out.push(label.trim());
  }
  return out;
}

function ActionDialog(props: GuardedActionProps & { onClose: () => void }) {
  const qc = useQueryClient();
  // From the cache only: the dialog sends nothing but its dry run and commit.
  const clock = useClock(false);
  const [stage, setStage] = useState<'form' | 'preview'>(props.fields ? 'form' : 'preview');
  const [req, setReq] = useState<ActionRequest | null>(props.fields ? null : props.request());
  const [missing, setMissing] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [preview, setPreview] = useState<{ data?: DryRun; error?: unknown; loading: boolean; key: string }>({
    loading: false,
    key: '',
  });
  // Bumped to re-run the preview: an entry touching its subjects arrived, or a commit found it stale.
  const [round, setRound] = useState(0);
  const [staleNote, setStaleNote] = useState(false);
  const previewRef = useRef<HTMLDivElement>(null);
  const subjects = useMemo(() => (req ? requestSubjects(req.path, req.body) : new Set<string>()), [req]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: round re-runs the same request
  useEffect(() => {
    if (stage !== 'preview' || !req) return;
    let live = true;
    setPreview((p) => ({ ...p, loading: true }));
    dryRun(req).then(
      (data) => live && setPreview({ data, loading: false, key: newKey() }),
      (error: unknown) => live && setPreview({ error, loading: false, key: '' }),
    );
    return () => {
      live = false;
    };
  }, [stage, req, round]);
  // The live stream appends every entry to the tail; one that touches this preview re-runs it.
  const previewedSeq = preview.data?.entries[0]?.seq;
  useEffect(() => {
    if (stage !== 'preview' || previewedSeq === undefined) return;
    return qc.getQueryCache().subscribe((ev) => {
      if (ev.query.queryKey[0] !== qk.liveTail()[0] || ev.type !== 'updated') return;
      const tail = ev.query.state.data as Entry[] | undefined;
      const last = tail?.at(-1);
      if (last && last.seq >= previewedSeq && touches(last, subjects)) setRound((r) => r + 1);
    });
  }, [qc, stage, previewedSeq, subjects]);
  // Focus stays in the dialog when the form gives way to the preview (Esc and Tab keep working).
  useEffect(() => {
    if (stage === 'preview') previewRef.current?.focus();
  }, [stage]);
  const m = useMutation({
    mutationFn: (r: ActionRequest) => commit(r, { etag: preview.data?.etag ?? null, key: preview.key }),
    onSuccess: (res) => {
      void qc.invalidateQueries({ predicate: (q) => !STABLE_ROOTS.has(String(q.queryKey[0])) });
      props.onDone?.(res);
    },
    onError: (e) => {
      // Stale: nothing was committed; show the present and let the user confirm again.
      if (e instanceof ApiError && e.code === 'HV_PRECONDITION_FAILED') {
        setStaleNote(true);
        m.reset();
        setRound((r) => r + 1);
      }
    },
  });
  const nameOk = !props.confirmName || typed === props.confirmName;
  const canCommit =
    stage === 'preview' &&
    req !== null &&
    !preview.loading &&
    preview.data?.wouldBe === 'accepted' &&
    nameOk &&
    !m.isPending;
  const asOf = preview.data?.entries[0]?.l ?? clock.live;
  return (
    <Dialog title={props.title ?? props.label} onClose={props.onClose} wide>
      {stage === 'form' ? (
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const gaps = missingFields(e.currentTarget);
            const r = gaps.length ? null : props.request();
            if (!r) {
              setMissing(
                gaps.length
                  ? `Missing: ${gaps.join(', ')}.`
                  : 'Some required value is missing or invalid: complete the form to preview.',
              );
              return;
            }
            setMissing(null);
            setReq(r);
            setStage('preview');
          }}
        >
          {props.fields}
          {missing ? (
            <p className="state error" role="alert">
              {missing}
            </p>
          ) : null}
          <div className="dialog-foot">
            <button type="button" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Preview impact
            </button>
          </div>
        </form>
      ) : m.isSuccess ? (
        <div>
          <p className="state ok" role="status">
            Accepted at seq {m.data.seq}, <AtL l={m.data.l} now={clock.live} tickMs={clock.tickMs} />
            {Object.keys(m.data.created).length
              ? ` — created ${Object.entries(m.data.created)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}`
              : ''}
            .
          </p>
          <div className="dialog-foot">
            <button type="button" className="primary" onClick={props.onClose}>
              Close
            </button>
          </div>
        </div>
      ) : (
        <div ref={previewRef} tabIndex={-1} className="preview-stage">
          {req ? (
            <p className="muted small">
              <code>
                {req.method} {req.path}
              </code>
              {preview.data && asOf !== undefined ? (
                <>
                  {' '}
                  · <span className="as-of">as of L {fmt(asOf)}</span>
                </>
              ) : null}
            </p>
          ) : null}
          {staleNote ? (
            <p className="state empty" role="status">
              The state changed since the preview, so nothing was committed. The preview below is current:
              review it and confirm again.
            </p>
          ) : null}
          {preview.loading && !preview.data ? <Loading what="Previewing (dry run)" /> : null}
          {preview.error ? <ErrorBox error={preview.error} title="Preview failed" /> : null}
          {preview.data ? <PreviewView p={preview.data} /> : null}
          {props.confirmName && preview.data?.wouldBe === 'accepted' ? (
            <label className="confirm-name">
              <span>
                This cannot be undone. Type <strong>{props.confirmName}</strong> to confirm.
              </span>
              <input
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                aria-label={`Type ${props.confirmName} to confirm`}
              />
            </label>
          ) : null}
          {m.error && !(m.error instanceof ApiError && m.error.code === 'HV_PRECONDITION_FAILED') ? (
            <ErrorBox error={m.error} title="The action was refused" />
          ) : null}
          <div className="dialog-foot">
            {props.fields ? (
              <button type="button" onClick={() => setStage('form')}>
                Back
              </button>
            ) : null}
            <button type="button" onClick={props.onClose}>
              Cancel
            </button>
            <button
              type="button"
              className={props.confirmName ? 'danger' : 'primary'}
              disabled={!canCommit}
              onClick={() => req && m.mutate(req)}
            >
              {m.isPending ? 'Working…' : `Confirm: ${props.label}`}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

export function PreviewView({ p }: { p: DryRun }) {
  // Read from the cache only: a preview sends nothing it does not have to.
  const clock = useClock(false);
  const qc = useQueryClient();
  const vhms = qc.getQueryData<Vhm[]>(qk.vhms());
  const vhmName = (id: string) => vhms?.find((v) => v.id === id)?.name;
  return (
    <section className="preview" aria-label="Impact preview">
      {p.wouldBe === 'accepted' ? (
        <p className="state ok">Dry run: the core would accept this.</p>
      ) : (
        <div className="state error" role="alert">
          <strong>Dry run: the core would refuse this.</strong> <code className="code">{p.error?.code}</code>{' '}
          <span className="detail">{p.error ? renderMessage(p.error.code, p.error.params) : null}</span>
        </div>
      )}
      <h3>Trace entries ({p.entries.length})</h3>
      <ol className="entries">
        {p.entries.map((e) => (
          <li key={e.seq} className={e.outcome === 'effect' ? 'effect' : undefined}>
            {effectLine(e, vhmName)} <code className="muted small">{e.type}</code>{' '}
            <span className="muted">
              <AtL l={e.l} now={clock.now} tickMs={clock.tickMs} compact />
            </span>{' '}
            <span className={`outcome ${e.outcome}`}>{e.outcome}</span>
          </li>
        ))}
      </ol>
      <ResourceTable
        title="Provider capacity"
        owner="Provider"
        change="Allocated before → after"
        limit="Capacity"
        rows={p.capacity.map((c) => ({ ...c, owner: c.provider, limit: c.capacity }))}
      />
      {p.budgets.length > 0 ? (
        <>
          <h3>Decoherence budgets</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">Remaining before → after</th>
                <th scope="col">Budget</th>
              </tr>
            </thead>
            <tbody>
              {p.budgets.map((b) => (
                <tr key={b.contract}>
                  <td>{b.contract}</td>
                  <td className="num">
                    {fmt(b.before)} → {fmt(b.after)}
                  </td>
                  <td className="num">{fmt(b.budget)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <ResourceTable
        title="Quota"
        owner="VHM"
        change="Used before → after"
        limit="Quota"
        rows={p.quota.map((q) => ({ ...q, owner: q.vhm, limit: q.quota }))}
      />
      <p className={p.invariants.violations.length ? 'state error' : 'muted'}>
        Invariants: {p.invariants.checked} checked,{' '}
        {p.invariants.violations.length === 0
          ? 'all hold afterwards.'
          : `${p.invariants.violations.length} violated: ${p.invariants.violations.map((v) => v.invariant).join(', ')}`}
      </p>
    </section>
  );
}

export { ApiError };

/** A preview's resource changes per owner (a provider's capacity, a VHM's quota): before → after of a limit. */
function ResourceTable({
  title,
  owner,
  change,
  limit,
  rows,
}: {
  title: string;
  owner: string;
  change: string;
  limit: string;
  rows: Array<{ owner: string; resource: string; before: number; after: number; limit: number }>;
}) {
  if (rows.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">{owner}</th>
            <th scope="col">Resource</th>
            <th scope="col">{change}</th>
            <th scope="col">{limit}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.owner}-${r.resource}`}>
              <td>{r.owner}</td>
              <td>{r.resource}</td>
              <td className="num">
                <Qty resource={r.resource} n={r.before} /> → <Qty resource={r.resource} n={r.after} />
              </td>
              <td className="num">
                <Qty resource={r.resource} n={r.limit} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
