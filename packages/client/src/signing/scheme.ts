import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import type { paths } from '../openapi.gen.js';
import { canonicalJson } from './canonical.js';

// The provider signing scheme (README "Provider signing"): ML-DSA-65 (FIPS 204) over
// UTF-8(prefix + "\n" + canonical JSON of the payload). The prefix separates the domains, so a
// registration signature can never be replayed as a report's. Keys and signatures travel as
// lowercase hex; signing is deterministic (no added randomness), so equal inputs give equal bytes.

export const REGISTRATION_PREFIX = 'xdv/provider-registration/v1';
export const REPORT_PREFIX = 'xdv/provider-report/v1';
export type SigningPrefix = typeof REGISTRATION_PREFIX | typeof REPORT_PREFIX;

type JsonBody<P extends keyof paths> = paths[P] extends {
  post: { requestBody: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

export type RegistrationBody = JsonBody<'/v1/providers'>;
export type ProviderRegistration = RegistrationBody['registration'];
export type QReport = JsonBody<'/v1/providers/{provider}/reports/q'>['report'];
export type PhiReport = JsonBody<'/v1/providers/{provider}/reports/phi'>['report'];
export type ErrorReport = JsonBody<'/v1/providers/{provider}/reports/error'>['report'];
export type ProviderReport = QReport | PhiReport | ErrorReport;

export interface KeyPair {
  /** ML-DSA-65 public key, 1,952 bytes as 3,904 lowercase hex digits. */
  publicKey: string;
  /** ML-DSA-65 secret key, 4,032 bytes as hex. Keep it on the provider. */
  secretKey: string;
}

/** The key pair of a 32-byte seed (64 hex digits): FIPS 204 ML-DSA.KeyGen_internal(seed). */
export function keyPairFromSeed(seedHex: string): KeyPair {
  const seed = /^[0-9a-fA-F]{64}$/.test(seedHex) ? hexToBytes(seedHex.toLowerCase()) : null;
  if (!seed) throw new TypeError('the seed must be 32 bytes as 64 hex digits');
  const k = ml_dsa65.keygen(seed);
  return { publicKey: bytesToHex(k.publicKey), secretKey: bytesToHex(k.secretKey) };
}

/** The text that is signed: prefix, a line feed, the payload's canonical JSON. */
export function signedText(prefix: SigningPrefix, payload: unknown): string {
  return `${prefix}\n${canonicalJson(payload)}`;
}

/** A deterministic ML-DSA-65 signature of the signed text, as hex (3,309 bytes). */
export function signPayload(prefix: SigningPrefix, payload: unknown, secretKeyHex: string): string {
  const msg = utf8ToBytes(signedText(prefix, payload));
  return bytesToHex(ml_dsa65.sign(msg, hexToBytes(secretKeyHex), { extraEntropy: false }));
}

/** Whether `signatureHex` is a valid signature of the payload under `publicKeyHex`. */
export function verifyPayload(
  prefix: SigningPrefix,
  payload: unknown,
  signatureHex: string,
  publicKeyHex: string,
): boolean {
  if (!/^[0-9a-f]+$/.test(signatureHex) || !/^[0-9a-f]+$/.test(publicKeyHex)) return false;
  try {
    const msg = utf8ToBytes(signedText(prefix, payload));
    return ml_dsa65.verify(hexToBytes(signatureHex), msg, hexToBytes(publicKeyHex));
  } catch {
    return false;
  }
}

/** The body of `POST /v1/providers`: the registration and its signature by the key it names. */
export function signRegistration(registration: ProviderRegistration, secretKeyHex: string): RegistrationBody {
  return { registration, signature: signPayload(REGISTRATION_PREFIX, registration, secretKeyHex) };
}

/** The body of `POST /v1/providers/{id}/reports/{q|phi|error}`: the report and its signature. */
export function signReport<R extends ProviderReport>(
  report: R,
  secretKeyHex: string,
): { report: R; signature: string } {
  return { report, signature: signPayload(REPORT_PREFIX, report, secretKeyHex) };
}
