import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type App, openApp } from '@xdv/api';
import { Simulator } from '@xdv/provider-sim';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

// The production stack for browser journeys: the built console served by the API on a fresh PGlite,
// with simulated providers registered and stepping on their own, and Debian's Chromium.

export const WEB_DIR = resolve(import.meta.dirname, '../../apps/web/dist');
export const SHOTS = resolve(import.meta.dirname, '../screenshots');

export interface StackOptions {
  /** Seed the demo fleet (tenants acme and globex, nested VHMs, K/Q/Φ contracts with active bindings). */
  demo?: boolean;
  /** Wall-clock pause between simulator steps (default 400 ms). */
  simIntervalMs?: number;
  /** The conformance report the compliance page shows. */
  complianceReport?: string;
}

export interface Stack {
  app: App;
  base: string;
  operator: string;
  sim: Simulator;
  /** The demo tenants' admin tokens (with `demo: true`). */
  tenants: { acme: string; globex: string } | null;
  browser: Browser;
  /** The server's whole JSON log so far (level info: every request), for the no-secret check. */
  log(): string;
  /** Every token secret this server knows: the bootstrap token and each one minted since. */
  secrets(): string[];
  /** Run one simulator step in which the Φ provider reports a stability breach. */
  breach(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  if (!existsSync(join(WEB_DIR, 'index.html')))
    throw new Error(`the console is not built (${WEB_DIR}); run npm run build`);
  mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'xdv-e2e-'));
  const operator = 'xdv_e2e_operator_token';
  const logLines: string[] = [];
  const app = await openApp(
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: null,
      dataDir: join(dir, 'data'),
      bootstrapToken: operator,
      // The journeys drive time: the simulator ticks once per step.
      tickMs: 0,
      rateLimit: 0,
      webDir: WEB_DIR,
      // Every request is logged (and kept in memory), so a test can check the log holds no secret.
      logLevel: 'info',
      ...(opts.complianceReport ? { complianceReport: opts.complianceReport } : {}),
    },
    { logStream: { write: (line) => void logLines.push(line) } },
  );
  // Remember every secret minted (through the API, the console or the simulator's setup).
  const secrets = [operator];
  const create = app.tokens.create.bind(app.tokens);
  app.tokens.create = async (...args) => {
    const r = await create(...args);
    secrets.push(r.secret);
    return r;
  };
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  // Calm providers on a timer (no random faults), so journeys decide when faults happen.
  const sim = new Simulator({
    driveClock: true,
    base,
    operatorToken: operator,
    seed: 1,
    demo: opts.demo ?? false,
    rates: { spike: 0, breach: 0, hardware: 0 },
  });
  await sim.setup();
  sim.start(opts.simIntervalMs ?? 400);
  const breaching = new Simulator({
    driveClock: true,
    base,
    operatorToken: operator,
    seed: 1,
    demo: false,
    rates: { spike: 0, breach: 1000, hardware: 0 },
    providers: sim.providers.filter((p) => p.spec.domain === 'PHI').map((p) => p.spec),
  });
  let breachReady = false;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    app,
    base,
    operator,
    sim,
    tenants: sim.tokens,
    browser,
    log: () => logLines.join(''),
    secrets: () => [...secrets],
    async breach() {
      if (!breachReady) {
        await breaching.setup();
        breachReady = true;
      }
      for (const p of breaching.providers)
        for (let attempt = 1; ; attempt++) {
          try {
            await p.step();
            break;
          } catch (e) {
            // The calm simulator may post its report with the same seq first (HV_CONFLICT): read
            // the provider's last report seq again and retry.
            if (attempt >= 5 || !/HV_CONFLICT/.test((e as Error).message)) throw e;
          }
        }
    },
    async close() {
      await browser.close();
      await sim.stop();
      await breaching.stop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser context signed in with a token; console errors are collected for the assertions. */
export async function signedIn(
  stack: Stack,
  token: string,
): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await stack.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(stack.base);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { ctx, page, errors };
}

/** A REST call as a principal (setup, or forcing an action through the API); returns status and body. */
export async function rest<T = Record<string, unknown>>(
  stack: Stack,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function shot(page: Page, name: string): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// Page helpers shared by the journeys and the audit.

export const T = 20_000; // per-wait ceiling: the simulator and SSE are fast, but the machine has two cores

/** Waits until the locator's text (all matches joined) contains the string or matches the pattern. */
export async function seeText(l: Locator, want: string | RegExp, timeout = T) {
  await expect
    .poll(async () => (await l.allTextContents()).join(' '), { timeout })
    .toMatch(typeof want === 'string' ? new RegExp(want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : want);
}

export async function seeAttr(l: Locator, name: string, want: string | RegExp, timeout = T) {
  await expect
    .poll(async () => ((await l.count()) ? await l.first().getAttribute(name) : null), { timeout })
    .toMatch(
      typeof want === 'string' ? new RegExp(`^${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : want,
    );
}

/** A link of the main navigation (views may link to the same place). */
export const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

export const dialog = (page: Page) => page.getByRole('dialog');
export const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
