// The signed trace head the console is shown: verified in the browser, and the newest verified
// one remembered per server origin, so a server that later presents an older head (a rollback)
// or another head at the same seq (a fork) is named.

import type { HeadVerifyRequest } from './headVerify';

/** GET /v1/trace/head (operator). */
export interface SignedHeadResponse {
  seq: number;
  l: number;
  hash: string;
  /** Fingerprint: SHA-256 of the public key, hex. */
  key: string;
  /** ML-DSA-65, hex. */
  signature: string;
  /** Hex; null when the key is not in the server's key table. */
  publicKey: string | null;
  trusted: boolean;
  kind: string;
  node: { fingerprint: string; publicKey: string };
}

/** What the console keeps per server: the newest head it verified. */
export interface RememberedHead {
  seq: number;
  hash: string;
  key: string;
}

export type HeadComparison =
  | { kind: 'first' }
  | { kind: 'same' }
  | { kind: 'newer'; before: RememberedHead }
  | { kind: 'older'; before: RememberedHead }
  | { kind: 'conflict'; before: RememberedHead };

export type HeadCheck =
  | { status: 'verified'; head: RememberedHead; comparison: HeadComparison }
  | { status: 'invalid'; head: RememberedHead; reason: string };

export const headStorageKey = (origin: string) => `xdv.head.${origin}`;

export function loadRemembered(origin: string): RememberedHead | null {
  try {
    const raw = localStorage.getItem(headStorageKey(origin));
    if (!raw) return null;
    const h = JSON.parse(raw) as Partial<RememberedHead>;
    if (!Number.isSafeInteger(h.seq) || typeof h.hash !== 'string' || typeof h.key !== 'string') return null;
    return { seq: h.seq as number, hash: h.hash, key: h.key };
  } catch {
    return null;
  }
}

export function saveRemembered(origin: string, h: RememberedHead): void {
  try {
    localStorage.setItem(headStorageKey(origin), JSON.stringify({ seq: h.seq, hash: h.hash, key: h.key }));
  } catch {
    // Storage full or disabled: the check still runs, it just cannot remember.
  }
}

/** Compare a verified head with the one remembered for this server. */
export function compareHead(before: RememberedHead | null, now: RememberedHead): HeadComparison {
  if (!before) return { kind: 'first' };
  if (now.seq < before.seq) return { kind: 'older', before };
  if (now.seq === before.seq)
    return now.hash === before.hash ? { kind: 'same' } : { kind: 'conflict', before };
  return { kind: 'newer', before };
}

type SignedBody = HeadVerifyRequest['head'];

/** The ML-DSA-65 check in a worker; in this thread only where workers are unavailable or fail to load. */
function signatureProblem(h: SignedBody, publicKey: string): Promise<string | null> {
  const head: SignedBody = { seq: h.seq, l: h.l, hash: h.hash, key: h.key, signature: h.signature };
  const here = () => import('./headVerify').then((m) => m.headSignatureProblem(head, publicKey));
  if (typeof Worker === 'undefined') return here();
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./headVerify.worker.ts', import.meta.url), { type: 'module' });
    const done = (answer: Promise<string | null> | string | null) => {
      worker.terminate();
      resolve(answer);
    };
    worker.onmessage = (ev: MessageEvent<string | null>) => done(ev.data);
    worker.onerror = (ev) => {
      ev.preventDefault();
      done(here());
    };
    worker.postMessage({ head, publicKey } satisfies HeadVerifyRequest);
  });
}

/**
 * Verify a signed head (ML-DSA-65 in a worker, loaded on demand), compare it with the one remembered for
 * `origin`, and remember it when it is newer. An older or conflicting head never replaces the
 * remembered one, so the warning persists until the server presents the newest head again.
 */
export async function checkSignedHead(h: SignedHeadResponse, origin: string): Promise<HeadCheck> {
  const head: RememberedHead = { seq: h.seq, hash: h.hash, key: h.key };
  if (h.kind !== 'xdv/trace-head/v1') return { status: 'invalid', head, reason: `unknown kind ${h.kind}` };
  // The key table may not hold the key; the serving node's own key can still be used when it is the signer.
  const publicKey = h.publicKey ?? (h.node.fingerprint === h.key ? h.node.publicKey : null);
  if (!publicKey)
    return { status: 'invalid', head, reason: 'the server does not give the public key that signed it' };
  const problem = await signatureProblem(h, publicKey);
  if (problem) return { status: 'invalid', head, reason: problem };
  const comparison = compareHead(loadRemembered(origin), head);
  if (comparison.kind === 'first' || comparison.kind === 'newer') saveRemembered(origin, head);
  return { status: 'verified', head, comparison };
}
