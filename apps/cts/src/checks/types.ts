// The shape of a conformance test and its result, shared by every section file and the report.

import type { Cluster } from '../cluster.js';
import type { Evidence, TenantRef, World } from '../world.js';

export type Status = 'pass' | 'fail' | 'not_applicable';

export interface TestResult {
  id: string;
  section: string;
  module: string;
  title: string;
  mandatory: boolean;
  status: Status;
  reason: string | null;
  evidence: { codes: string[]; seqs: number[]; notes: string[] };
}

export interface Shared {
  t1: TenantRef;
  t2: TenantRef;
  /** Filled by the replay test for the report. */
  replay: { ok: boolean; entries: number; head: string; stateHash: string | null; detail: string } | null;
  invariants: { ok: boolean; violations: number; detail: string } | null;
  /** The nodes the distributed tests (§8) run across; absent or null for a single service. */
  cluster?: Cluster | null;
}

export interface TestDef {
  id: string;
  section: string;
  module: string;
  title: string;
  mandatory: boolean;
  notApplicable?: string;
  /** Why this test cannot run against what the suite was given (null: it applies). */
  applies?: (s: Shared) => string | null;
  run?: (w: World, ev: Evidence, s: Shared) => Promise<void>;
}
