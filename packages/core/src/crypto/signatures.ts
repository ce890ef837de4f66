import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { canonicalJson } from '../trace/canonical.js';

// ML-DSA-65 (FIPS 204) over the canonical JSON of a payload, with a domain-separation context so a
// registration signature can never be replayed as a report signature.

export type SignedKind =
  | 'xdv/provider-registration/v1'
  | 'xdv/provider-report/v1'
  | 'xdv/compliance-report/v1';

export interface KeyPair {
  publicKey: string;
  secretKey: string;
}

/**
 * The conformance suite's published development seed: CI signs reports with it so runs are
 * reproducible without secrets. A report signed with it proves integrity, not who ran it.
 */
export const CTS_DEVELOPMENT_SEED = 'c75c75c75c75c75c75c75c75c75c75c75c75c75c75c75c75c75c75c75c75c75c';

/** Deterministic key pair from a 32-byte hex seed (the simulator keeps its seed; tests reuse it). */
export function keyPairFromSeed(seedHex: string): KeyPair {
  const seed = hexToBytes(seedHex);
  if (seed.length !== 32) throw new TypeError('seed must be 32 bytes of hex');
  const k = ml_dsa65.keygen(seed);
  return { publicKey: bytesToHex(k.publicKey), secretKey: bytesToHex(k.secretKey) };
}

export function signedMessage(kind: SignedKind, payload: unknown): Uint8Array {
  return utf8ToBytes(`${kind}\n${canonicalJson(payload)}`);
}

/** Deterministic signature (no extra entropy), so equal inputs give equal traces. */
export function sign(kind: SignedKind, payload: unknown, secretKeyHex: string): string {
  return bytesToHex(
    ml_dsa65.sign(signedMessage(kind, payload), hexToBytes(secretKeyHex), { extraEntropy: false }),
  );
}

export function verify(
  kind: SignedKind,
  payload: unknown,
  signatureHex: string,
  publicKeyHex: string,
): boolean {
  try {
    if (!/^[0-9a-f]+$/.test(signatureHex) || !/^[0-9a-f]+$/.test(publicKeyHex)) return false;
    return ml_dsa65.verify(hexToBytes(signatureHex), signedMessage(kind, payload), hexToBytes(publicKeyHex));
  } catch {
    return false;
  }
}
