import { useMutation, useQueryClient } from '@tanstack/react-query';
import { renderMessage } from '@xdv/core';
import { type ReactNode, useEffect, useState } from 'react';
import { type ActionRequest, ApiError, commit, type DryRun, dryRun, type Mutation } from '../api/client';
import { useClock } from '../api/clock';
import { STABLE_ROOTS } from '../api/keys';
import type { Gate } from '../lib/caps';
import { Dialog } from './Dialog';
import { AtL } from './time';
import { ErrorBox, fmt, Loading } from './ui';

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

function ActionDialog(props: GuardedActionProps & { onClose: () => void }) {
  const qc = useQueryClient();
  // From the cache only: the dialog sends nothing but its dry run and commit.
  const clock = useClock(false);
  const [stage, setStage] = useState<'form' | 'preview'>(props.fields ? 'form' : 'preview');
  const [req, setReq] = useState<ActionRequest | null>(props.fields ? null : props.request());
  const [typed, setTyped] = useState('');
  const [preview, setPreview] = useState<{ data?: DryRun; error?: unknown; loading: boolean }>({
    loading: false,
  });
  useEffect(() => {
    if (stage !== 'preview' || !req) return;
    let live = true;
    setPreview({ loading: true });
    dryRun(req).then(
      (data) => live && setPreview({ data, loading: false }),
      (error: unknown) => live && setPreview({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [stage, req]);
  const m = useMutation({
    mutationFn: (r: ActionRequest) => commit(r),
    onSuccess: (res) => {
      void qc.invalidateQueries({ predicate: (q) => !STABLE_ROOTS.has(String(q.queryKey[0])) });
      props.onDone?.(res);
    },
  });
  const nameOk = !props.confirmName || typed === props.confirmName;
  const canCommit =
    stage === 'preview' && req !== null && preview.data?.wouldBe === 'accepted' && nameOk && !m.isPending;
  return (
    <Dialog title={props.title ?? props.label} onClose={props.onClose} wide>
      {stage === 'form' ? (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            const r = props.request();
            if (r) {
              setReq(r);
              setStage('preview');
            }
          }}
        >
          {props.fields}
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
        <div>
          {req ? (
            <p className="muted small">
              <code>
                {req.method} {req.path}
              </code>
            </p>
          ) : null}
          {preview.loading ? <Loading what="Previewing (dry run)" /> : null}
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
          {m.error ? <ErrorBox error={m.error} title="The action was refused" /> : null}
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
          <li key={e.seq}>
            <code>{e.type}</code>{' '}
            <span className="muted">
              <AtL l={e.l} now={clock.now} tickMs={clock.tickMs} compact />
            </span>{' '}
            <span className={`outcome ${e.outcome}`}>{e.outcome}</span>
          </li>
        ))}
      </ol>
      {p.capacity.length > 0 ? (
        <>
          <h3>Provider capacity</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Resource</th>
                <th scope="col">Allocated before → after</th>
                <th scope="col">Capacity</th>
              </tr>
            </thead>
            <tbody>
              {p.capacity.map((c) => (
                <tr key={`${c.provider}-${c.resource}`}>
                  <td>{c.provider}</td>
                  <td>{c.resource}</td>
                  <td className="num">
                    {fmt(c.before)} → {fmt(c.after)}
                  </td>
                  <td className="num">{fmt(c.capacity)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
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
      {p.quota.length > 0 ? (
        <>
          <h3>Quota</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">VHM</th>
                <th scope="col">Resource</th>
                <th scope="col">Used before → after</th>
                <th scope="col">Quota</th>
              </tr>
            </thead>
            <tbody>
              {p.quota.map((q) => (
                <tr key={`${q.vhm}-${q.resource}`}>
                  <td>{q.vhm}</td>
                  <td>{q.resource}</td>
                  <td className="num">
                    {fmt(q.before)} → {fmt(q.after)}
                  </td>
                  <td className="num">{fmt(q.quota)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
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
