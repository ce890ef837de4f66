// Layout shifts of a console page while the demo fleet keeps running (the simulator commits every
// 400 ms, as in the e2e stack): loads the page N times and prints every shift with the nodes that
// moved, their text and their old → new position. Finds what moves a live page; the e2e audit only
// holds each load's total under 0.1.
//   node scripts/shift-probe.mjs [--path /providers/AURORA] [--width 390] [--runs 2] [--seconds 15]
//     [--shot FILE.png [--full]] (a screenshot of the viewport, or the whole page, after the last load)
// (WEB and AURORA in the path are replaced by the demo's `web` VHM and `qpu-aurora` provider.)
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium.mjs';
import { startDemoServer } from './demo-server.mjs';

const { values } = parseArgs({
  options: {
    path: { type: 'string', default: '/providers/AURORA' },
    width: { type: 'string', default: '390' },
    runs: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '15' },
    web: { type: 'string', default: resolve(import.meta.dirname, '../apps/web/dist') },
    shot: { type: 'string' },
    full: { type: 'boolean', default: false },
  },
});
const operator = 'xdv_shift_probe_operator';
// The simulator keeps committing, one step per 400 ms, as in the e2e stack.
const server = await startDemoServer({ webDir: resolve(values.web), operator, steps: 20, liveMs: 400 });
const { base, idOf } = server;
let path = values.path;
if (path.includes('WEB')) path = path.replace('WEB', await idOf('vhms', 'web'));
if (path.includes('AURORA')) path = path.replace('AURORA', await idOf('providers', 'qpu-aurora'));

const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: Number(values.width), height: 844 });
  await page.evaluateOnNewDocument(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        const nodes = e.sources.map((s) => {
          const n = s.node;
          const name = !n ? '?' : n.nodeType === 1 ? `${n.tagName.toLowerCase()}.${n.className}` : '#text';
          const text = (n?.textContent ?? '').slice(0, 50);
          return `${name} "${text}" y ${s.previousRect.y}→${s.currentRect.y} h ${s.previousRect.height}→${s.currentRect.height}`;
        });
        window.__shifts.push({ t: Math.round(e.startTime), value: e.value, nodes });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(`${base}/healthz`);
  await page.evaluate((t) => sessionStorage.setItem('xdv.token', t), operator);
  for (let run = 0; run < Number(values.runs); run++) {
    await page.goto(`${base}${path}`);
    await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
    const shifts = await page.evaluate(() => window.__shifts);
    const total = shifts.reduce((a, s) => a + s.value, 0);
    console.log(
      `${path} @${values.width} px, load ${run + 1}: ${shifts.length} shifts, total ${total.toFixed(3)}`,
    );
    for (const s of shifts) console.log(`  ${s.t} ms  ${s.value.toFixed(4)}  ${s.nodes.join(' | ')}`);
  }
  if (values.shot) await page.screenshot({ path: values.shot, fullPage: values.full });
} finally {
  await browser.close();
  await server.close();
}
