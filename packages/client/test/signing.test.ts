import { readFileSync } from 'node:fs';
import * as core from '@xdv/core';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  keyPairFromSeed,
  REGISTRATION_PREFIX,
  REPORT_PREFIX,
  ReportSequence,
  signedText,
  signPayload,
  signRegistration,
  signReport,
  verifyPayload,
} from '../src/index.js';

// The published vector (test-vectors/signing.json): the client's helpers reproduce it byte for byte,
// and the server's verifier (packages/core, which admission calls) accepts exactly these bytes.

interface Signed {
  prefix: typeof REGISTRATION_PREFIX | typeof REPORT_PREFIX;
  payload: Record<string, unknown>;
  canonicalJson: string;
  signedText: string;
  signature: string;
}
const vector = JSON.parse(readFileSync(new URL('../test-vectors/signing.json', import.meta.url), 'utf8')) as {
  seed: string;
  publicKey: string;
  registration: Signed;
  report: Signed;
};

describe('provider signing test vector', () => {
  const keys = keyPairFromSeed(vector.seed);

  it('the seed gives the published public key, as the core derives it', () => {
    expect(keys.publicKey).toBe(vector.publicKey);
    expect(core.keyPairFromSeed(vector.seed)).toEqual(keys);
  });

  for (const kind of ['registration', 'report'] as const) {
    it(`the client reproduces the ${kind}: canonical text, signed text and signature`, () => {
      const v = vector[kind];
      expect(canonicalJson(v.payload)).toBe(v.canonicalJson);
      expect(core.canonicalJson(v.payload)).toBe(v.canonicalJson);
      expect(signedText(v.prefix, v.payload)).toBe(`${v.prefix}\n${v.canonicalJson}`);
      expect(signedText(v.prefix, v.payload)).toBe(v.signedText);
      expect(signPayload(v.prefix, v.payload, keys.secretKey)).toBe(v.signature);
      expect(verifyPayload(v.prefix, v.payload, v.signature, vector.publicKey)).toBe(true);
    });

    it(`the server's verifier accepts the ${kind} and refuses it altered or in the other domain`, () => {
      const v = vector[kind];
      expect(core.verify(v.prefix, v.payload, v.signature, vector.publicKey)).toBe(true);
      const other = v.prefix === REGISTRATION_PREFIX ? REPORT_PREFIX : REGISTRATION_PREFIX;
      expect(core.verify(other, v.payload, v.signature, vector.publicKey)).toBe(false);
      expect(core.verify(v.prefix, { ...v.payload, tampered: 1 }, v.signature, vector.publicKey)).toBe(false);
      const foreign = keyPairFromSeed('ff'.repeat(32));
      expect(core.verify(v.prefix, v.payload, v.signature, foreign.publicKey)).toBe(false);
    });
  }

  it('builds the request bodies the routes take', () => {
    const reg = vector.registration.payload as Parameters<typeof signRegistration>[0];
    expect(signRegistration(reg, keys.secretKey)).toEqual({
      registration: reg,
      signature: vector.registration.signature,
    });
    const report = vector.report.payload as Parameters<typeof signReport>[0];
    expect(signReport(report, keys.secretKey)).toEqual({ report, signature: vector.report.signature });
  });

  it('rejects a seed that is not 32 bytes of hex', () => {
    expect(() => keyPairFromSeed('00')).toThrow(/32 bytes/);
    expect(() => keyPairFromSeed('zz'.repeat(32))).toThrow(/32 bytes/);
  });
});

describe('report sequence', () => {
  it('numbers reports after the last accepted seq and catches up, never backwards', () => {
    const s = new ReportSequence(0);
    expect([s.next(), s.next()]).toEqual([1, 2]);
    s.observe(10);
    expect(s.next()).toBe(11);
    s.observe(3);
    expect(s.next()).toBe(12);
    expect(() => new ReportSequence(-1)).toThrow(RangeError);
  });
});
