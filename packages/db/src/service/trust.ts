import {
  CHECKPOINT_KIND,
  checkpointBody,
  fingerprintOf,
  HEAD_KIND,
  headBody,
  type NodeKey,
  readHeadFile,
  shortFingerprint,
  verifySeal,
} from '../seal.js';
import type { SignedCheckpointRow, TraceStore } from '../store/trace-store.js';
import type { Break } from './errors.js';

// Verify before trusting: which keys are trusted, and the seal's checks of the stored trace against
// this node's head file, the signed heads and the signed checkpoints. Reads only; never signs.

export class SealChecks {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly store: TraceStore,
    private readonly key: NodeKey,
    /** Pinned fingerprints (null: trust the database's key table). */
    private readonly pinned: Set<string> | null,
    /** This node's head file for this store (null: none kept). */
    private readonly headFilePath: string | null,
  ) {}

  /** The public key of a trusted fingerprint, or null when the key is unknown or not pinned. */
  async trustedPublicKey(fp: string): Promise<string | null> {
    if (fp === this.key.fingerprint) return this.key.publicKey;
    if (this.pinned && !this.pinned.has(fp)) return null;
    const cached = this.cache.get(fp);
    if (cached) return cached;
    const recorded = await this.store.publicKeyOf(fp);
    const pub = recorded && fingerprintOf(recorded) === fp ? recorded : null;
    if (pub) this.cache.set(fp, pub);
    return pub;
  }

  async checkpointBreak(cp: SignedCheckpointRow): Promise<Break | null> {
    const seq = Number(cp.seq);
    const pub = cp.key ? await this.trustedPublicKey(cp.key) : null;
    if (!pub)
      return {
        seq,
        reason: `checkpoint at seq ${seq} is signed by an unknown key ${shortFingerprint(cp.key ?? '')} (not pinned in XDV_TRUSTED_KEYS or the key table)`,
      };
    const body = checkpointBody({ seq, l: Number(cp.l), head: cp.head, stateHash: cp.state_hash });
    if (!verifySeal(CHECKPOINT_KIND, body, cp.sig ?? '', pub))
      return {
        seq,
        reason: `forged checkpoint at seq ${seq}: its signature does not verify (a checkpoint edited or swapped for another)`,
      };
    return null;
  }

  /**
   * The seal's checks: this node's head file against the trace (truncation, rollback/forgery), the
   * signed heads (all, or those at or above `checkpointSeq`, the checkpoint boot used) and, with `all`, every signed
   * checkpoint. Returns the first break found.
   */
  async check(all: boolean, checkpointSeq: number): Promise<Break | null> {
    const file = readHeadFile(this.headFilePath);
    const traceHash = async (seq: number) => (await this.store.rowAt(seq))?.hash;
    const end = () => this.store.maxSeq();
    if (file) {
      if (
        file.key !== this.key.fingerprint ||
        !verifySeal(HEAD_KIND, headBody(file), file.sig, this.key.publicKey)
      )
        return {
          seq: file.seq,
          reason: `the head file ${this.headFilePath} is not signed by this node's key ${shortFingerprint(this.key.fingerprint)}`,
        };
      const h = await traceHash(file.seq);
      if (h === undefined)
        return {
          seq: file.seq,
          reason: `truncation: this node signed the head at seq ${file.seq} but the trace ends at seq ${await end()}`,
        };
      if (h !== file.hash)
        return {
          seq: file.seq,
          reason: `rollback/forgery: the trace's hash at seq ${file.seq} is not the one this node signed`,
        };
    }
    const from = all ? 0 : checkpointSeq;
    let after = -1;
    for (;;) {
      const heads = await this.store.headsFrom(from, after);
      if (heads.length === 0) break;
      for (const h of heads) {
        const seq = Number(h.seq);
        after = seq;
        const pub = await this.trustedPublicKey(h.key);
        if (!pub)
          return {
            seq,
            reason: `the head at seq ${seq} is signed by an unknown key ${shortFingerprint(h.key)} (not pinned in XDV_TRUSTED_KEYS or the key table)`,
          };
        if (!verifySeal(HEAD_KIND, headBody({ seq, l: Number(h.l), hash: h.hash }), h.sig, pub))
          return { seq, reason: `forged head at seq ${seq}: its signature does not verify` };
        if (h.thash === null)
          return {
            seq,
            reason: `truncation: a head was signed at seq ${seq} but the trace ends at seq ${await end()}`,
          };
        if (h.thash !== h.hash)
          return { seq, reason: `rollback/forgery: the trace's hash at seq ${seq} is not the signed head's` };
      }
      if (!all) break;
      await new Promise((r) => setImmediate(r));
    }
    if (all) {
      const cps = await this.store.signedCheckpoints('ASC');
      for (const cp of cps) {
        const bad = await this.checkpointBreak(cp);
        if (bad) return bad;
        const seq = Number(cp.seq);
        if (cp.thash === null)
          return {
            seq,
            reason: `truncation: a checkpoint was signed at seq ${seq} but the trace ends at seq ${await end()}`,
          };
        if (cp.thash !== cp.head)
          return {
            seq,
            reason: `rollback/forgery: the trace's hash at seq ${seq} is not the signed checkpoint's head`,
          };
      }
    }
    return null;
  }
}
