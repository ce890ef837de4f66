// Write test-vectors/signing.json: the provider signing scheme on fixed inputs, produced by this
// package's own helpers (build first). test/signing.test.ts holds the helpers to these bytes and the
// server's verifier to accepting them; rerun only when the scheme itself changes version.
import { writeFileSync } from 'node:fs';
import {
  canonicalJson,
  keyPairFromSeed,
  REGISTRATION_PREFIX,
  REPORT_PREFIX,
  signedText,
  signPayload,
} from '../dist/index.js';

const seed = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const keys = keyPairFromSeed(seed);
// Members in a natural reading order on purpose: the canonical text sorts them.
const registration = {
  name: 'qpu-vector',
  domain: 'Q',
  capacity: { memory: 0, cpu: 0, qubits: 8, envelopes: 0 },
  publicKey: keys.publicKey,
  firmware: 'f1f2f3f4f5f6f7f8a1a2a3a4a5a6a7a8',
  features: { liveTransfer: false, operations: ['h', 'cx', 'measure'] },
};
const report = {
  provider: 'provider-1',
  seq: 1,
  qubits: [
    { qubit: 0, t1: 120, t2: 95, fidelity: 9990, readoutError: 80 },
    { qubit: 1, t1: 118, t2: 90, fidelity: 9985, readoutError: 95 },
  ],
};
const vector = (prefix, payload) => ({
  prefix,
  payload,
  canonicalJson: canonicalJson(payload),
  signedText: signedText(prefix, payload),
  signature: signPayload(prefix, payload, keys.secretKey),
});
const out = {
  description:
    'XDV provider signing test vector: ML-DSA-65 (FIPS 204), deterministic (no added randomness), over UTF-8(prefix + "\\n" + RFC 8785 canonical JSON of the payload). Keys and signatures are lowercase hex, as the API takes them. The report is for the first provider a fresh hypervisor registers (provider-1), seq 1.',
  algorithm: 'ML-DSA-65',
  seed,
  publicKey: keys.publicKey,
  registration: { ...vector(REGISTRATION_PREFIX, registration), route: 'POST /v1/providers' },
  report: { ...vector(REPORT_PREFIX, report), route: 'POST /v1/providers/provider-1/reports/q' },
};
writeFileSync(new URL('../test-vectors/signing.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log('wrote test-vectors/signing.json');
