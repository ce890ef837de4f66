// A CPU profile of one console page's cold load under 4x CPU throttling (the Lighthouse mobile
// factor), self time summed by function and by chunk: where the first-load main-thread time goes.
//   node scripts/profile-page.mjs [--web DIR] [--path /vhms] [--top 40]
// With a build that has source maps (`npx vite build --sourcemap --outDir DIR --emptyOutDir` in
// apps/web, then --web DIR), frames are named by their source file and line.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { SourceMapConsumer } from 'source-map-js';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium.mjs';
import { startDemoServer } from './demo-server.mjs';

const { values } = parseArgs({
  options: {
    web: { type: 'string' },
    path: { type: 'string', default: '/' },
    top: { type: 'string', default: '40' },
    tree: { type: 'boolean', default: false },
    depth: { type: 'string', default: '12' },
    min: { type: 'string', default: '20' },
  },
});
const webDir = resolve(values.web ?? resolve(import.meta.dirname, '../apps/web/dist'));
const operator = 'xdv_profile_operator_token';
const server = await startDemoServer({ webDir, operator });
const { base } = server;
const path = values.path.replace('WEB', await server.idOf('vhms', 'web'));

const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true });
  await page.goto(`${base}/healthz`);
  await page.evaluate((t) => sessionStorage.setItem('xdv.token', t), operator);
  const cdp = await page.createCDPSession();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  await new Promise((r) => setTimeout(r, 4000));
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    self.set(n.id, (self.get(n.id) ?? 0) + (dt[i + 1] ?? 0));
  }
  // The original position of a frame, when the build has a source map for its chunk.
  const maps = new Map();
  const original = ({ url, lineNumber, columnNumber }) => {
    const file = url.split('/').pop();
    if (!file?.endsWith('.js')) return null;
    if (!maps.has(file)) {
      const mapFile = join(webDir, 'assets', `${file}.map`);
      maps.set(
        file,
        existsSync(mapFile) ? new SourceMapConsumer(JSON.parse(readFileSync(mapFile, 'utf8'))) : null,
      );
    }
    const p = maps.get(file)?.originalPositionFor({ line: lineNumber + 1, column: columnNumber });
    return p?.source ? `${p.name ?? '(anon)'} ${p.source.replace(/^(\.\.\/)+/, '')}:${p.line}` : null;
  };
  const byFn = new Map();
  const byUrl = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const { functionName, url, lineNumber } = callFrame;
    const file = url.split('/').pop() || '(native)';
    const k = original(callFrame) ?? `${functionName || '(anon)'} ${file}:${lineNumber + 1}`;
    byFn.set(k, (byFn.get(k) ?? 0) + us);
    byUrl.set(file, (byUrl.get(file) ?? 0) + us);
  }
  // Total (self + children) per node, then the heaviest call paths, to see what a hot frame calls.
  const total = new Map();
  const tot = (n) => {
    if (total.has(n.id)) return total.get(n.id);
    const t = (self.get(n.id) ?? 0) + (n.children ?? []).reduce((a, c) => a + tot(byId.get(c)), 0);
    total.set(n.id, t);
    return t;
  };
  const label = (n) =>
    original(n.callFrame) ??
    `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  const walk = (n, depth) => {
    if (depth > Number(values.depth) || tot(n) < Number(values.min) * 1000) return;
    console.log(`${(tot(n) / 1000).toFixed(1).padStart(8)} ms ${'  '.repeat(depth)}${label(n)}`);
    for (const c of (n.children ?? []).map((id) => byId.get(id)).sort((a, b) => tot(b) - tot(a)))
      walk(c, depth + 1);
  };
  if (values.tree) {
    console.log('-- tree');
    walk(profile.nodes[0], 0);
  }
  const show = (m, n) => {
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
      console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  };
  console.log('-- by file');
  show(byUrl, 15);
  console.log('-- by function');
  show(byFn, Number(values.top));
} finally {
  await browser.close();
  await server.close();
}
