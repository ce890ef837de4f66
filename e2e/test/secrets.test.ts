import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nav, rest, type Stack, seeText, signedIn, startStack, T } from './stack.js';

// No secret in a URL or a log (DESIGN §6): a console session (operator and tenant, the live stream,
// a few pages, a token minted with an expiry) leaves no token secret anywhere in the server's log,
// and the browser never puts one in a request URL.

let stack: Stack;
const contexts: BrowserContext[] = [];
const urls: string[] = [];

beforeAll(async () => {
  stack = await startStack({ demo: true, simIntervalMs: 400 });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await stack?.close();
});

async function session(token: string): Promise<Page> {
  const s = await signedIn(stack, token);
  contexts.push(s.ctx);
  s.page.on('request', (r) => urls.push(r.url()));
  // Signing in already opened the stream, before the listener above: reload (the session lives in
  // sessionStorage) so every request of the signed-in console, the stream's included, is recorded.
  await s.page.reload();
  await s.page.getByRole('button', { name: 'Sign out' }).waitFor();
  return s.page;
}

const live = (page: Page) =>
  page.getByRole('status', { name: /^Live updates: Live\./ }).waitFor({ timeout: T });

describe('no secret in a URL or a log', () => {
  it('a console session leaves no token secret in the server log', async () => {
    const op = await session(stack.operator);
    await live(op);
    // The stream delivers entries (the simulator commits every step): the overview's L moves.
    for (const name of ['Trace', 'Providers', 'Overview', 'Tenants & tokens']) await nav(op, name);
    // Mint a tenant token with an expiry in the console; the panel shows when it expires.
    await op.getByRole('button', { name: 'Mint token' }).click();
    const d = op.getByRole('dialog', { name: 'Mint an API token' });
    await d.getByLabel(/^Kind/).selectOption('tenant');
    const tenantSelect = d.getByLabel(/^Tenant/);
    await expect
      .poll(
        async () =>
          (await tenantSelect.locator('option').allTextContents()).some((t) => t.startsWith('acme (')),
        {
          timeout: T,
        },
      )
      .toBe(true);
    const label = (await tenantSelect.locator('option').allTextContents()).find((t) =>
      t.startsWith('acme ('),
    )!;
    await tenantSelect.selectOption({ label });
    await d.getByLabel('Label', { exact: true }).fill('short-lived');
    await d.getByLabel('Expires after').selectOption({ label: '1 day' });
    await d.getByRole('button', { name: 'Mint', exact: true }).click();
    const shown = op.getByRole('dialog', { name: 'Token short-lived minted' });
    const secret = ((await shown.locator('pre.secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^xdv_/);
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    const row = op.getByRole('row').filter({ hasText: 'short-lived' });
    await seeText(row, 'active');
    const expires = await row.locator('time').nth(1).getAttribute('datetime');
    expect(Date.parse(expires!) - Date.now()).toBeGreaterThan(86_000_000);
    // The operator's own row shows when it was last used.
    await seeText(op.getByRole('row').filter({ hasText: 'bootstrap' }), /UTC.*UTC/);

    const tenant = await session(secret);
    await live(tenant);
    for (const name of ['VHMs', 'Trace', 'Overview']) await nav(tenant, name);
    await live(tenant);
    // The demo tenants' tokens, through the API like a script would.
    expect((await rest(stack, stack.tenants!.acme, 'GET', '/v1/overview')).status).toBe(200);
    // A token in the URL authenticates nothing, on the stream or anywhere.
    const inUrl = await fetch(`${stack.base}/v1/trace/stream?access_token=${encodeURIComponent(secret)}`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(inUrl.status).toBe(401);
    expect(((await inUrl.json()) as { code: string }).code).toBe('HV_UNAUTHENTICATED');
    // Let the streams carry a few steps of the simulator.
    await new Promise((r) => setTimeout(r, 2000));

    const log = stack.log();
    const secrets = stack.secrets();
    // The operator, the simulator's provider tokens, the demo tenants and the console-minted one.
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    expect(secrets).toContain(secret);
    expect(log).toMatch(/"url":"\/v1\/trace\/stream/);
    expect(log).toContain('access_token=[REDACTED]');
    expect(log.split('\n').length).toBeGreaterThan(100);
    for (const s of secrets)
      expect(log.includes(s), `a token secret (${s.slice(0, 8)}…) is in the log`).toBe(false);
    expect(log).not.toMatch(/Bearer\s+\S/i);
    // The browser sent no token in any URL (the stream is read with fetch and a header).
    expect(urls.some((u) => u.includes('/v1/trace/stream'))).toBe(true);
    for (const s of secrets) expect(urls.some((u) => u.includes(s))).toBe(false);
  });
});
