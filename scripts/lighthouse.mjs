// Lighthouse on every main page of the console (on demand: `npm run audit:lighthouse`, not part of
// `npm test`). Starts the built server (apps/api's openApp) on a temporary PGlite with the demo
// fleet seeded by the simulated providers and a signed compliance report, signs in by putting the
// operator token where the console keeps it (this tab's sessionStorage), and runs Lighthouse in
// Debian's Chromium with the desktop preset (`--mobile` for the default mobile emulation). Prints
// performance, accessibility and best practices per page; exits 1 if any is below the threshold.
//
//   npm run audit:lighthouse [-- --mobile] [-- --min 0.9] [-- --only overview] [-- --json DIR]
//   node scripts/lighthouse.mjs --web DIR   (another build of the console, e.g. a "before" copy)
//   node scripts/lighthouse.mjs --trace DIR (also each page's Chromium trace, for the DevTools panel)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBody, reportKey, signReport, TESTS } from '@xdv/cts';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium.mjs';
import { startDemoServer } from './demo-server.mjs';

const { values } = parseArgs({
  options: {
    mobile: { type: 'boolean', default: false },
    min: { type: 'string', default: '0.9' },
    only: { type: 'string' },
    json: { type: 'string' },
    web: { type: 'string' },
    trace: { type: 'string' },
  },
});
const MIN = Number(values.min);
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
const TOKEN_KEY = 'xdv.token'; // apps/web/src/api/client.ts keeps the session token here

const webDir = resolve(values.web ?? resolve(import.meta.dirname, '../apps/web/dist'));
if (!existsSync(join(webDir, 'index.html'))) {
  console.error(`the console is not built (${webDir}); run npm run build`);
  process.exit(2);
}

const operator = 'xdv_lighthouse_operator_token';
// The demo fleet with a signed compliance report (written below, read by the server on request).
const server = await startDemoServer({
  webDir,
  operator,
  config: (dir) => ({ complianceReport: join(dir, 'cts-report.json') }),
});
const { base } = server;
const reportPath = join(server.dir, 'cts-report.json');

async function api(method, path, body, token = operator) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const chain = await api('GET', '/v1/trace/verify');
const { l } = await api('GET', '/v1/overview');
const tenantRef = { id: 'tenant-1', admin: '', viewer: '' };
const body = buildBody({
  results: TESTS.map((t) => ({
    id: t.id,
    section: t.section,
    module: t.module,
    title: t.title,
    mandatory: t.mandatory,
    // A single service: the tests that need a cluster (§8) are not applicable, as the suite reports.
    status: t.notApplicable || t.applies ? 'not_applicable' : 'pass',
    reason: t.notApplicable ?? (t.applies ? 'single node' : null),
    evidence: { codes: [], seqs: [], notes: [] },
  })),
  shared: {
    t1: tenantRef,
    t2: { ...tenantRef, id: 'tenant-2' },
    replay: { ok: true, entries: chain.entries, head: chain.head, stateHash: null, detail: 'replayed' },
    invariants: { ok: true, violations: 0, detail: 'all invariants hold' },
  },
  head: { seq: chain.entries, l, hash: chain.head },
  implementation: {
    id: 'xdv',
    name: 'XDV Domain Hypervisor',
    version: '0.1.0',
    apiVersion: 'v1',
    target: base,
  },
  run: { prefix: 'lighthouse', seedBase: 1, mode: 'remote' },
});
writeFileSync(reportPath, JSON.stringify(signReport(body, reportKey({ seed: 'a1'.repeat(32) }))));

const vhms = (await api('GET', '/v1/vhms?limit=500')).items;
const providers = (await api('GET', '/v1/providers')).items;
const web = vhms.find((v) => v.name === 'web').id;
const aurora = providers.find((p) => p.name === 'qpu-aurora').id;

const PAGES = [
  ['sign-in', '/', false],
  ['overview', '/', true],
  ['VHM tree', '/vhms', true],
  ['VHM detail', `/vhms/${web}`, true],
  ['providers', '/providers', true],
  ['provider detail', `/providers/${aurora}`, true],
  ['scheduler', '/scheduler', true],
  ['trace', '/trace', true],
  ['replay', `/replay?at=${Math.max(1, l - 20)}`, true],
  ['tenants and tokens', '/admin', true],
  ['compliance', '/compliance', true],
  ['cluster', '/cluster', true],
].filter(([name]) => !values.only || name.includes(values.only));

const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROMIUM_FLAGS });
const browser = await puppeteer.connect({
  browserURL: `http://127.0.0.1:${chrome.port}`,
  defaultViewport: null,
});
const preset = values.mobile ? 'mobile (Lighthouse default emulation and throttling)' : 'desktop';
console.log(
  `Lighthouse ${(await import('lighthouse/package.json', { with: { type: 'json' } })).default.version}`,
);
console.log(
  `preset ${preset}; Chromium ${await browser.version()}; load ${loadavg()[0].toFixed(2)}; ${base}`,
);
console.log(`${'page'.padEnd(20)} ${CATEGORIES.map((c) => c.padStart(14)).join(' ')}`);

/**
 * Lighthouse on one page, in a fresh tab. Signed in: the token goes into this tab's sessionStorage,
 * which Lighthouse's storage reset (cookies, local storage, caches, …) leaves alone, so the audited
 * load is the signed-in console, with a cold HTTP cache. A run whose trace Lighthouse could not
 * read (a runtime error such as NO_NAVSTART, seen now and then) is run again, twice at most.
 */
async function audit(path, signedIn) {
  for (let attempt = 1; ; attempt++) {
    const page = await browser.newPage();
    await page.goto(`${base}/healthz`);
    await page.evaluate(
      (k, t) => (t ? sessionStorage.setItem(k, t) : sessionStorage.removeItem(k)),
      TOKEN_KEY,
      signedIn ? operator : '',
    );
    const flags = { logLevel: 'error', output: 'json', onlyCategories: CATEGORIES };
    const result = await lighthouse(`${base}${path}`, flags, values.mobile ? undefined : desktopConfig, page);
    await page.close();
    const error = result
      ? result.lhr.runtimeError
      : { code: 'NO_RESULT', message: 'Lighthouse returned nothing' };
    if (!error) return result;
    if (attempt >= 3) throw new Error(`${path}: ${error.code} ${error.message}`);
    console.log(`  (${path}: ${error.code}; running it again)`);
  }
}

const failures = [];
if (values.json) mkdirSync(values.json, { recursive: true });
if (values.trace) mkdirSync(values.trace, { recursive: true });
try {
  for (const [name, path, signedIn] of PAGES) {
    const result = await audit(path, signedIn);
    const { lhr } = result;
    // Signed in: the console asked the API who it is (the sign-in page does not until submitted).
    const asked = (lhr.audits['network-requests']?.details?.items ?? []).some(
      (r) => new URL(r.url).pathname === '/v1/me' && r.statusCode === 200,
    );
    if (asked !== signedIn) throw new Error(`${name}: expected ${signedIn ? 'signed in' : 'signed out'}`);
    const scores = CATEGORIES.map((c) => lhr.categories[c]?.score ?? 0);
    console.log(`${name.padEnd(20)} ${scores.map((s) => s.toFixed(2).padStart(14)).join(' ')}`);
    for (const [i, c] of CATEGORIES.entries()) {
      if (scores[i] >= MIN) continue;
      const failing = lhr.categories[c].auditRefs
        .map((r) => lhr.audits[r.id])
        .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative')
        .map((a) => `${a.id} (${a.displayValue ?? a.score})`);
      failures.push(`${name}: ${c} ${scores[i].toFixed(2)} < ${MIN} — ${failing.join(', ')}`);
    }
    const file = name.replace(/\W+/g, '-');
    if (values.json) writeFileSync(join(values.json, `${file}.json`), result.report);
    if (values.trace)
      writeFileSync(join(values.trace, `${file}.trace.json`), JSON.stringify(result.artifacts.Trace));
  }
} finally {
  await browser.disconnect();
  chrome.kill();
  await server.close();
}
if (failures.length) {
  console.log(`\nbelow ${MIN}:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`\nevery page ≥ ${MIN} for ${CATEGORIES.join(', ')}`);
