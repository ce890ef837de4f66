import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBody, reportKey, signReport, TESTS } from '@xdv/cts';
import axe from 'axe-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialog, region, rest, type Stack, shot, signedIn, startStack, T } from './stack.js';

// The accessibility and console audit: every console page, as the operator and as a tenant admin,
// in the light and the dark colour scheme, has no serious or critical axe-core violation and logs
// no console error or uncaught exception. Data: the demo fleet (tenants, nested VHMs, K/Q/Φ
// contracts with active bindings), a Q job, a terminated Φ envelope, a signed compliance report.

const SCHEMES = ['light', 'dark'] as const;
/** Screenshots of every audited page and scheme (XDV_AUDIT_SHOTS=1); failures are always shot. */
const ALL_SHOTS = process.env.XDV_AUDIT_SHOTS === '1';
const AXE_URL = '/__audit/axe-core.js';

let stack: Stack;
let reportDir = '';
const contexts: BrowserContext[] = [];
const ids = { web: '', analytics: '', batch: '', aurora: '', lumen: '', earlierL: 0 };

interface Finding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * The dark scheme changes colour custom properties only (styles.css), never the DOM or the layout,
 * so in it only the rules that look at colours run again; the light scheme runs every rule.
 */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/** Load axe-core (from the same origin, so the console's CSP stays on) and run it on the page. */
async function runAxe(
  page: Page,
  rules: string[] | null,
): Promise<{ violations: Finding[]; evaluated: string[] }> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: AXE_URL });
  return page.evaluate(async (only) => {
    type Results = Record<'violations' | 'passes' | 'incomplete', axe.Result[]>;
    const r = await (
      window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<Results> } }
    ).axe.run(document, {
      resultTypes: ['violations'],
      ...(only ? { runOnly: { type: 'rule', values: only } } : {}),
    });
    return {
      // Rules that found something to check on this page (not merely inapplicable).
      evaluated: [...r.passes, ...r.violations, ...r.incomplete].map((x) => x.id),
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? 'unknown',
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      })),
    };
  }, rules);
}

/** Waits until the page shows its heading and nothing is loading any more (twice in a row). */
async function settle(page: Page): Promise<void> {
  await page.locator('h1').first().waitFor({ timeout: T });
  let quiet = 0;
  await expect
    .poll(
      async () => {
        const busy = await page.locator('.skeleton, .state.loading, [aria-busy="true"]').count();
        quiet = busy === 0 ? quiet + 1 : 0;
        return quiet;
      },
      { timeout: T, interval: 150 },
    )
    .toBeGreaterThanOrEqual(2);
}

const fmt = (f: Finding) =>
  `${f.id} [${f.impact}] ${f.help} — ${f.targets.slice(0, 6).join(' | ')}${f.targets.length > 6 ? ` (+${f.targets.length - 6} more)` : ''}`;

/**
 * Audit the page as it is now in both colour schemes (every rule in light, the colour rules again
 * in dark): one soft assertion per scheme naming the page, and one for the console errors collected
 * since the last audit.
 */
async function audit(page: Page, errors: string[], name: string): Promise<void> {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    const { violations: found, evaluated } = await runAxe(page, scheme === 'light' ? null : COLOUR_RULES);
    // A check that ran nothing would pass anything: axe must have evaluated the page's rules.
    if (scheme === 'light') expect(evaluated.length, `${name}: axe evaluated the page`).toBeGreaterThan(10);
    expect(evaluated, `${name} (${scheme}): axe checked colour contrast`).toContain('color-contrast');
    const serious = found.filter((f) => f.impact === 'serious' || f.impact === 'critical');
    const minor = found.filter((f) => !serious.includes(f));
    if (minor.length)
      console.log(`${name} (${scheme}): minor/moderate axe findings:\n  ${minor.map(fmt).join('\n  ')}`);
    const slug = name.replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase();
    if (ALL_SHOTS || serious.length) await shot(page, `audit-${slug}-${scheme}`);
    expect.soft(serious.map(fmt), `${name} (${scheme}): serious or critical axe violations`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect.soft([...errors], `${name}: console errors and uncaught exceptions`).toEqual([]);
  errors.length = 0;
}

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
] as const;

/**
 * What a person at this screen size can use: the page does not scroll sideways, no visible button
 * or table header is cut off (outside the screen without a scrolling box to reach it, or its own
 * text clipped), visible text is at least 11 px, and an open dialog's buttons are on screen and
 * are what a tap at their centre hits.
 */
async function layout(page: Page, name: string): Promise<void> {
  const r = await page.evaluate(() => {
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const visible = (el: Element) => {
      const b = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return b.width > 0 && b.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
    };
    const scrollsX = (el: Element) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll') return true;
      }
      return false;
    };
    const label = (el: Element) =>
      `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const clipped: string[] = [];
    for (const el of Array.from(document.querySelectorAll('button, th, [role="columnheader"]'))) {
      if (!visible(el) || el.closest('.sr-only')) continue;
      const b = el.getBoundingClientRect();
      if ((b.right > vw + 1 || b.left < -1) && !scrollsX(el)) clipped.push(`${label(el)} off screen`);
      const h = el as HTMLElement;
      if (h.scrollWidth > h.clientWidth + 1 && getComputedStyle(h).overflowX === 'hidden')
        clipped.push(`${label(el)} text clipped`);
    }
    const small: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (
        !el ||
        !(n.textContent ?? '').trim() ||
        !visible(el) ||
        el.closest('.sr-only, [aria-hidden="true"]')
      )
        continue;
      const px = Number.parseFloat(getComputedStyle(el).fontSize);
      if (px < 11) small.push(`${label(el)} ${px}px`);
    }
    const dialogButtons: string[] = [];
    for (const b of Array.from(document.querySelectorAll('[role="dialog"] .dialog-foot button'))) {
      const x = b.getBoundingClientRect();
      const hit = document.elementFromPoint(x.left + x.width / 2, x.top + x.height / 2);
      if (x.left < 0 || x.right > vw || x.top < 0 || x.bottom > vh || !hit || !(hit === b || b.contains(hit)))
        dialogButtons.push(label(b));
    }
    return {
      overflow: document.documentElement.scrollWidth - vw,
      clipped: [...new Set(clipped)].slice(0, 10),
      small: [...new Set(small)].slice(0, 10),
      dialogButtons,
    };
  });
  expect.soft(r.overflow, `${name}: the page scrolls sideways by ${r.overflow}px`).toBeLessThanOrEqual(0);
  expect.soft(r.clipped, `${name}: clipped buttons or columns`).toEqual([]);
  expect.soft(r.small, `${name}: visible text under 11px`).toEqual([]);
  expect.soft(r.dialogButtons, `${name}: dialog buttons off screen or covered`).toEqual([]);
}

/** Audit at every viewport: axe and errors (audit) and what fits the screen (layout). */
async function auditAll(
  page: Page,
  errors: string[],
  name: string,
  again?: () => Promise<void>,
): Promise<void> {
  for (const vp of VIEWPORTS) {
    if (page.viewportSize()?.width !== vp.width) {
      await page.setViewportSize(vp);
      await again?.();
    }
    const at = `${name} @${vp.width}×${vp.height}`;
    await layout(page, at);
    await audit(page, errors, at);
  }
  await page.setViewportSize(VIEWPORTS[0]);
}

/**
 * The layout shift of the load so far (the Web Vitals CLS sum without input), from a
 * layout-shift observer every page of the session starts with; "good" is below 0.1.
 */
async function layoutShift(page: Page, name: string): Promise<void> {
  const { cls, sources } = await page.evaluate(() => {
    const w = window as unknown as { __xdvCls?: { cls: number; sources: string[] } };
    return w.__xdvCls ?? { cls: -1, sources: [] };
  });
  expect(cls, `${name}: the layout-shift observer ran`).toBeGreaterThanOrEqual(0);
  if (cls >= 0.1) console.log(`${name}: layout shift ${cls.toFixed(3)} (${sources.join(' | ')})`);
  expect.soft(cls, `${name}: layout shift while loading (${sources.join(' | ')})`).toBeLessThan(0.1);
}

async function session(token: string) {
  const s = await signedIn(stack, token);
  contexts.push(s.ctx);
  await s.ctx.addInitScript(() => {
    const record = { cls: 0, sources: [] as string[] };
    (window as unknown as { __xdvCls: typeof record }).__xdvCls = record;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
        sources: { node: Node | null }[];
      })[]) {
        if (e.hadRecentInput) continue;
        record.cls += e.value;
        for (const src of e.sources)
          record.sources.push(
            `${e.value.toFixed(3)} ${src.node instanceof Element ? src.node.outerHTML.slice(0, 80) : String(src.node?.nodeName)}`,
          );
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await s.ctx.route(`**${AXE_URL}`, (r) =>
    r.fulfill({ contentType: 'text/javascript; charset=utf-8', body: axe.source }),
  );
  return s;
}

interface PageSpec {
  name: string;
  path: () => string;
  /** What to do on the page before it is audited (open a detail, select a row). */
  prepare?: (page: Page) => Promise<void>;
  operatorOnly?: boolean;
}

const PAGES: PageSpec[] = [
  { name: 'overview', path: () => '/' },
  { name: 'VHM tree', path: () => '/vhms' },
  { name: 'VHM detail: web (nested VHMs, K and Q bindings, Q job)', path: () => `/vhms/${ids.web}` },
  { name: 'VHM detail: web-analytics (nested)', path: () => `/vhms/${ids.analytics}` },
  { name: 'VHM detail: batch (terminated Φ envelope)', path: () => `/vhms/${ids.batch}` },
  { name: 'providers', path: () => '/providers' },
  { name: 'provider: qpu-aurora', path: () => `/providers/${ids.aurora}` },
  { name: 'provider: phi-lumen', path: () => `/providers/${ids.lumen}` },
  { name: 'scheduler', path: () => '/scheduler' },
  { name: 'trace', path: () => '/trace' },
  {
    name: 'trace with an entry open',
    path: () => '/trace',
    prepare: async (page) => {
      const seq = page.getByRole('table').getByRole('button').first();
      await seq.waitFor({ timeout: T });
      const n = ((await seq.textContent()) ?? '').trim();
      // Live entries are prepended as they commit, so `.first()` may name a newer row by the time of
      // the click: click the row read above, by its seq.
      await page.getByRole('table').getByRole('button', { name: n, exact: true }).first().click();
      await page.getByRole('complementary', { name: `Entry ${n}` }).waitFor({ timeout: T });
    },
  },
  { name: 'replay', path: () => '/replay' },
  { name: 'replay at an earlier L', path: () => `/replay?at=${ids.earlierL}` },
  { name: 'overview at an earlier L (NOT LIVE)', path: () => `/?at=${ids.earlierL}` },
  { name: 'VHM tree at an earlier L (NOT LIVE)', path: () => `/vhms?at=${ids.earlierL}` },
  { name: 'VHM detail at an earlier L (NOT LIVE)', path: () => `/vhms/${ids.batch}?at=${ids.earlierL}` },
  { name: 'tenants and tokens', path: () => '/admin', operatorOnly: true },
  { name: 'compliance', path: () => '/compliance' },
  { name: 'cluster', path: () => '/cluster' },
  { name: 'page not found', path: () => '/no-such-page' },
];

beforeAll(async () => {
  reportDir = mkdtempSync(join(tmpdir(), 'xdv-audit-'));
  const reportPath = join(reportDir, 'cts-report.json');
  stack = await startStack({ demo: true, simIntervalMs: 500, complianceReport: reportPath });
  const tenants = stack.tenants!;
  type Items<X> = { items: X[] };
  const vhms = await rest<Items<{ id: string; name: string }>>(stack, tenants.acme, 'GET', '/v1/vhms');
  const vhm = (n: string) => vhms.body.items.find((v) => v.name === n)!.id;
  ids.web = vhm('web');
  ids.analytics = vhm('web-analytics');
  ids.batch = vhm('batch');
  const providers = await rest<Items<{ id: string; name: string }>>(
    stack,
    stack.operator,
    'GET',
    '/v1/providers',
  );
  const provider = (n: string) => providers.body.items.find((p) => p.name === n)!.id;
  ids.aurora = provider('qpu-aurora');
  ids.lumen = provider('phi-lumen');

  // A Q job on web's active Q binding (the demo workload runs more on its own).
  type Binding = { id: string; domain: string; state: string; envelope: string | null; contract: string };
  const bindings = async (v: string) =>
    (await rest<Items<Binding>>(stack, tenants.acme, 'GET', `/v1/bindings?vhm=${v}`)).body.items;
  const caps = await rest<Items<{ id: string; revoked: boolean }>>(
    stack,
    tenants.acme,
    'GET',
    `/v1/vhms/${ids.web}/capabilities`,
  );
  const qb = (await bindings(ids.web)).find((b) => b.domain === 'Q' && b.state === 'active')!;
  const job = await rest(stack, tenants.acme, 'POST', `/v1/bindings/${qb.id}/jobs`, {
    capability: caps.body.items.find((c) => !c.revoked)!.id,
    cost: 5,
  });
  expect(job.status, 'a Q job runs').toBe(201);
  ids.earlierL = (await rest<{ l: number }>(stack, stack.operator, 'GET', '/v1/overview')).body.l;

  // batch's Φ window opens a few ticks after seeding; once its envelope is live, a stability breach
  // terminates it (and the demo workload later binds a fresh Φ contract next to it).
  const phi = async () => (await bindings(ids.batch)).find((b) => b.domain === 'PHI');
  const envelopeBinding = await vi.waitFor(
    async () => {
      const b = await phi();
      if (!b?.envelope) throw new Error("batch's Φ envelope is not live yet");
      return b;
    },
    { timeout: T, interval: 200 },
  );
  // The breach hits one of the provider's live envelopes: breach until it is batch's.
  const released = async () =>
    (await bindings(ids.batch)).find((x) => x.id === envelopeBinding.id)?.state === 'released';
  for (let i = 0; i < 8 && !(await released()); i++) {
    await stack.breach();
    await vi
      .waitFor(
        async () => {
          if (!(await released())) throw new Error('not yet');
        },
        { timeout: 2_000, interval: 200 },
      )
      .catch(() => {});
  }
  expect(await released(), "batch's Φ envelope was terminated by a stability breach").toBe(true);

  // A signed compliance report of the conformance suite's real test list.
  const chain = await rest<{ entries: number; head: string }>(
    stack,
    stack.operator,
    'GET',
    '/v1/trace/verify',
  );
  const l = (await rest<{ l: number }>(stack, stack.operator, 'GET', '/v1/overview')).body.l;
  const tenantRef = { id: 'tenant-1', admin: '', viewer: '' };
  const body = buildBody({
    results: TESTS.map((t) => ({
      id: t.id,
      section: t.section,
      module: t.module,
      title: t.title,
      mandatory: t.mandatory,
      // A single service: the tests that need a cluster (§8) are not applicable, as the suite reports.
      status: t.notApplicable || t.applies ? ('not_applicable' as const) : ('pass' as const),
      reason: t.notApplicable ?? (t.applies ? 'single node' : null),
      evidence: { codes: [], seqs: [], notes: [] },
    })),
    shared: {
      t1: tenantRef,
      t2: { ...tenantRef, id: 'tenant-2' },
      replay: {
        ok: true,
        entries: chain.body.entries,
        head: chain.body.head,
        stateHash: null,
        detail: 'replayed',
      },
      invariants: { ok: true, violations: 0, detail: 'all invariants hold' },
    },
    head: { seq: chain.body.entries, l, hash: chain.body.head },
    implementation: {
      id: 'xdv',
      name: 'XDV Domain Hypervisor',
      version: '0.1.0',
      apiVersion: 'v1',
      target: stack.base,
    },
    run: { prefix: 'audit', seedBase: 1, mode: 'remote' },
  });
  writeFileSync(reportPath, JSON.stringify(signReport(body, reportKey({ seed: 'a1'.repeat(32) }))));
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await stack?.close();
  if (reportDir) rmSync(reportDir, { recursive: true, force: true });
});

describe('audit: sign-in', () => {
  it('sign-in page', async () => {
    const ctx = await stack.browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(ctx);
    await ctx.route(`**${AXE_URL}`, (r) =>
      r.fulfill({ contentType: 'text/javascript; charset=utf-8', body: axe.source }),
    );
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.base);
    await page.getByLabel('API token').waitFor({ timeout: T });
    await audit(page, errors, 'sign-in');
  });
});

for (const who of ['operator', 'tenant admin'] as const) {
  describe(`audit: ${who}`, () => {
    let s: { page: Page; errors: string[] };
    beforeAll(async () => {
      s = await session(who === 'operator' ? stack.operator : stack.tenants!.acme);
    });

    for (const p of PAGES.filter((x) => who === 'operator' || !x.operatorOnly)) {
      it(`${who}: ${p.name}`, async () => {
        await s.page.goto(`${stack.base}${p.path()}`);
        await settle(s.page);
        await layoutShift(s.page, `${who}: ${p.name} @1440`);
        if (p.prepare) await p.prepare(s.page);
        // At the phone size the page is loaded afresh, as a phone would (charts size to the screen).
        await auditAll(s.page, s.errors, `${who}: ${p.name}`, async () => {
          await s.page.reload();
          await settle(s.page);
          await layoutShift(s.page, `${who}: ${p.name} @390`);
          if (p.prepare) await p.prepare(s.page);
        });
      });
    }

    if (who === 'tenant admin')
      it('tenant admin: tenants and tokens (not an operator)', async () => {
        await s.page.goto(`${stack.base}/admin`);
        await s.page.getByRole('main').getByRole('alert').waitFor({ timeout: T });
        await audit(s.page, s.errors, 'tenant admin: tenants and tokens (refused)');
      });

    it(`${who}: guarded action dialog (terminate web, then cancel)`, async () => {
      const page = s.page;
      await page.goto(`${stack.base}/vhms/${ids.web}`);
      await settle(page);
      await region(page, 'Lifecycle').getByRole('button', { name: 'Terminate', exact: true }).click();
      const d = dialog(page);
      await d.getByText('Dry run: the core would accept this.').waitFor({ timeout: T });
      await auditAll(page, s.errors, `${who}: terminate confirmation dialog`);
      await d.getByRole('button', { name: 'Cancel' }).click();
      await d.waitFor({ state: 'detached', timeout: T });
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/web/);
    });

    it(`${who}: form dialog (allocate a contract, then cancel)`, async () => {
      const page = s.page;
      await region(page, 'Resource contracts')
        .getByRole('button', { name: 'Allocate contract', exact: true })
        .click();
      const d = dialog(page);
      await d.getByLabel(/^Domain/).selectOption('PHI');
      await auditAll(page, s.errors, `${who}: allocate contract dialog`);
      await d.getByRole('button', { name: 'Cancel' }).click();
      await d.waitFor({ state: 'detached', timeout: T });
    });
  });
}
