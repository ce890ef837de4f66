// A quick A/B of first-load main-thread cost, steadier than single Lighthouse runs: loads one
// console page N times in fresh tabs, traces each load, and prints the median of
//   tbt4  Σ max(0, 4·d − 50 ms) over top-level tasks after the first contentful paint (d = task
//         duration): Lighthouse mobile's blocking time with its 4× CPU factor, unsimulated;
//   work  all top-level task time from navigation to 4 s later (ms, real);
//   pre-fcp  the part of it before the first contentful paint;
//   lcp   the last largest-contentful-paint candidate (ms after navigation, real).
//   node scripts/page-cost.mjs [--web DIR] [--path /vhms/WEB] [--runs 5]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium.mjs';
import { startDemoServer } from './demo-server.mjs';

const { values } = parseArgs({
  options: {
    web: { type: 'string', multiple: true },
    path: { type: 'string', multiple: true },
    runs: { type: 'string', default: '5' },
  },
});
const webs = (values.web ?? [resolve(import.meta.dirname, '../apps/web/dist')]).map((w) => resolve(w));
const operator = 'xdv_cost_operator_token';
const servers = [];
for (const webDir of webs) servers.push({ ...(await startDemoServer({ webDir, operator })), webDir });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
try {
  for (const rawPath of values.path ?? ['/']) {
    for (const { base, webDir, idOf } of servers) {
      let path = rawPath;
      if (path.includes('WEB')) path = path.replace('WEB', await idOf('vhms', 'web'));
      if (path.includes('AURORA')) path = path.replace('AURORA', await idOf('providers', 'qpu-aurora'));
      const rows = [];
      for (let i = 0; i < Number(values.runs); i++) {
        const page = await browser.newPage();
        await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true });
        await page.goto(`${base}/healthz`);
        await page.evaluate((t) => sessionStorage.setItem('xdv.token', t), operator);
        await page.tracing.start({
          categories: [
            'toplevel',
            'blink.user_timing',
            'rail',
            'loading',
            'devtools.timeline',
            'disabled-by-default-devtools.timeline',
          ],
        });
        await page.goto(`${base}${path}`, { waitUntil: 'load' });
        await new Promise((r) => setTimeout(r, 4000));
        const ev = JSON.parse(Buffer.from(await page.tracing.stop()).toString()).traceEvents;
        await page.close();
        const nav = ev
          .filter(
            (e) =>
              e.name === 'navigationStart' &&
              e.args?.data?.isLoadingMainFrame &&
              e.args.data.documentLoaderURL?.startsWith(base),
          )
          .at(-1);
        const t0 = nav.ts;
        const fcp = ev.find((e) => e.name === 'firstContentfulPaint' && e.ts >= t0)?.ts ?? t0;
        const lcp =
          ev.filter((e) => e.name === 'largestContentfulPaint::Candidate' && e.ts >= t0).at(-1)?.ts ?? fcp;
        const tasks = ev.filter(
          (e) =>
            e.name === 'RunTask' &&
            e.ph === 'X' &&
            e.pid === nav.pid &&
            e.tid === nav.tid &&
            e.ts >= t0 &&
            e.ts < t0 + 4e6,
        );
        const tbt4 = tasks
          .filter((e) => e.ts >= fcp)
          .reduce((a, e) => a + Math.max(0, (4 * e.dur) / 1000 - 50), 0);
        const work = tasks.reduce((a, e) => a + e.dur / 1000, 0);
        const pre = tasks.filter((e) => e.ts < fcp).reduce((a, e) => a + e.dur / 1000, 0);
        rows.push({
          tbt4,
          work,
          pre,
          lcp: (lcp - t0) / 1000,
          long: tasks.filter((e) => e.dur > 12500 && e.ts >= fcp).length,
        });
      }
      const m = (k) => median(rows.map((r) => r[k])).toFixed(0);
      console.log(
        `${rawPath.padEnd(18)} ${webDir.slice(-28).padEnd(28)} tbt4 ${m('tbt4').padStart(5)}  work ${m('work').padStart(4)}  pre-fcp ${m('pre').padStart(3)}  lcp ${m('lcp').padStart(4)}  long ${m('long')}   (tbt4 runs ${rows.map((r) => r.tbt4.toFixed(0)).join(' ')})`,
      );
    }
  }
} finally {
  await browser.close();
  for (const s of servers) await s.close();
}
