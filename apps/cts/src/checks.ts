import { CLOCK_TESTS } from './checks/clock.js';
import { DISTRIBUTED_TESTS } from './checks/distributed.js';
import { FAULT_TESTS } from './checks/fault.js';
import { HYPERVISOR_TESTS } from './checks/hypervisor.js';
import { KERNEL_TESTS } from './checks/kernel.js';
import { PERFORMANCE_TESTS } from './checks/performance.js';
import { PHI_DOMAIN_TESTS } from './checks/phi-domain.js';
import { Q_DOMAIN_TESTS } from './checks/q-domain.js';
import { REPLAY_TESTS } from './checks/replay.js';
import type { Shared, Status, TestDef, TestResult } from './checks/types.js';
import type { Cluster } from './cluster.js';
import type { Http } from './http.js';
import { Evidence, World } from './world.js';

export type { Shared, Status, TestDef, TestResult } from './checks/types.js';

// The XDV-084 tests, one file per section in ./checks/, driven only through the REST API.
// Each test builds its own tenants, VHMs and providers, so tests are independent and order-free,
// except the whole-trace tests (§9 replay, §11 clock monotonicity), which run last so that the
// trace they check holds everything else.
export const TESTS: TestDef[] = [
  ...KERNEL_TESTS,
  ...Q_DOMAIN_TESTS,
  ...PHI_DOMAIN_TESTS,
  ...HYPERVISOR_TESTS,
  ...DISTRIBUTED_TESTS,
  ...FAULT_TESTS,
  ...PERFORMANCE_TESTS,
  ...REPLAY_TESTS,
  ...CLOCK_TESTS,
];

/** Run every test; a thrown CheckFailure (or any error) is that test's failure, never the suite's. */
export async function runAll(
  http: Http,
  opts: {
    prefix: string;
    seedBase: number;
    only?: (t: TestDef) => boolean;
    onResult?: (r: TestResult) => void;
    cluster?: Cluster | null;
  },
): Promise<{ results: TestResult[]; shared: Shared }> {
  const w = new World(http, opts.prefix, opts.seedBase);
  const shared: Shared = {
    t1: await w.tenant(),
    t2: await w.tenant(),
    replay: null,
    invariants: null,
    cluster: opts.cluster ?? null,
  };
  const results: TestResult[] = [];
  for (const t of TESTS.filter(opts.only ?? (() => true))) {
    const ev = new Evidence();
    let status: Status = 'pass';
    let reason: string | null = null;
    const na = t.notApplicable ?? (t.run ? (t.applies?.(shared) ?? null) : 'not implemented');
    if (na !== null || !t.run) {
      status = 'not_applicable';
      reason = na;
    } else {
      try {
        await t.run(w, ev, shared);
      } catch (e) {
        status = 'fail';
        reason = e instanceof Error ? e.message : String(e);
      }
    }
    const r: TestResult = {
      id: t.id,
      section: t.section,
      module: t.module,
      title: t.title,
      mandatory: t.mandatory,
      status,
      reason,
      evidence: { codes: ev.codes, seqs: ev.seqs, notes: ev.notes },
    };
    results.push(r);
    opts.onResult?.(r);
  }
  return { results, shared };
}
