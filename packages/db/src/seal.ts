import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { canonicalJson } from '@xdv/core';

// The seal: every node holds an ML-DSA-65 key outside the database and signs trace heads and
// checkpoints with it, with a domain-separation prefix so a head signature can never pass for a
// checkpoint's (or a provider's). The node also keeps its newest signed head in its key directory,
// so a database rolled back or truncated below it is named at start even when the database's own
// heads and checkpoints were deleted or re-sealed.

export const HEAD_KIND = 'xdv/trace-head/v1';
export const CHECKPOINT_KIND = 'xdv/checkpoint/v1';
type SealKind = typeof HEAD_KIND | typeof CHECKPOINT_KIND;

export interface HeadBody {
  seq: number;
  l: number;
  hash: string;
}

export interface CheckpointBody {
  seq: number;
  l: number;
  head: string;
  stateHash: string;
}

export interface SignedHead extends HeadBody {
  /** Fingerprint of the signing key. */
  key: string;
  sig: string;
}

/** SHA-256 of the public key bytes, hex (64 chars; show the first 16). */
export function fingerprintOf(publicKeyHex: string): string {
  return bytesToHex(sha256(hexToBytes(publicKeyHex)));
}

export const shortFingerprint = (fp: string): string => fp.slice(0, 16);

function message(kind: SealKind, body: unknown): Uint8Array {
  return utf8ToBytes(`${kind}\n${canonicalJson(body)}`);
}

export function verifySeal(kind: SealKind, body: unknown, sigHex: string, publicKeyHex: string): boolean {
  try {
    if (!/^[0-9a-f]+$/.test(sigHex)) return false;
    return ml_dsa65.verify(hexToBytes(sigHex), message(kind, body), hexToBytes(publicKeyHex));
  } catch {
    return false;
  }
}

export const headBody = (h: HeadBody): HeadBody => ({ seq: h.seq, l: h.l, hash: h.hash });
export const checkpointBody = (c: CheckpointBody): CheckpointBody => ({
  seq: c.seq,
  l: c.l,
  head: c.head,
  stateHash: c.stateHash,
});

/** A node's signing key: its secret never leaves this process and its key directory. */
export class NodeKey {
  readonly fingerprint: string;
  private constructor(
    readonly publicKey: string,
    private readonly secretKey: Uint8Array,
    /** The key directory (null: an ephemeral key, for tests and tools; no head file). */
    readonly dir: string | null,
  ) {
    this.fingerprint = fingerprintOf(publicKey);
  }

  /** Load `<dir>/node-key.json`, or create it (0600, directory 0700) on first start. */
  static loadOrCreate(dir: string): NodeKey {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'node-key.json');
    if (existsSync(file)) {
      const k = JSON.parse(readFileSync(file, 'utf8')) as { seed?: string; publicKey?: string };
      if (!k.seed || !/^[0-9a-f]{64}$/.test(k.seed)) throw new Error(`${file}: no valid 32-byte seed`);
      const pair = ml_dsa65.keygen(hexToBytes(k.seed));
      const pub = bytesToHex(pair.publicKey);
      if (k.publicKey && k.publicKey !== pub) throw new Error(`${file}: public key does not match its seed`);
      return new NodeKey(pub, pair.secretKey, dir);
    }
    const seed = randomBytes(32);
    const pair = ml_dsa65.keygen(new Uint8Array(seed));
    const pub = bytesToHex(pair.publicKey);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(
      tmp,
      `${JSON.stringify({ alg: 'ML-DSA-65', seed: seed.toString('hex'), publicKey: pub, fingerprint: fingerprintOf(pub) })}\n`,
      { mode: 0o600, flag: 'wx' },
    );
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    return new NodeKey(pub, pair.secretKey, dir);
  }

  /** A key that lives only in memory (no key directory): for tests and tools that do not configure one. */
  static ephemeral(): NodeKey {
    const pair = ml_dsa65.keygen(new Uint8Array(randomBytes(32)));
    return new NodeKey(bytesToHex(pair.publicKey), pair.secretKey, null);
  }

  sign(kind: SealKind, body: unknown): string {
    return bytesToHex(ml_dsa65.sign(message(kind, body), this.secretKey, { extraEntropy: false }));
  }

  signHead(h: HeadBody): SignedHead {
    const body = headBody(h);
    return { ...body, key: this.fingerprint, sig: this.sign(HEAD_KIND, body) };
  }

  /** The head file for one store (a key directory may serve several stores, e.g. schemas). */
  headFile(storeId: string): string | null {
    return this.dir ? join(this.dir, `head-${storeId}.json`) : null;
  }
}

/** The newest head this node signed for a store, from its key directory (null: none yet). */
export function readHeadFile(file: string | null): SignedHead | null {
  if (!file || !existsSync(file)) return null;
  const h = JSON.parse(readFileSync(file, 'utf8')) as SignedHead;
  if (!Number.isSafeInteger(h.seq) || typeof h.hash !== 'string' || typeof h.sig !== 'string')
    throw new Error(`${file}: not a signed head`);
  return h;
}

/** Replace the head file atomically (write, then rename). */
export function writeHeadFile(file: string, h: SignedHead): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(h)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** A store's identity for naming its head file: the PGlite data dir, or PostgreSQL host/db/schema. */
export function storeIdOf(parts: string): string {
  return bytesToHex(sha256(utf8ToBytes(parts))).slice(0, 16);
}

/** Parse XDV_TRUSTED_KEYS: comma-separated fingerprints (64 hex) or public keys (hex); returns fingerprints. */
export function parseTrustedKeys(v: string | readonly string[] | undefined | null): string[] | null {
  if (v === undefined || v === null) return null;
  const items = (typeof v === 'string' ? v.split(',') : [...v])
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (items.length === 0) return null;
  return items.map((s) => {
    if (!/^[0-9a-f]+$/.test(s)) throw new Error(`trusted key ${s.slice(0, 20)}…: not hex`);
    if (s.length === 64) return s;
    if (s.length > 64) return fingerprintOf(s);
    throw new Error(`trusted key ${s}: a fingerprint is 64 hex digits (SHA-256 of the public key)`);
  });
}
