// The benchmarks under bench/, run once at a tiny size: each must exit 0 and print its result line.
// Benchmarks are not in `npm test` (they measure, never assert), so without this a refactor can
// break one unnoticed (bench/api lost its request headers that way). Figures printed here mean
// nothing; CI runs it after a build. Usage: node scripts/bench-smoke.mjs
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pg = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || '';

/** name, script, env, what its output must show: each sized to run in seconds (web is Chromium, covered by e2e). */
const BENCHES = [
  ['core', 'bench/core.mjs', { XDV_BENCH_CORE_CMDS: '3000', XDV_BENCH_CORE_PARTS: 'apply,replay' }, /ratio/],
  ['db', 'bench/db.mjs', { XDV_BENCH_APPEND: '400', XDV_BENCH_BOOT_N: '0' }, /ratio/],
  ['api', 'bench/api.mjs', { BENCH_SECONDS: '1' }, /ratio/],
  [
    'reports',
    'bench/reports.mjs',
    { XDV_BENCH_REPORTS: '16', XDV_BENCH_DIRECT: '8', XDV_BENCH_PROVIDERS: '2' },
    /ratio/,
  ],
  ['sse', 'bench/sse-load.mjs', { XDV_SSE_CLIENTS: '5', XDV_SSE_SECONDS: '2' }, /failures: 0/],
  ...(pg
    ? [['cluster', 'bench/cluster.mjs', { XDV_BENCH_SECONDS: '1', XDV_BENCH_LAG_PROBES: '5' }, /ratio|×/]]
    : []),
];

let failed = 0;
for (const [name, script, env, shows] of BENCHES) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [script], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const ok = r.status === 0 && shows.test(out);
  console.log(`${ok ? 'ok  ' : 'FAIL'} bench ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (!ok) {
    failed++;
    console.log(out.split('\n').slice(-30).join('\n'));
  }
}
if (failed > 0) {
  console.log(`${failed} benchmark(s) failed to run`);
  process.exit(1);
}
