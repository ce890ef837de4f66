import { checkCommandShape } from '../commands/validate.js';
import { checkTouched } from '../invariants/incremental.js';
import type { Actor, Command, CommandType } from '../model/commands.js';
import { type ErrorParams, Rejection, type RejectionCode } from '../model/errors.js';
import type { State } from '../model/state.js';
import { inCanonicalOrder, UNORDERABLE } from '../trace/canonical.js';
import type {
  AcceptedCommandPayload,
  ActorJson,
  CommandEntryPayload,
  RejectedCommandPayload,
} from '../trace/entries.js';
import { type Entry, type EntryDraft, sealEntry } from '../trace/entry.js';
import { type Hasher, nobleSha256 } from '../trace/hash.js';
import { type Ctx, newCtx } from './context.js';
import { dispatch, TRANSITIONS } from './dispatch.js';
import { type Created, type Touched, touchedBy } from './touched.js';

export interface StepOptions {
  hasher?: Hasher;
  /** Check the invariants local to what the command touched (O(1) in fleet size). Default true. */
  invariants?: boolean;
  /**
   * Report `touched` (every object the command changed, by table), for a read model that upserts
   * exactly those rows. Default false: it walks the entries and their references, a cost the
   * hot path does not pay unless asked.
   */
  touched?: boolean;
  /**
   * The command was read back with JSON.parse (replay): it is plain JSON by construction, so the
   * walk that refuses what canonical JSON cannot encode is skipped. Default false.
   */
  fromJson?: boolean;
}

export interface StepResult {
  entries: Entry[];
  /** The first id of each kind the command created, in creation order; empty when rejected. */
  created: Created;
  /** The ids of every object the command changed, by table; null unless `touched` was asked for. */
  touched: Touched | null;
  /**
   * Null when accepted. A rejection changed nothing but the trace; a refusal may have had effects.
   * Data only: the text a person reads is `renderMessage(code, params)`, at the edge.
   */
  error: { code: RejectionCode; params: ErrorParams } | null;
}

/** An invariant broke after a command: a bug in the core, never a user error. State must be reloaded. */
export class InvariantViolation extends Error {
  constructor(readonly violations: string[]) {
    super(`invariant violated: ${violations.join('; ')}`);
    this.name = 'InvariantViolation';
  }
}

/**
 * Apply one command to the state in place, returning the sealed trace entries it produced.
 * Transitions check everything before they change anything, so a rejection leaves the domain state
 * as it was; only the trace moves (its seq and head). This is the hot path; `apply` is its pure form.
 */
export function step(state: State, cmd: Command, opts: StepOptions = {}): StepResult {
  const hasher = opts.hasher ?? nobleSha256;
  // The command is recorded verbatim in the trace: one that canonical JSON cannot encode (NaN,
  // Infinity, a function…) could never be sealed. Refuse it before anything changes.
  // The same walk puts it in canonical key order for its entry (a copy only where out of order);
  // what that walk cannot order takes the slower walk that names what is wrong, and is sorted when
  // sealed.
  // A command read back with JSON.parse (replay) is plain JSON in the order its text had: no walk.
  let recorded = opts.fromJson ? cmd : (inCanonicalOrder(cmd) as Command | typeof UNORDERABLE);
  if (recorded === UNORDERABLE) {
    const bad = opts.fromJson ? null : nonJson(cmd, 'command');
    if (bad) throw new TypeError(`${bad}: a command must be plain JSON; nothing was applied.`);
    recorded = cmd;
  }
  // Logical time is not moved here: only the clock source's ticks move L (clock.advance), so no
  // principal's request, accepted or refused, shortens anyone's windows or calibrations.
  const ctx = newCtx(state, cmd.actor);
  let error: StepResult['error'] = null;
  const mark = ctx.drafts.length;
  let rejected = false;
  try {
    // Structure first, with the command's own compiled schema; what depends on state is the transitions'.
    checkCommandShape(cmd);
    const result = dispatch(ctx, cmd);
    if (result) error = { code: result.refused, params: result.params };
  } catch (e) {
    if (!(e instanceof Rejection)) throw e;
    ctx.drafts.length = mark;
    rejected = true;
    error = { code: e.code, params: e.params };
  }
  const head = commandDraft(ctx, recorded, error);
  const entries: Entry[] = [];
  let prev = state.head;
  let seq = state.seq;
  const drafts = ctx.drafts;
  for (let i = -1; i < drafts.length; i++) {
    seq += 1;
    const e = sealEntry(i < 0 ? head : drafts[i]!, seq, state.l, prev, hasher);
    entries.push(e);
    prev = e.hash;
  }
  state.seq = seq;
  state.head = prev;
  if (opts.invariants !== false) {
    const bad = checkTouched(state, ctx.touched);
    if (bad.length > 0) throw new InvariantViolation(bad);
  }
  // A rejection changed nothing of its own (what the clock's expiry did before it still counts).
  const touched = opts.touched ? touchedBy(state, ctx, rejected ? ctx.drafts : [head, ...ctx.drafts]) : null;
  return { entries, created: rejected ? {} : ctx.created, touched, error };
}

/** The first entry of every command's group: the command itself and its outcome. */
function commandDraft(ctx: Ctx, cmd: Command, error: StepResult['error']): EntryDraft {
  // The rest of an ordered command keeps its order: the payload is canonical as built.
  const { actor, ...body } = cmd;
  // Keys in canonical order, so only a command the step could not order needs sorting when sealed.
  // A rejection records its code and structured params, never prose: rewording a message must not
  // change a hash.
  const payload: CommandEntryPayload<CommandType> = error
    ? {
        actor: actorJson(actor),
        code: error.code,
        command: body as unknown as RejectedCommandPayload['command'],
        params: error.params,
      }
    : { actor: actorJson(actor), command: body as unknown as AcceptedCommandPayload['command'] };
  const c = cmd as Partial<Record<'vhm' | 'tenant' | 'capability' | 'contract' | 'domain', unknown>>;
  const vhmId = typeof c.vhm === 'string' ? c.vhm : null;
  const vhm = vhmId ? ctx.state.vhms[vhmId] : undefined;
  // The entry is filed under the actor's own tenant when a tenant acts, so a probe of another
  // tenant's id is visible to the prober (and operators), never to the tenant probed.
  const tenant =
    actor.kind === 'tenant'
      ? actor.tenant
      : (vhm?.tenant ?? (typeof c.tenant === 'string' && ctx.state.tenants[c.tenant] ? c.tenant : null));
  const visible = actor.kind !== 'tenant' || vhm?.tenant === actor.tenant;
  // One draft for any command type: the compiler cannot pair a union of types with its payloads
  // (a body of no known type is always rejected, so its payload is the rejected form).
  return {
    type: Object.hasOwn(TRANSITIONS, cmd.type) ? cmd.type : 'command.invalid',
    tenant,
    vhm: visible && vhm ? vhm.id : null,
    domain: c.domain === 'K' || c.domain === 'Q' || c.domain === 'PHI' ? c.domain : null,
    capability: typeof c.capability === 'string' ? c.capability : null,
    contract: typeof c.contract === 'string' ? c.contract : null,
    payload,
    outcome: error ? 'rejected' : 'accepted',
  } as EntryDraft;
}

/** The path of the first value canonical JSON cannot encode, or null. */
function nonJson(v: unknown, path: string): string | null {
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return null;
    case 'number':
      return Number.isFinite(v) ? null : `${path} is ${v}`;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          // The trace would record null, and replay would apply null: not the same command.
          if (v[i] === undefined) return `${path}[${i}] is undefined`;
          const bad = nonJson(v[i], `${path}[${i}]`);
          if (bad) return bad;
        }
        return null;
      }
      for (const k in v) {
        const bad = nonJson((v as Record<string, unknown>)[k], `${path}.${k}`);
        if (bad) return bad;
      }
      return null;
    }
    default:
      return `${path} is a ${typeof v}`;
  }
}

function actorJson(a: Actor): ActorJson {
  return a.kind === 'operator'
    ? { kind: 'operator' }
    : a.kind === 'tenant'
      ? { kind: 'tenant', role: a.role, tenant: a.tenant }
      : { kind: 'provider', name: a.name };
}

export type { Ctx };
