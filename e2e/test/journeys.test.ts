import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rest, SHOTS, type Stack, shot, signedIn, startStack } from './stack.js';

// The end-to-end journeys of the console, in order, on one stack: each journey builds on what the
// previous ones created (tenants, VHMs, contracts), as a real operator and tenants would.

const T = 20_000; // per-wait ceiling: the simulator and SSE are fast, but the machine has two cores

let stack: Stack;
const sessions: BrowserContext[] = [];
let op: { page: Page; errors: string[] };
let tenant: { page: Page; errors: string[] };
const ids = { tenant: '', token: '', parent: '', nested: '', qContract: '', phiContract: '', terminatedL: 0 };

beforeAll(async () => {
  stack = await startStack();
  console.log(`journey screenshots: ${SHOTS}`);
});

afterAll(async () => {
  for (const c of sessions) await c.close().catch(() => {});
  await stack?.close();
});

async function session(token: string) {
  const s = await signedIn(stack, token);
  sessions.push(s.ctx);
  return s;
}

/** Waits until the locator's text (all matches joined) contains the string or matches the pattern. */
async function seeText(l: Locator, want: string | RegExp, timeout = T) {
  await expect
    .poll(async () => (await l.allTextContents()).join(' '), { timeout })
    .toMatch(typeof want === 'string' ? new RegExp(want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : want);
}

async function seeAttr(l: Locator, name: string, want: string | RegExp, timeout = T) {
  await expect
    .poll(async () => ((await l.count()) ? await l.first().getAttribute(name) : null), { timeout })
    .toMatch(
      typeof want === 'string' ? new RegExp(`^${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : want,
    );
}

const dialog = (page: Page) => page.getByRole('dialog');
const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });

/** Open a guarded action, fill its form (if any), check the dry run accepts, confirm, and close. */
async function guarded(
  page: Page,
  scope: Locator | Page,
  label: string,
  opts: { fill?: (d: Locator) => Promise<void>; confirmName?: string; navigates?: boolean } = {},
): Promise<string> {
  await scope.getByRole('button', { name: label, exact: true }).click();
  const d = dialog(page);
  if (opts.fill) {
    await opts.fill(d);
    await d.getByRole('button', { name: 'Preview impact' }).click();
  }
  await d.getByText('Dry run: the core would accept this.').waitFor({ timeout: T });
  if (opts.confirmName) await d.getByLabel(`Type ${opts.confirmName} to confirm`).fill(opts.confirmName);
  await d.getByRole('button', { name: `Confirm: ${label}` }).click();
  // The dialog shows "Accepted at seq …, L …" — unless the action's button unmounts with the state
  // change it caused (a lifecycle step, a contract activation), which closes the dialog with it.
  const accepted = d.getByRole('status').filter({ hasText: 'Accepted at seq' });
  let text = '';
  await expect
    .poll(
      async () => {
        if ((await d.count()) === 0) return 'closed';
        text = (await accepted.allTextContents()).join('');
        return text ? 'accepted' : 'pending';
      },
      { timeout: T },
    )
    .not.toBe('pending');
  if (text && !opts.navigates) {
    await d.getByRole('button', { name: 'Close', exact: true }).click();
    await d.waitFor({ state: 'detached' });
  }
  return text;
}

async function numberField(d: Locator, label: string, value: number) {
  await d.getByLabel(label, { exact: true }).fill(String(value));
}

/** Select the option whose text starts with a prefix (ids in option labels are not known ahead). */
async function selectStarting(select: Locator, prefix: string) {
  await expect
    .poll(async () => (await select.locator('option').allTextContents()).some((t) => t.startsWith(prefix)), {
      timeout: T,
    })
    .toBe(true);
  const texts = await select.locator('option').allTextContents();
  await select.selectOption({ label: texts.find((t) => t.startsWith(prefix))! });
}

async function createTenant(page: Page, name: string): Promise<string> {
  await page.getByRole('link', { name: 'Tenants & tokens' }).click();
  await guarded(page, region(page, 'Tenants'), 'Create tenant', {
    fill: async (d) => {
      await d.getByLabel('Name', { exact: true }).fill(name);
      await numberField(d, 'Nested VHMs', 6);
      await numberField(d, 'Memory (bytes)', 1 << 20);
      await numberField(d, 'CPU slices', 32);
      await numberField(d, 'Qubits', 16);
      await numberField(d, 'Φ envelopes', 3);
    },
  });
  const card = page.getByRole('article', { name: `Tenant ${name}` });
  await card.waitFor({ timeout: T });
  await seeAttr(card.getByRole('meter', { name: 'Qubits' }), 'aria-valuemax', '16');
  return ((await card.locator('h3 .muted').textContent()) ?? '').trim();
}

async function mintTenantToken(page: Page, tenantName: string, label: string): Promise<string> {
  await page.getByRole('button', { name: 'Mint token' }).click();
  const d = page.getByRole('dialog', { name: 'Mint an API token' });
  await d.getByLabel(/^Kind/).selectOption('tenant');
  await selectStarting(d.getByLabel(/^Tenant/), `${tenantName} (`);
  await d.getByLabel(/^Role/).selectOption('admin');
  await d.getByLabel('Label', { exact: true }).fill(label);
  await d.getByRole('button', { name: 'Mint', exact: true }).click();
  const shown = page.getByRole('dialog', { name: `Token ${label} minted` });
  await shown.getByText('it is shown only once').waitFor({ timeout: T });
  const secret = ((await shown.locator('pre.secret').textContent()) ?? '').trim();
  expect(secret).toMatch(/^xdv_/);
  await shown.getByRole('button', { name: 'I have stored it' }).click();
  await seeText(page.getByRole('row').filter({ hasText: label }), 'active');
  return secret;
}

/** The VHM page's heading shows the name and the lifecycle state. */
async function expectVhmState(page: Page, name: string, state: string) {
  await seeText(page.getByRole('heading', { level: 1 }), name);
  await seeAttr(
    region(page, 'Lifecycle').getByRole('list', { name: /^Lifecycle of / }),
    'aria-label',
    new RegExp(`, now ${state}$`),
  );
}

async function bringUp(page: Page, name: string) {
  await expectVhmState(page, name, 'requested');
  await guarded(page, region(page, 'Lifecycle'), 'Validate');
  await expectVhmState(page, name, 'validated');
  await guarded(page, region(page, 'Lifecycle'), 'Activate');
  await expectVhmState(page, name, 'active');
}

const vhmIdFromUrl = (page: Page) => new URL(page.url()).pathname.split('/').pop()!;

function noConsoleErrors(errors: string[], allowed: RegExp[] = []) {
  expect(errors.filter((e) => !allowed.some((a) => a.test(e)))).toEqual([]);
}

describe('console journeys', () => {
  it('1. operator signs in, creates a tenant with quotas and a tenant token', async () => {
    op = await session(stack.operator);
    await seeText(op.page.locator('.who'), /^operator$/);
    ids.tenant = await createTenant(op.page, 'acme');
    expect(ids.tenant).toMatch(/^tenant-/);
    ids.token = await mintTenantToken(op.page, 'acme', 'acme-admin');
    await shot(op.page, '1-tenant-and-token');
    noConsoleErrors(op.errors);
  });

  it('2. the tenant builds a VHM tree, runs Q jobs until the decoherence budget refuses one', async () => {
    expect(ids.token, 'journey 1 minted the token').not.toBe('');
    tenant = await session(ids.token);
    const page = tenant.page;
    await seeText(page.locator('.who'), /^acme · admin$/);
    expect(await page.getByRole('link', { name: 'Tenants & tokens' }).count()).toBe(0);
    await page.getByRole('link', { name: 'VHMs', exact: true }).click();
    await page.getByText('No VHMs yet').waitFor();
    await guarded(page, page, 'Create VHM', {
      navigates: true,
      fill: async (d) => {
        await d.getByLabel('Name', { exact: true }).fill('alpha');
        await numberField(d, 'Memory (bytes)', 262144);
        await numberField(d, 'CPU slices', 8);
        await numberField(d, 'Qubits', 8);
        await numberField(d, 'Φ envelopes', 2);
      },
    });
    await bringUp(page, 'alpha');
    ids.parent = vhmIdFromUrl(page);

    await guarded(page, region(page, 'Nested VHMs'), 'Create nested VHM', {
      navigates: true,
      fill: async (d) => {
        await d.getByLabel('Name', { exact: true }).fill('beta');
      },
    });
    await bringUp(page, 'beta');
    ids.nested = vhmIdFromUrl(page);
    expect(ids.nested).not.toBe(ids.parent);
    await page.locator('.crumbs').getByRole('link', { name: ids.parent }).click();
    await expectVhmState(page, 'alpha', 'active');
    await seeText(region(page, 'Nested VHMs').getByRole('listitem'), 'beta');

    // A Q contract on qpu-aurora with a small decoherence budget.
    const contracts = region(page, 'Resource contracts');
    await guarded(page, contracts, 'Allocate contract', {
      fill: async (d) => {
        await d.getByLabel(/^Domain/).selectOption('Q');
        await selectStarting(d.getByLabel(/^Provider \(attested\)/), 'qpu-aurora');
        await numberField(d, 'Logical qubits', 2);
        await numberField(d, 'Decoherence budget (units)', 10);
        // The calibration valid the longest, so the jobs below run inside it.
        const cal = d.getByLabel(/^Calibration contract/);
        await expect.poll(() => cal.locator('option').count(), { timeout: T }).toBeGreaterThan(1);
        const opts = await cal
          .locator('option')
          .evaluateAll((os) =>
            (os as HTMLOptionElement[]).filter((o) => o.value).map((o) => [o.value, o.textContent ?? '']),
          );
        const until = (t: string | undefined) => Number(/,\s*(\d+)\)/.exec(t ?? '')?.[1] ?? 0);
        opts.sort((a, b) => until(b[1]) - until(a[1]));
        await cal.selectOption(opts[0]![0]!);
      },
    });
    const row = contracts.getByRole('row').filter({ hasText: '2 qubits, budget 10,' });
    ids.qContract = ((await row.locator('td code').first().textContent()) ?? '').trim();
    await seeText(row, 'issued');
    await guarded(page, row, 'Activate');
    await seeText(row, 'active');
    await guarded(page, row, 'Bind');
    const bindings = region(page, 'Domain bindings, Q containers and Φ envelopes');
    const qb = bindings.getByRole('listitem').filter({ hasText: `contract ${ids.qContract}` });
    await guarded(page, qb, 'Validate');
    await guarded(page, qb, 'Activate');
    await qb.getByRole('list', { name: /state machine, now active$/ }).waitFor({ timeout: T });

    // Jobs draw the budget down: 10 → 7 → 4.
    const budget = qb.getByRole('meter', {
      name: `Decoherence budget of ${ids.qContract}: decoherence budget used`,
    });
    await seeAttr(budget, 'aria-valuetext', '0 used, 10 remaining of 10 budget units');
    for (const remaining of [7, 4]) {
      await guarded(page, qb, 'Run Q job', { fill: (d) => numberField(d, 'Cost (budget units)', 3) });
      await seeAttr(
        budget,
        'aria-valuetext',
        `${10 - remaining} used, ${remaining} remaining of 10 budget units`,
      );
    }

    // A job beyond the budget: the dry run refuses it with the spec's code, and Confirm stays disabled.
    await qb.getByRole('button', { name: 'Run Q job', exact: true }).click();
    const d = dialog(page);
    await numberField(d, 'Cost (budget units)', 5);
    await d.getByRole('button', { name: 'Preview impact' }).click();
    const refusal = d.getByRole('alert');
    await seeText(refusal, 'Dry run: the core would refuse this.');
    await seeText(refusal, 'Q_ERR_DECOHERENCE_EXCEEDED');
    expect(await d.getByRole('button', { name: 'Confirm: Run Q job' }).isDisabled()).toBe(true);
    await shot(page, '2a-q-job-refused-in-preview');
    await d.getByRole('button', { name: 'Cancel' }).click();

    // The console never sends a command its dry run refuses, so the job is submitted as a script would:
    // the core refuses it, records the refusal, and invalidates the contract; the page follows live.
    const binding = ((await qb.locator('h3 code').textContent()) ?? '').trim();
    const caps = await rest<{ items: Array<{ id: string; rights: string[] }> }>(
      stack,
      ids.token,
      'GET',
      `/v1/vhms/${ids.parent}/capabilities`,
    );
    const res = await rest<{ code: string }>(stack, ids.token, 'POST', `/v1/bindings/${binding}/jobs`, {
      capability: caps.body.items[0]!.id,
      cost: 5,
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('Q_ERR_DECOHERENCE_EXCEEDED');
    await seeText(row, 'revoked');
    await seeText(row, 'Q_ERR_DECOHERENCE_EXCEEDED');
    await qb.getByRole('list', { name: /state machine, now released$/ }).waitFor({ timeout: T });
    await page.getByText('1 domain faults').waitFor({ timeout: T });
    await shot(page, '2b-q-contract-invalidated');
    noConsoleErrors(tenant.errors);
  });
});
