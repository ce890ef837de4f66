import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { screen, waitFor } from '@testing-library/react';
import { canonicalJson } from '@xdv/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  checkSignedHead,
  compareHead,
  headStorageKey,
  loadRemembered,
  type SignedHeadResponse,
  saveRemembered,
} from '../src/lib/head';
import { fingerprintOf, headSignatureProblem } from '../src/lib/headVerify';
import { SignedHead } from '../src/views/Trace';
import { mockApi, renderWithClient } from './helpers';

// A node key and signed heads built here the way packages/db/src/seal.ts builds them:
// ML-DSA-65 over "xdv/trace-head/v1\n" + canonicalJson({seq, l, hash}), deterministic signing.
const pair = ml_dsa65.keygen(new Uint8Array(32).fill(7));
const publicKey = bytesToHex(pair.publicKey);
const key = bytesToHex(sha256(pair.publicKey));
const other = ml_dsa65.keygen(new Uint8Array(32).fill(9));

function signed(seq: number, hash = `${seq}`.padStart(64, 'a'), secret = pair.secretKey): SignedHeadResponse {
  const body = { seq, l: seq * 2, hash };
  const msg = utf8ToBytes(`xdv/trace-head/v1\n${canonicalJson(body)}`);
  return {
    ...body,
    key,
    signature: bytesToHex(ml_dsa65.sign(msg, secret, { extraEntropy: false })),
    publicKey,
    trusted: true,
    kind: 'xdv/trace-head/v1',
    node: { fingerprint: key, publicKey },
  };
}

const ORIGIN = 'http://hv.test:8090';

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

describe('signed head verification', () => {
  it('verifies a real ML-DSA-65 signed head and its key fingerprint', () => {
    const h = signed(12);
    expect(fingerprintOf(publicKey)).toBe(key);
    expect(headSignatureProblem(h, publicKey)).toBeNull();
  });

  it('rejects a tampered body, a signature by another key, and a public key that is not the head’s key', () => {
    const h = signed(12);
    expect(headSignatureProblem({ ...h, seq: 13 }, publicKey)).toMatch(/does not verify/);
    expect(headSignatureProblem({ ...h, l: 1 }, publicKey)).toMatch(/does not verify/);
    expect(headSignatureProblem(signed(12, undefined, other.secretKey), publicKey)).toMatch(
      /does not verify/,
    );
    expect(headSignatureProblem(h, bytesToHex(other.publicKey))).toMatch(/fingerprint .* does not match/);
    expect(headSignatureProblem({ ...h, signature: 'zz' }, publicKey)).toMatch(/not hex/);
  });

  it('falls back to the node key only when it is the signer', async () => {
    const h = { ...signed(3), publicKey: null };
    expect((await checkSignedHead(h, ORIGIN)).status).toBe('verified');
    const r = await checkSignedHead({ ...h, node: { fingerprint: 'f'.repeat(64), publicKey } }, ORIGIN);
    expect(r).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/public key/) });
  });
});

describe('remembered head', () => {
  const a = { seq: 5, hash: 'a'.repeat(64), key };
  it('compares: first, same, newer, older, conflict', () => {
    expect(compareHead(null, a).kind).toBe('first');
    expect(compareHead(a, { ...a }).kind).toBe('same');
    expect(compareHead(a, { ...a, seq: 6, hash: 'b'.repeat(64) }).kind).toBe('newer');
    expect(compareHead(a, { ...a, seq: 4 })).toEqual({ kind: 'older', before: a });
    expect(compareHead(a, { ...a, hash: 'c'.repeat(64) })).toEqual({ kind: 'conflict', before: a });
  });

  it('is kept per origin; a newer head replaces it, an older or conflicting one does not', async () => {
    expect((await checkSignedHead(signed(5), ORIGIN)).status).toBe('verified');
    expect(JSON.parse(localStorage.getItem(headStorageKey(ORIGIN))!)).toEqual({
      seq: 5,
      hash: signed(5).hash,
      key,
    });
    expect(loadRemembered('http://other.test')).toBeNull();
    expect(await checkSignedHead(signed(8), ORIGIN)).toMatchObject({ comparison: { kind: 'newer' } });
    expect(loadRemembered(ORIGIN)?.seq).toBe(8);
    expect(await checkSignedHead(signed(6), ORIGIN)).toMatchObject({
      comparison: { kind: 'older', before: { seq: 8 } },
    });
    expect(await checkSignedHead(signed(8, 'f'.repeat(64)), ORIGIN)).toMatchObject({
      comparison: { kind: 'conflict' },
    });
    expect(loadRemembered(ORIGIN)).toEqual({ seq: 8, hash: signed(8).hash, key });
  });

  it('does not remember a head whose signature fails', async () => {
    const r = await checkSignedHead({ ...signed(9), seq: 10 }, ORIGIN);
    expect(r.status).toBe('invalid');
    expect(loadRemembered(ORIGIN)).toBeNull();
  });

  it('ignores a malformed stored value', () => {
    localStorage.setItem(headStorageKey(ORIGIN), '{"seq":"x"}');
    expect(loadRemembered(ORIGIN)).toBeNull();
  });
});

describe('signed head in the trace view', () => {
  it('shows a verified head with its key', async () => {
    mockApi({ 'GET /v1/trace/head': signed(12) });
    renderWithClient(<SignedHead origin={ORIGIN} />);
    expect(await screen.findByText(/Signed head seq 12 verified/)).toBeTruthy();
    expect(screen.getByText(`${key.slice(0, 16)}…`)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('warns of a possible rollback when the server presents an older head than one seen before', async () => {
    saveRemembered(ORIGIN, { seq: 20, hash: 'e'.repeat(64), key });
    mockApi({ 'GET /v1/trace/head': signed(12) });
    renderWithClient(<SignedHead origin={ORIGIN} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(
      /older signed head \(seq 12 < seq 20 you saw before\): possible rollback/,
    );
  });

  it('warns of a conflicting head at the same seq', async () => {
    saveRemembered(ORIGIN, { seq: 12, hash: 'e'.repeat(64), key });
    mockApi({ 'GET /v1/trace/head': signed(12) });
    renderWithClient(<SignedHead origin={ORIGIN} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Conflicting signed head: seq 12/);
    expect(alert.textContent).toContain('e'.repeat(64));
  });

  it('says clearly when the signature does not verify', async () => {
    mockApi({ 'GET /v1/trace/head': { ...signed(12), hash: 'b'.repeat(64) } });
    renderWithClient(<SignedHead origin={ORIGIN} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Signed head seq 12 does NOT verify/);
    expect(localStorage.getItem(headStorageKey(ORIGIN))).toBeNull();
  });

  it('says when nothing is signed yet (404)', async () => {
    mockApi({
      'GET /v1/trace/head': new Response(JSON.stringify({ code: 'HV_NOT_FOUND', detail: 'none' }), {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      }),
    });
    renderWithClient(<SignedHead origin={ORIGIN} />);
    await waitFor(() => expect(screen.getByText(/no trace head has been signed yet/)).toBeTruthy());
  });
});
