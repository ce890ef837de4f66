import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { canonicalJson } from '@xdv/core';

// The signed-head verifier: ML-DSA-65 (noble, pure JS) over exactly what the node signs
// (packages/db/src/seal.ts): "xdv/trace-head/v1\n" + canonicalJson({seq, l, hash}).
// Loaded with a dynamic import (lib/head.ts) so ML-DSA stays out of the initial bundle.

export const HEAD_KIND = 'xdv/trace-head/v1';

export interface HeadBody {
  seq: number;
  l: number;
  hash: string;
}

/** The message a head signature covers: the domain-separation prefix, a newline, the canonical body. */
export function headMessage(h: HeadBody): Uint8Array {
  const body = { seq: h.seq, l: h.l, hash: h.hash };
  return utf8ToBytes(`${HEAD_KIND}\n${canonicalJson(body)}`);
}

/** SHA-256 of the public key bytes, hex: the key fingerprint as seal.ts computes it. */
export function fingerprintOf(publicKeyHex: string): string {
  return bytesToHex(sha256(hexToBytes(publicKeyHex)));
}

/** What lib/head.ts posts to the verifying worker (headVerify.worker.ts). */
export interface HeadVerifyRequest {
  head: HeadBody & { key: string; signature: string };
  publicKey: string;
}

const HEX = /^(?:[0-9a-f]{2})+$/;

/** Verify a head signature against a public key; null when it verifies, else the reason. */
export function headSignatureProblem(
  h: HeadBody & { key: string; signature: string },
  publicKeyHex: string,
): string | null {
  if (!HEX.test(publicKeyHex)) return 'the public key is not hex';
  if (!HEX.test(h.signature)) return 'the signature is not hex';
  const fp = fingerprintOf(publicKeyHex);
  if (fp !== h.key.toLowerCase())
    return `the public key’s fingerprint ${fp.slice(0, 16)}… does not match the head’s key ${h.key.slice(0, 16)}…`;
  let ok = false;
  try {
    ok = ml_dsa65.verify(hexToBytes(h.signature), headMessage(h), hexToBytes(publicKeyHex));
  } catch {
    ok = false;
  }
  return ok ? null : 'the ML-DSA-65 signature does not verify over {seq, l, hash}';
}
