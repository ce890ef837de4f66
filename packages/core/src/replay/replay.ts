import { admit } from '../crypto/admit.js';
import { cloneState } from '../engine/apply.js';
import { step } from '../engine/step.js';
import { checkAll, type Violation } from '../invariants/full.js';
import type { Command } from '../model/commands.js';
import { emptyState, GENESIS_HASH, type State } from '../model/state.js';
import type { Entry } from '../trace/entry.js';
import { type Hasher, nobleSha256 } from '../trace/hash.js';

/** What replay reads: the stored canonical text and hash of each entry, in seq order. */
export interface StoredEntry {
  seq: number;
  text: string;
  hash: string;
}

export interface ReplayOptions {
  hasher?: Hasher;
  /** Start from a checkpoint instead of the empty state (it is not modified, unless `inPlace`). */
  from?: State;
  /**
   * Replay into `from` itself instead of a copy (a chunked replay continuing from the state its
   * previous chunk returned, which nobody else holds): no clone of the whole state per chunk.
   */
  inPlace?: boolean;
  /** Stop before the first command whose logical time is greater than this. */
  untilL?: number;
  /** Run the complete invariant set every this many commands (and always at the end). 0 = only at the end. */
  fullInvariantsEvery?: number;
  /** Audit mode: re-verify every signature instead of trusting the recorded verdict. */
  audit?: boolean;
}

export interface ReplayMismatch {
  seq: number;
  reason: string;
}

export interface ReplayResult {
  ok: boolean;
  state: State;
  /** Entries consumed (verified) and commands re-applied. */
  entries: number;
  commands: number;
  mismatch: ReplayMismatch | null;
  violations: Violation[];
}

/**
 * Fold a trace back into state (XDV-071): every command is re-applied through the same core, every
 * regenerated entry must equal the stored canonical text and hash byte for byte (so every hash and
 * every scheduler decision is recomputed and checked), the chain must link, and the invariants must
 * hold. Replay stops at the first mismatch and names its seq. Runs in the browser (no node:*).
 */
export function replay(stored: Iterable<StoredEntry>, opts: ReplayOptions = {}): ReplayResult {
  const hasher = opts.hasher ?? nobleSha256;
  const state = opts.from ? (opts.inPlace ? opts.from : cloneState(opts.from)) : emptyState();
  const every = opts.fullInvariantsEvery ?? 0;
  let entries = 0;
  let commands = 0;
  let pending: Entry[] = [];
  let expectSeq = state.seq + 1;
  let prev = state.seq === 0 ? GENESIS_HASH : state.head;
  const result = (mismatch: ReplayMismatch | null, violations: Violation[] = []): ReplayResult => ({
    ok: mismatch === null && violations.length === 0,
    state,
    entries,
    commands,
    mismatch,
    violations,
  });
  // The stored text of the command entry being re-applied and its hash, once verified: step seals
  // that same entry again, and equal text needs no second SHA-256 (half the entries are commands).
  let knownText = '';
  let knownHash = '';
  const sealHasher: Hasher = (text) => (text === knownText ? knownHash : hasher(text));
  for (const s of stored) {
    if (s.seq !== expectSeq)
      return result({
        seq: expectSeq,
        reason: `expected seq ${expectSeq}, found ${s.seq} (gap, insertion or reorder)`,
      });
    // Fast path for the effect entries of a command: the core regenerated this entry, hashing its
    // text and linking it to the previous (verified) hash. Equal text and hash therefore prove the
    // stored hash, the link and the decision at once; anything else takes the checks below, which
    // name the reason.
    const expected = pending[0];
    if (expected !== undefined && expected.text === s.text && expected.hash === s.hash) {
      pending.shift();
      prev = s.hash;
      expectSeq++;
      entries++;
      continue;
    }
    // Only a command entry gets here when the trace is intact. Its stored hash is checked before
    // the command is re-applied, so a rejected trace never leaves its bad command in the state.
    if (hasher(s.text) !== s.hash)
      return result({
        seq: s.seq,
        reason: 'stored hash does not match the SHA-256 of the stored text (entry edited)',
      });
    // The link and L are read in place, and only the payload is parsed: the regenerated entry must
    // equal the whole stored text byte for byte anyway, which proves every other field.
    const fields = headerFields(s.text);
    if (fields === null) return result({ seq: s.seq, reason: 'stored text is not a canonical entry' });
    if (fields.prev !== prev)
      return result({
        seq: s.seq,
        reason: 'previous-hash link broken (entry deleted, inserted or reordered)',
      });
    if (pending.length === 0) {
      // A new command group starts here: it must be a command entry.
      let payload: { command?: Record<string, unknown>; actor?: unknown } | null;
      try {
        payload = JSON.parse(fields.payload);
      } catch {
        return result({ seq: s.seq, reason: 'stored text is not JSON' });
      }
      const body = payload?.command;
      if (!body || typeof body !== 'object' || Array.isArray(body) || !payload?.actor)
        return result({ seq: s.seq, reason: 'entry is not a command entry but no command is pending' });
      if (opts.untilL !== undefined && fields.l > opts.untilL) return finish();
      // The parsed body is this loop's own object: the actor joins it in place (last, as a spread
      // would put it) instead of a copy. A body that already has an actor key is not a command the
      // core recorded (step writes the body without it): its copy would differ, so it is refused.
      if (Object.hasOwn(body, 'actor'))
        return result({
          seq: s.seq,
          reason: 're-applied command produced a different entry (actor inside the command body)',
        });
      body.actor = payload.actor;
      let cmd = body as unknown as Command;
      if (opts.audit) {
        const recorded = (body as { auth?: { verified?: boolean } }).auth?.verified;
        cmd = admit(state, cmd);
        const fresh = (cmd as { auth?: { verified?: boolean } }).auth?.verified;
        if (recorded !== undefined && recorded !== fresh)
          return result({
            seq: s.seq,
            reason: `signature verdict ${String(recorded)} recorded, ${String(fresh)} on re-verification`,
          });
      }
      knownText = s.text;
      knownHash = s.hash;
      try {
        pending = step(state, cmd, { hasher: sealHasher, fromJson: true }).entries;
      } catch (e) {
        return result({ seq: s.seq, reason: `re-applying the command failed: ${(e as Error).message}` });
      }
      commands++;
      if (every > 0 && commands % every === 0) {
        const v = checkAll(state);
        if (v.length > 0)
          return result({ seq: s.seq, reason: `invariant ${v[0]!.invariant} violated: ${v[0]!.detail}` }, v);
      }
    }
    const regenerated = pending.shift()!;
    if (regenerated.seq !== s.seq || regenerated.text !== s.text || regenerated.hash !== s.hash)
      return result({
        seq: s.seq,
        reason: `re-applied command produced a different entry (${regenerated.type}); the trace does not match the core's decisions`,
      });
    prev = s.hash;
    expectSeq++;
    entries++;
  }
  if (pending.length > 0)
    return result({
      seq: expectSeq,
      reason: `trace ends ${pending.length} entries into a command group (truncated)`,
    });
  return finish();

  function finish(): ReplayResult {
    const v = checkAll(state);
    return result(
      v.length > 0
        ? { seq: state.seq, reason: `invariant ${v[0]!.invariant} violated: ${v[0]!.detail}` }
        : null,
      v,
    );
  }
}

/**
 * The link, L and payload text of a stored entry, read in place from its canonical text (fields in
 * key order: ...,"l":N,"outcome":...,"payload":{...},"prev":"<64 hex>","seq":...). Inside a JSON
 * string every quote is escaped, so `"payload":` and `,"prev":"` can only be the keys themselves.
 * Null when the text does not have that shape.
 */
function headerFields(text: string): { prev: string; l: number; payload: string } | null {
  const lAt = text.indexOf(',"l":');
  const outcomeAt = text.indexOf(',"outcome":', lAt);
  const payloadAt = text.indexOf(',"payload":', outcomeAt);
  const prevAt = text.lastIndexOf(',"prev":"');
  if (lAt < 0 || outcomeAt < 0 || payloadAt < 0 || prevAt < payloadAt) return null;
  const l = Number(text.slice(lAt + 5, outcomeAt));
  if (!Number.isSafeInteger(l)) return null;
  return { prev: text.slice(prevAt + 9, prevAt + 73), l, payload: text.slice(payloadAt + 11, prevAt) };
}

/** Verify only the chain (hashes and links), without re-applying: the cheap check a viewer runs. */
export function verifyChain(
  stored: Iterable<StoredEntry>,
  hasher: Hasher = nobleSha256,
  start?: { seq: number; head: string },
): { ok: boolean; entries: number; mismatch: ReplayMismatch | null } {
  let expectSeq = (start?.seq ?? 0) + 1;
  let prev = start?.head ?? GENESIS_HASH;
  let n = 0;
  for (const s of stored) {
    if (s.seq !== expectSeq)
      return {
        ok: false,
        entries: n,
        mismatch: { seq: expectSeq, reason: `expected seq ${expectSeq}, found ${s.seq}` },
      };
    if (hasher(s.text) !== s.hash)
      return { ok: false, entries: n, mismatch: { seq: s.seq, reason: 'hash does not match text' } };
    const i = s.text.lastIndexOf('"prev":"');
    if (i < 0 || s.text.slice(i + 8, i + 72) !== prev)
      return { ok: false, entries: n, mismatch: { seq: s.seq, reason: 'previous-hash link broken' } };
    prev = s.hash;
    expectSeq++;
    n++;
  }
  return { ok: true, entries: n, mismatch: null };
}
