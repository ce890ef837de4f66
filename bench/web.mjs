// bench/web: initial JS of the console (gzip), and scrolling the VHM tree with 10,000 VHMs in
// Debian's Chromium, counting long tasks (> 50 ms). Prints figures against the targets; no asserts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { configWith, openApp } from '@xdv/api';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';

const N = Number(process.env.XDV_BENCH_VHMS ?? 10_000);
const dist = resolve(import.meta.dirname, '../apps/web/dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let gz = 0;
for (const f of initial) gz += gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const load = () => loadavg()[0].toFixed(2);
console.log(`bench/web  node ${process.version}  load ${load()}`);
console.log(
  `initial JS (gzip, ${initial.length} files)        ${(gz / 1024).toFixed(1).padStart(7)} KB     target ≤ 350 KB   ratio ${(gz / 1024 / 350).toFixed(2)} of budget`,
);

const dir = mkdtempSync(join(tmpdir(), 'xdv-bench-web-'));
const token = 'xdv_bench_web_operator';
const app = await openApp(
  configWith({
    dataDir: join(dir, 'data'),
    bootstrapToken: token,
    rateLimit: 0,
    webDir: dist,
    logLevel: 'warn',
  }),
  { logger: false },
);
await app.server.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.server.server.address().port}`;
const op = { kind: 'operator' };
await app.ledger.submit({
  type: 'tenant.create',
  name: 'fleet',
  quota: { vhms: N, memory: 0, cpu: 0, qubits: 0, envelopes: 0 },
  actor: op,
});
const tenant = Object.keys(app.ledger.state.tenants)[0];
const t0 = performance.now();
const cmds = [];
for (let i = 0; i < N; i++)
  cmds.push({
    type: 'vhm.create',
    tenant,
    name: `vm-${i}`,
    quota: { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0 },
    parent: null,
    capability: null,
    actor: op,
  });
await app.ledger.submitMany(cmds);
console.log(`seeded ${N} VHMs through the ledger in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(base);
await page.getByLabel(/token/i).fill(token);
await page.getByRole('button', { name: /sign in/i }).click();
await page.goto(`${base}/vhms`);
await page
  .getByText(new RegExp(`${N.toLocaleString('en-US')} of ${N.toLocaleString('en-US')} VHMs`))
  .waitFor({ timeout: 120_000 });
// Let loading settle (the first live-stream entry refreshes the list once) before measuring scrolling.
await page.waitForTimeout(3000);
let apiCalls = 0;
page.on('request', (req) => {
  if (req.url().includes('/v1/')) apiCalls++;
});
const r = await page.evaluate(async () => {
  const el = document.querySelector('[data-testid="tree-scroll"]');
  const tasks = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push(e.duration);
  });
  obs.observe({ type: 'longtask', buffered: false });
  const frames = [];
  let last = performance.now();
  const steps = 300;
  for (let i = 0; i < steps; i++) {
    el.scrollTop = (el.scrollHeight * i) / steps;
    await new Promise((res) => requestAnimationFrame(() => res()));
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }
  await new Promise((res) => setTimeout(res, 200));
  obs.disconnect();
  frames.sort((a, b) => a - b);
  return {
    tasks,
    p50: frames[Math.floor(frames.length / 2)],
    p99: frames[Math.floor(frames.length * 0.99)],
    rows: el.querySelectorAll('[role="treeitem"]').length,
  };
});
const maxTask = r.tasks.length ? Math.max(...r.tasks) : 0;
console.log(
  `scroll ${N} VHMs (300 jumps)  long tasks > 50 ms: ${r.tasks.length}  longest ${maxTask.toFixed(0)} ms  target 0 (none > 50 ms)  frame p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms  rows in DOM ${r.rows}  API calls during scroll ${apiCalls}  load ${load()}`,
);
await browser.close();
await app.close();
rmSync(dir, { recursive: true, force: true });
