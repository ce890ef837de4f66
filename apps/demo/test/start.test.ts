import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createXdvClient } from '@xdv/client';
import { afterAll, describe, expect, it } from 'vitest';

// The README's run command, for real: `npm start` on an empty data directory seeds the demo fleet
// and runs the simulator, keeps request logs out of the terminal and prints the banner last (URL,
// and a working token for the operator and each demo tenant); Ctrl-C stops it cleanly; the next
// start continues the same trace.

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'xdv-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const BANNER_END = 'Ctrl-C stops';

async function start(port: number): Promise<{ child: ChildProcess; out: () => string }> {
  let out = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    XDV_DATA_DIR: join(dir, 'data'),
    XDV_SIM_INTERVAL_MS: '150',
    DATABASE_URL: '',
  };
  delete env.LOG_LEVEL;
  delete env.XDV_DEMO;
  delete env.XDV_BOOTSTRAP_TOKEN;
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 960 && !out.includes(BANNER_END) && !gone; i++)
    await new Promise((r) => setTimeout(r, 250));
  expect(out, out).toContain(BANNER_END);
  return { child, out: () => out };
}

/** Ctrl-C to the whole process group, as a terminal sends it; the server must exit 0 or by that signal. */
async function stop(child: ChildProcess): Promise<number> {
  const exited = new Promise<number>((res) =>
    child.on('exit', (code, signal) => res(code === 0 || signal === 'SIGINT' ? 0 : (code ?? 1))),
  );
  process.kill(-child.pid!, 'SIGINT');
  return exited;
}

/** The value printed after a label in the banner's token list. */
function tokenAfter(out: string, label: string): string | undefined {
  return new RegExp(`^\\s+${label}\\s+(xdv_\\S+)`, 'm').exec(out)?.[1];
}

describe('npm start', () => {
  it('runs the demo on PGlite, prints the banner last with working tokens, stops cleanly and resumes the same trace', {
    timeout: 900_000,
  }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = await start(port);
    const out = first.out();
    // The banner is the last thing printed, and no request log reached the terminal.
    const bannerAt = out.indexOf('XDV Domain Hypervisor is running with the demo fleet.');
    expect(bannerAt, out).toBeGreaterThanOrEqual(0);
    expect(
      out
        .slice(bannerAt)
        .trimEnd()
        .endsWith(`continues the same trace from ${join(dir, 'data')}.`),
    ).toBe(true);
    expect(out).not.toMatch(/^\{.*"req(Id)?"/m);
    expect(out).toContain(`Console:   ${base}/`);
    expect(out).toContain('Request logs stay out of the terminal; LOG_LEVEL=info npm start shows them.');

    const tokens = {
      operator: tokenAfter(out, 'operator'),
      acme: tokenAfter(out, 'acme admin'),
      viewer: tokenAfter(out, 'acme viewer'),
      globex: tokenAfter(out, 'globex admin'),
    };
    for (const [who, t] of Object.entries(tokens)) expect(t, `${who} token in\n${out}`).toBeTruthy();
    const as = (token: string) => createXdvClient({ baseUrl: base, token });
    const op = as(tokens.operator!);
    const me = async (t: string) => (await as(t).GET('/v1/me')).token;
    expect(await me(tokens.operator!)).toMatchObject({ kind: 'operator' });
    const tenants = (await op.GET('/v1/tenants')).items as Array<{ id: string; name: string }>;
    const id = (name: string) => tenants.find((t) => t.name === name)!.id;
    expect(await me(tokens.acme!)).toMatchObject({ kind: 'tenant', tenant: id('acme'), role: 'admin' });
    expect(await me(tokens.viewer!)).toMatchObject({ kind: 'tenant', tenant: id('acme'), role: 'viewer' });
    expect(await me(tokens.globex!)).toMatchObject({ kind: 'tenant', tenant: id('globex'), role: 'admin' });

    expect(((await op.GET('/readyz')) as { ready: boolean }).ready).toBe(true);
    const vhms = (await op.GET('/v1/vhms', { params: { query: { limit: 500 } } })).items as Array<{
      name: string;
      depth: number;
      tenant: string;
    }>;
    expect(vhms.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'web',
        'web-analytics',
        'web-analytics-etl',
        'batch',
        'research',
        'research-sim',
      ]),
    );
    expect(Math.max(...vhms.map((v) => v.depth))).toBe(3);
    const bindings = (await op.GET('/v1/bindings', { params: { query: { state: 'active', limit: 500 } } }))
      .items as Array<{ domain: string }>;
    expect(new Set(bindings.map((b) => b.domain))).toEqual(new Set(['K', 'Q', 'PHI']));
    const providers = (await op.GET('/v1/providers')).items as Array<{ domain: string }>;
    expect(providers.filter((p) => p.domain === 'Q')).toHaveLength(2);
    expect(providers.filter((p) => p.domain === 'PHI')).toHaveLength(1);
    const mine = (await as(tokens.acme!).GET('/v1/vhms')).items as Array<{ tenant: string }>;
    expect(new Set(mine.map((v) => v.tenant))).toEqual(new Set([id('acme')]));
    // The clock source moves logical time on its own, and the simulator acts on it.
    const l1 = (await op.GET('/v1/clock')).l;
    await new Promise((r) => setTimeout(r, 1500));
    const l2 = (await op.GET('/v1/clock')).l;
    expect(l2).toBeGreaterThan(l1);
    expect(await stop(first.child)).toBe(0);

    const second = await start(port);
    const again = second.out();
    expect(again).not.toMatch(/^\s+operator\s+xdv_/m);
    expect(again).toContain('Tokens were printed at the first start on this data directory.');
    expect(again).not.toMatch(/^\{.*"req(Id)?"/m);
    expect((await op.GET('/v1/clock')).l).toBeGreaterThanOrEqual(l2);
    expect(((await op.GET('/v1/trace/verify')) as { ok: boolean }).ok).toBe(true);
    expect((await op.GET('/v1/tenants')).items).toHaveLength(2);
    expect(await stop(second.child)).toBe(0);
  });
});
