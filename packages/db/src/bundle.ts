import { type Hasher, PROTOCOL_VERSION, type ReplayMismatch, replay, type State, stateHash } from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';
import {
  CHECKPOINT_KIND,
  checkpointBody,
  fingerprintOf,
  HEAD_KIND,
  headBody,
  parseTrustedKeys,
  shortFingerprint,
  verifySeal,
} from './seal.js';
import type { TraceStore } from './store/trace-store.js';

// The trace bundle (XDV-034 §8, remote verification): one self-contained NDJSON file a verifier
// checks with no server and no database. Lines, in this order:
//   {kind:'xdv-trace-bundle', version:1, protocol, entries:N, exportedAt}   (exportedAt: informational)
//   {kind:'key', fingerprint, publicKey, node}                              (the node_keys table)
//   {kind:'head', seq, l, hash, key, sig}                                   (trace_heads, seq <= N)
//   {kind:'checkpoint', seq, l, head, stateHash, key, sig}                  (signed checkpoints, seq <= N)
//   {seq, hash, text}                                                       (every entry 1..N, seq order)
// Nothing in the bundle is trusted by itself: the verifier re-derives every hash, link and
// decision and checks every signature; the header is only a consistency hint.

export const BUNDLE_KIND = 'xdv-trace-bundle';
export const BUNDLE_VERSION = 1;
const PAGE = 2000;

export interface BundleHeader {
  kind: typeof BUNDLE_KIND;
  version: number;
  protocol: number;
  entries: number;
  exportedAt: string;
}

/**
 * Stream a bundle of the trace as committed when the export starts (seq 1..N): the header, the
 * node keys, the signed heads and checkpoints up to N, then the entries in pages. Each yielded
 * string is one line, newline included. The trace is never held in memory as a whole.
 */
export async function* exportBundle(
  ledger: Pick<TraceStore, 'committedHead' | 'sql' | 'entries'>,
  opts: { page?: number } = {},
): AsyncGenerator<string> {
  const n = (await ledger.committedHead()).seq;
  const header: BundleHeader = {
    kind: BUNDLE_KIND,
    version: BUNDLE_VERSION,
    protocol: PROTOCOL_VERSION,
    entries: n,
    exportedAt: new Date().toISOString(),
  };
  yield `${JSON.stringify(header)}\n`;
  const keys = await ledger.sql<{ fingerprint: string; public_key: string; node: string }>(
    'SELECT "fingerprint","public_key","node" FROM "node_keys" ORDER BY "fingerprint"',
  );
  for (const k of keys)
    yield `${JSON.stringify({ kind: 'key', fingerprint: k.fingerprint, publicKey: k.public_key, node: k.node })}\n`;
  let after = -1;
  for (;;) {
    const heads = await ledger.sql<{ seq: number; l: number; hash: string; key: string; sig: string }>(
      'SELECT "seq","l","hash","key","sig" FROM "trace_heads" WHERE "seq" > $1 AND "seq" <= $2 ORDER BY "seq" LIMIT 500',
      [after, n],
    );
    if (heads.length === 0) break;
    for (const h of heads) {
      after = Number(h.seq);
      yield `${JSON.stringify({ kind: 'head', seq: Number(h.seq), l: Number(h.l), hash: h.hash, key: h.key, sig: h.sig })}\n`;
    }
  }
  const cps = await ledger.sql<{
    seq: number;
    l: number;
    head: string;
    state_hash: string;
    key: string;
    sig: string;
  }>(
    'SELECT "seq","l","head","state_hash","key","sig" FROM "checkpoints" WHERE "sig" IS NOT NULL AND "seq" <= $1 ORDER BY "seq"',
    [n],
  );
  for (const c of cps)
    yield `${JSON.stringify({
      kind: 'checkpoint',
      seq: Number(c.seq),
      l: Number(c.l),
      head: c.head,
      stateHash: c.state_hash,
      key: c.key,
      sig: c.sig,
    })}\n`;
  const limit = opts.page ?? PAGE;
  let seq = 0;
  while (seq < n) {
    const page = await ledger.entries({ afterSeq: seq, limit: Math.min(limit, n - seq) });
    if (page.length === 0) break;
    let out = '';
    for (const e of page) {
      if (e.seq > n) break;
      seq = e.seq;
      out += `${JSON.stringify({ seq: e.seq, hash: e.hash, text: e.text })}\n`;
    }
    yield out;
  }
}

/** Not a bundle at all (or one this verifier cannot read): a usage error, not a bad trace. */
export class BundleFormatError extends Error {
  override name = 'BundleFormatError';
}

export interface BundleBreak {
  seq: number;
  reason: string;
}

export interface BundleResult {
  ok: boolean;
  /** Entries read and verified (hash, link, decision) before the first break. */
  entries: number;
  firstBad: BundleBreak | null;
  /** Signed heads and checkpoints in the bundle (whose signatures were checked). */
  heads: number;
  checkpoints: number;
  /** Fingerprints of the bundle's public keys that are usable (they match their key, and are pinned if pinning). */
  keys: string[];
  protocol: number | null;
}

export interface VerifyBundleOptions {
  /** Pinned keys (fingerprints or public keys, hex; a list or comma-separated): heads signed by any other key fail. */
  trust?: string | readonly string[] | null;
  /** Run the complete invariant set every this many commands (and at every chunk end). Default 100. */
  fullInvariantsEvery?: number;
  /** Re-verify every command signature instead of trusting the recorded verdict (default true). */
  audit?: boolean;
  /** Entries replayed per chunk (default 20,000; cut on logical-time boundaries). */
  chunk?: number;
  hasher?: Hasher;
}

interface Row {
  seq: number;
  hash: string;
  text: string;
  l: number;
}

const isHex = (s: unknown, len?: number): s is string =>
  typeof s === 'string' && /^[0-9a-f]+$/.test(s) && (len === undefined || s.length === len);

/**
 * Verify a bundle offline: header and protocol; every key's fingerprint; every signed head's and
 * checkpoint's signature against the bundle's keys (and the pinned ones, if given); every entry's
 * hash, prev link and decision by replaying the whole trace through the core (audit mode, invariants
 * checked); each signed head's and checkpoint's hash at its seq (rollback/forgery), each checkpoint's
 * state hash against the replayed state, and that the trace reaches the newest signed seq
 * (truncation). Names the lowest bad seq. Throws BundleFormatError when the input is not a bundle.
 */
export async function verifyBundle(
  lines: AsyncIterable<string> | Iterable<string>,
  opts: VerifyBundleOptions = {},
): Promise<BundleResult> {
  const hasher = opts.hasher ?? nodeSha256;
  const every = opts.fullInvariantsEvery ?? 100;
  const chunkSize = Math.max(1, opts.chunk ?? 20_000);
  const audit = opts.audit ?? true;
  const pinned = opts.trust ? new Set(parseTrustedKeys(opts.trust) ?? []) : null;

  let header: BundleHeader | null = null;
  const keys = new Map<string, string>();
  const rejectedKeys: string[] = [];
  /** seq → hash a signature vouches for there (heads, and checkpoints' heads). */
  const signed = new Map<number, { hash: string; what: string }>();
  const cpStates = new Map<number, string>();
  let maxSigned = 0;
  let heads = 0;
  let checkpoints = 0;
  let firstBad: BundleBreak | null = null;
  const bad = (b: BundleBreak) => {
    if (!firstBad || b.seq < firstBad.seq) firstBad = b;
  };

  let state: State | null = null;
  let verified = 0; // entries verified by replay
  let nextSeq = 1; // seq expected on the next entry line
  let buf: Row[] = [];
  let inEntries = false;
  let lineNo = 0;
  let replayBroken = false;
  let stopped = false; // the loop left before the end of the input

  const keyFor = (fp: unknown): { pub: string | null; why: string } => {
    if (typeof fp !== 'string') return { pub: null, why: 'names no key' };
    if (pinned && !pinned.has(fp))
      return { pub: null, why: `is signed by key ${shortFingerprint(fp)}, which is not pinned (--trust)` };
    const pub = keys.get(fp);
    if (!pub)
      return {
        pub: null,
        why: `is signed by an unknown key ${shortFingerprint(fp)} (not among the bundle's public keys)`,
      };
    return { pub, why: '' };
  };

  /** Replay rows (a prefix of the trace ending on a command boundary) and check what is signed in it. */
  const run = (rows: Row[]) => {
    if (rows.length === 0 || replayBroken) return;
    const r = replay(rows, {
      hasher,
      audit,
      fullInvariantsEvery: every,
      ...(state ? { from: state } : {}),
    });
    state = r.state;
    const okUpTo = r.ok ? rows[rows.length - 1]!.seq : (r.mismatch?.seq ?? state.seq + 1) - 1;
    verified += r.entries;
    for (const row of rows) {
      if (row.seq > okUpTo) break;
      const s = signed.get(row.seq);
      if (s && s.hash !== row.hash)
        bad({
          seq: row.seq,
          reason: `rollback/forgery: the trace's hash at seq ${row.seq} is not the ${s.what}'s`,
        });
    }
    if (!r.ok) {
      replayBroken = true;
      const m: ReplayMismatch = r.mismatch ?? { seq: state.seq, reason: 'invariants violated' };
      bad(m);
      return;
    }
    const cp = cpStates.get(state.seq);
    if (cp !== undefined && stateHash(state, hasher) !== cp)
      bad({
        seq: state.seq,
        reason: `forged checkpoint at seq ${state.seq}: its signed state hash is not the replayed state's`,
      });
  };

  /** Replay what is buffered up to the last logical-time boundary (or all of it, at the end). */
  const drain = (all: boolean) => {
    if (all) {
      run(buf);
      buf = [];
      return;
    }
    let cut = buf.length;
    const lastL = buf[cut - 1]!.l;
    while (cut > 0 && buf[cut - 1]!.l === lastL) cut--;
    if (cut === 0) return; // one logical time bigger than a chunk: keep reading
    run(buf.slice(0, cut));
    buf = buf.slice(cut);
  };

  const record = (o: Record<string, unknown>) => {
    if (inEntries)
      throw new BundleFormatError(`line ${lineNo}: a ${String(o.kind)} record after the entries`);
    if (o.kind === 'key') {
      const fp = o.fingerprint;
      const pub = o.publicKey;
      if (!isHex(fp, 64) || !isHex(pub) || fingerprintOf(pub) !== fp) {
        rejectedKeys.push(String(fp));
        return;
      }
      if (pinned && !pinned.has(fp)) return;
      keys.set(fp, pub);
      return;
    }
    if (o.kind === 'head' || o.kind === 'checkpoint') {
      const seq = o.seq;
      if (!Number.isSafeInteger(seq) || (seq as number) < 1)
        throw new BundleFormatError(`line ${lineNo}: a ${o.kind} without a valid seq`);
      const s = seq as number;
      const isHead = o.kind === 'head';
      if (isHead) heads++;
      else checkpoints++;
      const what = isHead ? 'signed head' : 'signed checkpoint';
      const k = keyFor(o.key);
      if (!k.pub) {
        bad({ seq: s, reason: `the ${what} at seq ${s} ${k.why}` });
        return;
      }
      const ok = isHead
        ? verifySeal(HEAD_KIND, headBody(o as never), String(o.sig), k.pub)
        : verifySeal(CHECKPOINT_KIND, checkpointBody(o as never), String(o.sig), k.pub);
      if (!ok) {
        bad({
          seq: s,
          reason: `forged ${isHead ? 'head' : 'checkpoint'} at seq ${s}: its signature does not verify`,
        });
        return;
      }
      maxSigned = Math.max(maxSigned, s);
      const hash = String(isHead ? o.hash : o.head);
      const prior = signed.get(s);
      if (prior && prior.hash !== hash)
        bad({ seq: s, reason: `two valid signatures vouch for different hashes at seq ${s} (equivocation)` });
      else signed.set(s, { hash, what });
      if (!isHead) cpStates.set(s, String(o.stateHash));
      return;
    }
    throw new BundleFormatError(`line ${lineNo}: unknown record kind ${JSON.stringify(o.kind).slice(0, 40)}`);
  };

  for await (const raw of lines as AsyncIterable<string>) {
    const line = raw.trim();
    if (line === '') continue;
    lineNo++;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error('not an object');
    } catch {
      if (!header) throw new BundleFormatError('line 1 is not JSON: not a trace bundle');
      bad({ seq: nextSeq, reason: `line ${lineNo} is not JSON (bundle damaged)` });
      stopped = true;
      break;
    }
    if (!header) {
      if (o.kind !== BUNDLE_KIND)
        throw new BundleFormatError(`not a trace bundle (first line is not a ${BUNDLE_KIND} header)`);
      if (o.version !== BUNDLE_VERSION)
        throw new BundleFormatError(
          `bundle version ${String(o.version)}; this verifier reads version ${BUNDLE_VERSION}`,
        );
      if (o.protocol !== PROTOCOL_VERSION)
        throw new BundleFormatError(
          `bundle of trace protocol ${String(o.protocol)}; this verifier speaks protocol ${PROTOCOL_VERSION} (use the matching release)`,
        );
      if (!Number.isSafeInteger(o.entries) || (o.entries as number) < 0)
        throw new BundleFormatError('bundle header without a valid entry count');
      header = o as unknown as BundleHeader;
      continue;
    }
    if ('kind' in o) {
      record(o);
      continue;
    }
    inEntries = true;
    if (!Number.isSafeInteger(o.seq) || typeof o.hash !== 'string' || typeof o.text !== 'string') {
      bad({ seq: nextSeq, reason: `line ${lineNo} is not a trace entry (bundle damaged)` });
      stopped = true;
      break;
    }
    let l: number;
    try {
      const parsed = JSON.parse(o.text) as { l?: unknown };
      l = typeof parsed.l === 'number' ? parsed.l : -1;
    } catch {
      l = -1; // replay names it
    }
    const row: Row = { seq: o.seq as number, hash: o.hash, text: o.text, l };
    nextSeq = row.seq + 1;
    buf.push(row);
    // A checkpoint's seq is a command boundary: replay up to it and compare the state hash there.
    if (cpStates.has(row.seq)) drain(true);
    else if (buf.length >= chunkSize) drain(false);
    // Nothing later can name a lower seq than a break already found at or before this point.
    const fb = firstBad as BundleBreak | null;
    if (replayBroken || (fb && fb.seq <= verified)) {
      stopped = true;
      break;
    }
  }
  if (!header) throw new BundleFormatError('empty input: not a trace bundle');
  if (!replayBroken && !stopped) drain(true);
  const h = header as BundleHeader;
  if (!replayBroken && !stopped) {
    const end = verified;
    if (maxSigned > end)
      bad({
        seq: end + 1,
        reason: `truncation: a head was signed at seq ${maxSigned} but the trace ends at seq ${end}`,
      });
    else if (h.entries > end)
      bad({
        seq: end + 1,
        reason: `truncation: the header says ${h.entries} entries but the trace ends at seq ${end}`,
      });
    else if (h.entries < end)
      bad({ seq: h.entries + 1, reason: `the header says ${h.entries} entries but the bundle holds ${end}` });
  }
  const fb = firstBad as BundleBreak | null;
  return {
    ok: fb === null,
    entries: verified,
    firstBad: fb,
    heads,
    checkpoints,
    keys: [...keys.keys()],
    protocol: h.protocol,
  };
}
