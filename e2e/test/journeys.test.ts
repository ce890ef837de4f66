import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dialog,
  nav,
  region,
  rest,
  SHOTS,
  type Stack,
  seeAttr,
  seeText,
  shot,
  signedIn,
  startStack,
  T,
} from './stack.js';

// The end-to-end journeys of the console, in order, on one stack: each journey builds on what the
// previous ones created (tenants, VHMs, contracts), as a real operator and tenants would.

let stack: Stack;
const sessions: BrowserContext[] = [];
let op: { page: Page; errors: string[] };
let tenant: { page: Page; errors: string[] };
const ids = {
  tenant: '',
  token: '',
  parent: '',
  nested: '',
  qContract: '',
  phiContract: '',
  beforeTerminationL: 0,
};

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
    // The button may unmount (closing the dialog) between "Accepted" showing and the click.
    await d
      .getByRole('button', { name: 'Close', exact: true })
      .click({ timeout: 2_000 })
      .catch(() => {});
    await d.waitFor({ state: 'detached', timeout: T });
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
  await nav(page, 'Tenants & tokens');
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
  const unexpected = errors.filter((e) => !allowed.some((a) => a.test(e)));
  errors.length = 0; // each journey answers for its own errors
  expect(unexpected).toEqual([]);
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
    await nav(page, 'VHMs');
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
    // Ended, the contract and its binding move under the panels' collapsed History.
    const endedQ = contracts.locator('details.history li').filter({ hasText: '2 qubits, budget 10,' });
    await seeText(endedQ, 'revoked');
    await seeText(endedQ, 'Q_ERR_DECOHERENCE_EXCEEDED');
    await bindings.locator('details.history > summary').click();
    await qb.getByRole('list', { name: /state machine, now released$/ }).waitFor({ timeout: T });
    await page.getByText('1 domain faults').waitFor({ timeout: T });
    await shot(page, '2b-q-contract-invalidated');
    noConsoleErrors(tenant.errors);
  });

  it('3. a Φ contract shows its coherence window; a stability breach terminates it live', async () => {
    const page = tenant.page;
    // Marks this document: if the page reloaded, the mark would be gone.
    await page.evaluate(() => {
      (window as unknown as { e2eMark: boolean }).e2eMark = true;
    });
    const contracts = region(page, 'Resource contracts');
    await guarded(page, contracts, 'Allocate contract', {
      fill: async (d) => {
        await d.getByLabel(/^Domain/).selectOption('PHI');
        await selectStarting(d.getByLabel(/^Provider \(attested\)/), 'phi-lumen');
        // The window opens at the current L (the form's default) and lasts long past the journeys.
        await numberField(d, 'Window duration (ticks)', 1_000_000);
      },
    });
    const row = contracts.getByRole('row').filter({ hasText: 'window [' });
    ids.phiContract = ((await row.locator('td code').first().textContent()) ?? '').trim();
    expect(ids.phiContract).toMatch(/^contract-/);
    await guarded(page, row, 'Activate');
    await seeText(row, 'active');
    await guarded(page, row, 'Bind');
    const bindings = region(page, 'Domain bindings, Q containers and Φ envelopes');
    const pb = bindings.getByRole('listitem').filter({ hasText: `contract ${ids.phiContract}` });
    await guarded(page, pb, 'Validate');
    await guarded(page, pb, 'Activate');
    await pb.getByRole('list', { name: /state machine, now active$/ }).waitFor({ timeout: T });
    // The coherence window on the logical-time axis, open, with the current L inside it.
    await pb
      .getByRole('img', { name: /^Coherence window from L \d+ to L \d+; current L \d+; open: / })
      .waitFor();
    await seeText(pb.locator('figcaption'), /window \[L [\d,]+, L [\d,]+\) — open: [\d,]+ ticks remain/);
    // The provider's signed stability reports reach the tenant live (phi.envelope.stability entries).
    await seeText(pb.locator('figcaption'), /stability index [\d.]+%/);
    await shot(page, '3a-phi-window-open');

    await stack.breach();
    // Pushed over SSE: the contract is revoked with the spec's code, the binding released, the fault counted.
    const endedPhi = contracts.locator('details.history li').filter({ hasText: 'window [' });
    await seeText(endedPhi, 'revoked');
    await seeText(endedPhi, 'PHI_ERR_STABILITY_BREACH');
    const bh = bindings.locator('details.history');
    if (!(await bh.evaluate((x) => (x as HTMLDetailsElement).open))) await bh.locator('> summary').click();
    await pb.getByRole('list', { name: /state machine, now released$/ }).waitFor({ timeout: T });
    await page.getByText('2 domain faults').waitFor({ timeout: T });
    await shot(page, '3b-phi-breach-live');
    // The fault is listed on the overview too (client-side navigation, still the same document).
    await nav(page, 'Overview');
    const faults = region(page, 'Faults and escalations');
    await seeText(faults.getByRole('row'), 'PHI_ERR_STABILITY_BREACH');
    await seeText(faults.getByRole('row'), 'Q_ERR_DECOHERENCE_EXCEEDED');
    expect(await page.evaluate(() => (window as unknown as { e2eMark?: boolean }).e2eMark)).toBe(true);
    await shot(page, '3c-faults-on-overview');
    noConsoleErrors(tenant.errors);
  });

  it("4. a nested VHM cannot use its parent's capability", async () => {
    const page = tenant.page;
    await page.goto(`${stack.base}/vhms/${ids.nested}`);
    await expectVhmState(page, 'beta', 'active');
    // Without a capability of its own (its root revoked), the nested VHM's actions are disabled and say why.
    const caps = region(page, 'Capabilities');
    const revoke = caps.getByRole('button', { name: /^Revoke cap-\d+$/ });
    const capLabel = ((await revoke.first().textContent()) ?? '').trim();
    await guarded(page, caps, capLabel, { confirmName: 'beta' });
    await seeText(caps, 'revoked');
    await seeText(caps, "a parent's capability is never valid here");
    const contracts = region(page, 'Resource contracts');
    const allocate = contracts.getByRole('button', { name: 'Allocate contract', exact: true });
    await expect.poll(() => allocate.isDisabled(), { timeout: T }).toBe(true);
    await seeText(contracts.locator('.why'), 'Missing right BIND_K, ALLOC_Q or ALLOC_PHI');
    const nestedWhy = region(page, 'Nested VHMs').locator('.why');
    await seeText(
      nestedWhy,
      `Missing right SPAWN_NESTED: no non-revoked capability of ${ids.nested} grants it.`,
    );
    await shot(page, '4a-nested-actions-disabled');

    // Forcing it through the API with the parent's capability: refused as foreign, and recorded.
    const parentCaps = await rest<{ items: Array<{ id: string; revoked: boolean }> }>(
      stack,
      ids.token,
      'GET',
      `/v1/vhms/${ids.parent}/capabilities`,
    );
    const parentCap = parentCaps.body.items.find((c) => !c.revoked)!.id;
    const providers = await rest<{ items: Array<{ id: string; name: string }> }>(
      stack,
      ids.token,
      'GET',
      '/v1/providers',
    );
    const host = providers.body.items.find((p) => p.name === 'host-a')!.id;
    const res = await rest<{ code: string; seq: number }>(
      stack,
      ids.token,
      'POST',
      `/v1/vhms/${ids.nested}/contracts`,
      {
        capability: parentCap,
        domain: 'K',
        provider: host,
        k: { base: 0, size: 4096, cpu: 1, irqs: [] },
      },
    );
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('HV_CAP_FOREIGN');
    expect(res.body.seq).toBeGreaterThan(0);

    await nav(page, 'Trace');
    await page.getByLabel('VHM', { exact: true }).fill(ids.nested);
    const entry = page
      .getByRole('row')
      .filter({ has: page.getByRole('button', { name: String(res.body.seq), exact: true }) });
    await seeText(entry, 'rejected');
    await seeText(entry, ids.nested);
    await entry.getByRole('button', { name: String(res.body.seq), exact: true }).click();
    const detail = page.getByRole('complementary', { name: `Entry ${res.body.seq}` });
    await seeText(detail, '"code": "HV_CAP_FOREIGN"');
    await seeText(detail, parentCap);
    await shot(page, '4b-trace-rejected-foreign-capability');
    noConsoleErrors(tenant.errors);
  });

  it("5. a second tenant cannot see the first tenant's VHM, not even by its URL", async () => {
    await createTenant(op.page, 'globex');
    const token = await mintTenantToken(op.page, 'globex', 'globex-admin');
    const other = await session(token);
    const page = other.page;
    await seeText(page.locator('.who'), /^globex · admin$/);
    await nav(page, 'VHMs');
    await page.getByText('No VHMs yet').waitFor({ timeout: T });
    await page.goto(`${stack.base}/vhms/${ids.parent}`);
    // Answered like an id that never existed: a heading that says so and a way back.
    await page.getByRole('heading', { level: 1, name: `No VHM ${ids.parent}` }).waitFor({ timeout: T });
    expect(await page.getByRole('link', { name: 'Back to the VHM list' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: /alpha/ }).count()).toBe(0);
    expect(await page.getByRole('main').textContent()).not.toMatch(/alpha|beta|acme/);
    await shot(page, '5-foreign-vhm-not-found');
    // The console's requests for the foreign VHM answer 404 (by design: foreign ids look missing), and
    // Chromium logs every failed resource load as a console error. Nothing else may appear.
    noConsoleErrors(other.errors, [
      /^Failed to load resource: the server responded with a status of 404 \(Not Found\)$/,
    ]);
    noConsoleErrors(op.errors);
  });

  it('6. the operator terminates a VHM tree; everything under it is released and capacity returns', async () => {
    const page = op.page;
    await nav(page, 'Overview');
    const capacity = region(page, 'Capacity and allocation per provider');
    const memory = capacity
      .getByRole('article', { name: 'Provider host-a' })
      .getByRole('meter', { name: 'Memory' });
    const qubits = capacity
      .getByRole('article', { name: 'Provider qpu-aurora' })
      .getByRole('meter', { name: 'Logical qubits' });
    const now = async (m: Locator) => Number(await m.getAttribute('aria-valuenow'));
    await memory.waitFor({ timeout: T });
    const mem0 = await now(memory);
    const q0 = await now(qubits);

    // Setup the journey does not cover (the tenant's own UI flows are journeys 2 and 3): live K and Q
    // contracts in alpha, through the tenant's API.
    const caps = await rest<{ items: Array<{ id: string; revoked: boolean }> }>(
      stack,
      ids.token,
      'GET',
      `/v1/vhms/${ids.parent}/capabilities`,
    );
    const cap = caps.body.items.find((c) => !c.revoked)!.id;
    const providers = await rest<{ items: Array<{ id: string; name: string }> }>(
      stack,
      ids.token,
      'GET',
      '/v1/providers',
    );
    const pid = (n: string) => providers.body.items.find((p) => p.name === n)!.id;
    const cals = await rest<{ items: Array<{ id: string; provider: string; until: number }> }>(
      stack,
      ids.token,
      'GET',
      '/v1/calibrations?limit=500',
    );
    const cal = cals.body.items
      .filter((c) => c.provider === pid('qpu-aurora'))
      .sort((a, b) => b.until - a.until)[0]!;
    for (const body of [
      { domain: 'K', provider: pid('host-a'), k: { base: 0, size: 65536, cpu: 2, irqs: [] } },
      { domain: 'Q', provider: pid('qpu-aurora'), q: { qubits: 4, budget: 50, calibration: cal.id } },
    ]) {
      const c = await rest<{ created: { contract: string } }>(
        stack,
        ids.token,
        'POST',
        `/v1/vhms/${ids.parent}/contracts`,
        {
          capability: cap,
          ...body,
        },
      );
      expect(c.status).toBe(201);
      const a = await rest(stack, ids.token, 'POST', `/v1/contracts/${c.body.created.contract}/activate`, {
        capability: cap,
      });
      expect(a.status).toBe(200);
    }
    await expect.poll(() => now(memory), { timeout: T }).toBe(mem0 + 65536);
    await expect.poll(() => now(qubits), { timeout: T }).toBe(q0 + 4);
    await shot(page, '6a-capacity-allocated');
    ids.beforeTerminationL = Number(
      /Logical time L ([\d,]+)/
        .exec((await page.getByText(/^Logical time L/).textContent()) ?? '')![1]!
        .replace(/,/g, ''),
    );

    await nav(page, 'VHMs');
    await page
      .getByRole('tree', { name: 'VHM tree' })
      .getByRole('link', { name: 'alpha', exact: true })
      .click();
    await expectVhmState(page, 'alpha', 'active');
    const lifecycle = region(page, 'Lifecycle');
    await lifecycle.getByRole('button', { name: 'Terminate', exact: true }).click();
    const d = dialog(page);
    await d.getByText('Dry run: the core would accept this.').waitFor({ timeout: T });
    const confirm = d.getByRole('button', { name: 'Confirm: Terminate' });
    expect(await confirm.isDisabled()).toBe(true); // until the name is typed
    await d.getByLabel('Type alpha to confirm', { exact: true }).fill('alph');
    expect(await confirm.isDisabled()).toBe(true);
    await d.getByLabel('Type alpha to confirm', { exact: true }).fill('alpha');
    await shot(page, '6b-terminate-confirmation');
    await confirm.click();
    await expectVhmState(page, 'alpha', 'terminated');
    await d.waitFor({ state: 'detached', timeout: T });
    // Everything under it: the nested VHM terminated, no contract left issued or active.
    await seeText(
      region(page, 'Nested VHMs').getByRole('listitem').filter({ hasText: 'beta' }),
      'terminated',
    );
    const statuses = region(page, 'Resource contracts').locator('details.history li .badge');
    await expect
      .poll(async () => [...new Set(await statuses.allTextContents())].sort(), { timeout: T })
      .toEqual(['released', 'revoked']);
    await shot(page, '6c-tree-terminated');
    await region(page, 'Nested VHMs').getByRole('link', { name: 'beta' }).click();
    await expectVhmState(page, 'beta', 'terminated');

    await nav(page, 'Overview');
    await memory.waitFor({ timeout: T });
    await expect.poll(() => now(memory), { timeout: T }).toBe(mem0);
    await expect.poll(() => now(qubits), { timeout: T }).toBe(q0);
    await shot(page, '6d-capacity-returned');
    noConsoleErrors(op.errors);
  });

  it('7. the trace verifies in the browser; replay goes back (NOT LIVE) and forward again to live', async () => {
    const page = op.page;
    await nav(page, 'Trace');
    // The signed head's ML-DSA-65 check runs in a worker (lib/headVerify.worker.ts).
    await seeText(page.locator('.signed-head'), /Signed head seq \d+ verified \(key [0-9a-f]{16}…\)/);
    await page.getByRole('button', { name: 'Verify chain in browser' }).click();
    await seeText(
      page.getByRole('status').filter({ hasText: 'Browser:' }),
      /Browser: chain verified — [\d,]+ entries, head [0-9a-f]{64}/,
      60_000,
    );
    await shot(page, '7a-trace-verified-in-browser');

    const treeRows = page.getByRole('treeitem');
    const rowOf = (name: string) => treeRows.filter({ has: page.getByRole('link', { name, exact: true }) });
    await nav(page, 'Replay');
    const slider = page.getByRole('slider');
    await slider.fill(String(ids.beforeTerminationL));
    await page.getByRole('button', { name: `Show state at L ${ids.beforeTerminationL}` }).click();
    const banner = page.getByRole('status').filter({ hasText: 'NOT LIVE' });
    await seeText(banner, `showing the state at logical time L ${ids.beforeTerminationL}`);
    await region(page, `State at L ${ids.beforeTerminationL} (NOT LIVE)`)
      .getByText('Replayed to seq')
      .waitFor({ timeout: T });
    await nav(page, 'VHMs');
    await seeText(rowOf('alpha'), 'active');
    await seeText(rowOf('beta'), 'active');
    expect(new URL(page.url()).searchParams.get('at')).toBe(String(ids.beforeTerminationL));
    await shot(page, '7b-replay-before-termination-not-live');

    // Forward again to the newest L the slider offers: the same tree as live.
    await nav(page, 'Replay');
    const max = Number(await slider.getAttribute('max'));
    expect(max).toBeGreaterThan(ids.beforeTerminationL);
    await slider.fill(String(max));
    await page.getByRole('button', { name: `Show state at L ${max}` }).click();
    await seeText(banner, `showing the state at logical time L ${max}`);
    await nav(page, 'VHMs');
    await seeText(rowOf('alpha'), 'terminated');
    const replayed = await treeRows.allTextContents();
    await shot(page, '7c-replay-forward');
    await page.getByRole('button', { name: /^Back to live/ }).click();
    await expect.poll(() => banner.count(), { timeout: T }).toBe(0);
    await seeText(rowOf('alpha'), 'terminated');
    await expect.poll(() => treeRows.allTextContents(), { timeout: T }).toEqual(replayed);
    await shot(page, '7d-live-again');
    noConsoleErrors(op.errors);
  });

  it('8. on a phone (390 × 844) a tenant creates and brings up a VHM: one column, dialogs that fit', async () => {
    const ctx = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
    sessions.push(ctx);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.base);
    await page.getByLabel('API token').fill(ids.token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: T });
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    /** Every button of the open dialog's footer is on screen and is what a tap at its centre hits. */
    const dialogFits = () =>
      page.evaluate(() =>
        Array.from(document.querySelectorAll('[role="dialog"] .dialog-foot button')).every((b) => {
          const r = b.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return (
            r.left >= 0 &&
            r.right <= innerWidth &&
            r.top >= 0 &&
            r.bottom <= innerHeight &&
            !!hit &&
            b.contains(hit)
          );
        }),
      );
    await nav(page, 'VHMs');
    await page.getByRole('heading', { level: 1, name: 'VHMs' }).waitFor({ timeout: T });
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Create VHM', exact: true }).click();
    const d = dialog(page);
    await d.getByLabel('Name', { exact: true }).fill('pocket');
    await d.getByRole('button', { name: 'Preview impact' }).click();
    await d.getByText('Dry run: the core would accept this.').waitFor({ timeout: T });
    expect(await dialogFits()).toBe(true);
    await d.getByRole('button', { name: 'Confirm: Create VHM' }).click();
    await page.getByRole('heading', { level: 1, name: /pocket/ }).waitFor({ timeout: T });
    expect(await sideways()).toBeLessThanOrEqual(0);
    await bringUp(page, 'pocket');
    await shot(page, '8-phone-vhm-active');
    // From the list, the VHM is one tap away; its page is one column.
    await nav(page, 'VHMs');
    await page.getByRole('link', { name: 'pocket', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /pocket/ }).waitFor({ timeout: T });
    await region(page, 'Lifecycle').getByRole('button', { name: 'Pause', exact: true }).click();
    await d.getByText('Dry run: the core would accept this.').waitFor({ timeout: T });
    expect(await dialogFits()).toBe(true);
    await d.getByRole('button', { name: 'Cancel' }).click();
    await d.waitFor({ state: 'detached', timeout: T });
    expect(await sideways()).toBeLessThanOrEqual(0);
    noConsoleErrors(errors);
  });
});
