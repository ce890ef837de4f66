import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { canonicalJson, type Json, keyPairFromSeed } from '@xdv/core';
import type { Shared, TestResult } from './checks.js';

// The XDV-084 §13 compliance report, signed with ML-DSA-65 over the canonical JSON of its body.
// The message has its own domain-separation prefix, so a report signature can never be confused
// with a provider registration or report signature (and core's SignedKind stays untouched).

export const REPORT_KIND = 'xdv/compliance-report/v1';
export const SUITE_VERSION = '0.1.0';
export const SPEC_VERSION = 'XDV-084 0.1-draft';

export interface ReportBody {
  format: typeof REPORT_KIND;
  implementation: { id: string; name: string; version: string; apiVersion: string; target: string };
  kernelVersion: string;
  runtimeVersion: string;
  testSuite: { name: string; version: string; spec: string; specs: string[] };
  tier: 'none' | 'core' | 'distributed' | 'full-hybrid';
  tierReason: string;
  certified: boolean;
  counts: {
    total: number;
    pass: number;
    fail: number;
    notApplicable: number;
    mandatory: number;
    mandatoryPass: number;
  };
  /** `not_run` only for partial runs (`--only`), which can never certify. */
  replayStatus: { status: 'pass' | 'fail' | 'not_run'; detail: string };
  invariantStatus: { status: 'pass' | 'fail' | 'not_run'; detail: string };
  isolationStatus: { status: 'pass' | 'fail'; detail: string };
  traceHead: { seq: number; l: number; hash: string };
  run: { prefix: string; seedBase: number; mode: 'in-process' | 'remote' | 'cluster' };
  tests: TestResult[];
}

export interface SignedReport {
  body: ReportBody;
  signature: { algorithm: 'ML-DSA-65'; kind: typeof REPORT_KIND; publicKey: string; value: string };
}

export function reportMessage(body: unknown): Uint8Array {
  return utf8ToBytes(`${REPORT_KIND}\n${canonicalJson(body as Json)}`);
}

/** The report key: a 32-byte hex seed, directly or from a key file ({"seed": "..."} or the bare hex). */
export function reportKey(opts: { seed?: string; file?: string }): { publicKey: string; secretKey: string } {
  let seed = opts.seed;
  if (opts.file) {
    const raw = readFileSync(opts.file, 'utf8').trim();
    seed = raw.startsWith('{') ? String((JSON.parse(raw) as { seed?: unknown }).seed ?? '') : raw;
  }
  if (!seed || !/^[0-9a-fA-F]{64}$/.test(seed))
    throw new Error('the report key seed must be 32 bytes of hex');
  return keyPairFromSeed(seed.toLowerCase());
}

export function signReport(body: ReportBody, key: { publicKey: string; secretKey: string }): SignedReport {
  const value = bytesToHex(
    ml_dsa65.sign(reportMessage(body), hexToBytes(key.secretKey), { extraEntropy: false }),
  );
  return { body, signature: { algorithm: 'ML-DSA-65', kind: REPORT_KIND, publicKey: key.publicKey, value } };
}

export interface Verdict {
  ok: boolean;
  reason: string;
}

/** Verify a report file's signature over its body; optionally pin the expected public key. */
export function verifyReport(report: unknown, expectedPublicKey?: string): Verdict {
  const r = report as Partial<SignedReport> | null;
  const sig = r?.signature;
  if (!r || typeof r !== 'object' || !r.body || !sig)
    return { ok: false, reason: 'not a signed compliance report' };
  if (sig.algorithm !== 'ML-DSA-65' || sig.kind !== REPORT_KIND)
    return { ok: false, reason: `unsupported signature ${String(sig.algorithm)} / ${String(sig.kind)}` };
  if (
    typeof sig.publicKey !== 'string' ||
    typeof sig.value !== 'string' ||
    !/^[0-9a-f]+$/.test(sig.publicKey + sig.value)
  )
    return { ok: false, reason: 'malformed public key or signature' };
  if (expectedPublicKey && expectedPublicKey.toLowerCase() !== sig.publicKey)
    return { ok: false, reason: 'signed by a different key than the one expected' };
  let good = false;
  try {
    good = ml_dsa65.verify(hexToBytes(sig.value), reportMessage(r.body), hexToBytes(sig.publicKey));
  } catch {
    good = false;
  }
  return good
    ? { ok: true, reason: 'signature valid over the canonical report body' }
    : { ok: false, reason: 'signature does not match the report body (tampered, or signed by another key)' };
}

const ISOLATION = new Set(['4.2', '4.3', '6.3', '7.1', '7.2']);

export function buildBody(input: {
  results: TestResult[];
  shared: Shared;
  head: { seq: number; l: number; hash: string };
  implementation: ReportBody['implementation'];
  run: ReportBody['run'];
}): ReportBody {
  const { results, shared } = input;
  const count = (st: string) => results.filter((t) => t.status === st).length;
  const mandatory = results.filter((t) => t.mandatory);
  const mandatoryPass = mandatory.filter((t) => t.status === 'pass').length;
  const find = (sec: string) => results.filter((t) => t.section === sec);
  const allPass = (ts: TestResult[]) => ts.length > 0 && ts.every((t) => t.status === 'pass');
  const replayOk = allPass(find('9.1')) && shared.replay?.ok === true;
  const invOk = allPass(find('9.2')) && shared.invariants?.ok === true;
  const iso = results.filter((t) => ISOLATION.has(t.section));
  const isoOk = allPass(iso);
  const certified = mandatory.length === mandatoryPass && replayOk && invOk && isoOk;
  const distributed = results.filter((t) => t.section.startsWith('8'));
  const distributedPass = allPass(distributed);
  const passed = (id: string) => results.some((t) => t.id === id && t.status === 'pass');
  // §12: Core needs every mandatory test. Distributed also needs global ordering (§8.1) and node
  // failure (§8.3) on a cluster; Full Hybrid needs every §8 test, Φ-native consensus (§8.2) included.
  const clusterPass = passed('distributed.global_ordering') && passed('distributed.node_failure');
  const tier: ReportBody['tier'] = !certified
    ? 'none'
    : distributedPass
      ? 'full-hybrid'
      : clusterPass
        ? 'distributed'
        : 'core';
  const tierReason = !certified
    ? 'a mandatory test, replay, invariant or isolation check failed'
    : distributedPass
      ? 'all mandatory and distributed tests pass'
      : clusterPass
        ? 'all mandatory tests pass, and global ordering (§8.1) and node failure (§8.3) pass on a cluster; §8.2 Φ-native consensus is not applicable (the nodes order through PostgreSQL), so Full Hybrid is not claimed'
        : distributed.every((t) => t.status === 'not_applicable')
          ? 'all mandatory tests (K, Q, Φ, hypervisor, replay, fault injection, performance) pass; §8 distributed tests are not applicable to a single node (run with --cluster), so the Distributed and Full Hybrid tiers are not claimed'
          : 'all mandatory tests pass; a §8 distributed test failed, so the Distributed and Full Hybrid tiers are not claimed';
  return {
    format: REPORT_KIND,
    implementation: input.implementation,
    kernelVersion: input.implementation.version,
    runtimeVersion: `node ${process.versions.node}`,
    testSuite: {
      name: '@xdv/cts',
      version: SUITE_VERSION,
      spec: SPEC_VERSION,
      specs: ['XDV-084 0.1-draft', 'XDV-083'],
    },
    tier,
    tierReason,
    certified,
    counts: {
      total: results.length,
      pass: count('pass'),
      fail: count('fail'),
      notApplicable: count('not_applicable'),
      mandatory: mandatory.length,
      mandatoryPass,
    },
    replayStatus: {
      status: replayOk ? 'pass' : 'fail',
      detail: shared.replay?.detail ?? 'replay did not complete',
    },
    invariantStatus: {
      status: invOk ? 'pass' : 'fail',
      detail: shared.invariants?.detail ?? 'invariants not checked',
    },
    isolationStatus: {
      status: isoOk ? 'pass' : 'fail',
      detail: `${iso.filter((t) => t.status === 'pass').length}/${iso.length} isolation tests pass (§4.2 §4.3 §6.3 §7.1 §7.2)`,
    },
    traceHead: input.head,
    run: input.run,
    tests: results,
  };
}
