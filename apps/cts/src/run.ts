import { runAll, type Shared, type TestDef, type TestResult } from './checks.js';
import type { Cluster } from './cluster.js';
import { Http, ok } from './http.js';
import { buildBody, type ReportBody } from './report.js';
import type { Head } from './world.js';

/** Run the suite against a service and build the (unsigned) report body. */
export async function runSuite(opts: {
  url: string;
  token: string;
  mode: 'in-process' | 'remote' | 'cluster';
  /** The nodes for the distributed tests (§8); the rest of the suite runs against `url`. */
  cluster?: Cluster | null;
  only?: (t: TestDef) => boolean;
  onResult?: (r: TestResult) => void;
}): Promise<{ body: ReportBody; results: TestResult[]; shared: Shared }> {
  const http = new Http(opts.url, opts.token);
  const start = await ok('read the trace head', http.get<{ head: Head }>('/v1/trace?limit=1'));
  // Against a shared service every name carries the head seq at start, so two runs never collide
  // and the run stays reproducible from the service's own state.
  const prefix = opts.mode === 'in-process' ? 'cts' : `cts-${start.head.seq}`;
  const seedBase = 10_000 + (opts.mode === 'in-process' ? 0 : (start.head.seq % 100_000) * 100);
  const { results, shared } = await runAll(http, {
    prefix,
    seedBase,
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.onResult ? { onResult: opts.onResult } : {}),
    cluster: opts.cluster ?? null,
  });
  const api = await ok(
    'read /openapi.json',
    http.get<{ info: { title: string; version: string } }>('/openapi.json'),
  );
  const end = await ok('read the trace head', http.get<{ head: Head }>('/v1/trace?limit=1'));
  const body = buildBody({
    results,
    shared,
    head: end.head,
    implementation: {
      id: 'xdv-domain-hypervisor-console',
      name: api.info.title,
      version: api.info.version,
      apiVersion: 'v1',
      target: opts.cluster
        ? `cluster of ${opts.cluster.nodes.length} nodes: ${opts.cluster.nodes.map((n) => n.url).join(', ')}`
        : opts.mode === 'remote'
          ? opts.url
          : 'in-process (fresh PGlite)',
    },
    run: { prefix, seedBase, mode: opts.mode },
  });
  return { body, results, shared };
}
