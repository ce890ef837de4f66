import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The README's run command, for real: `npm start` on an empty data directory seeds the demo fleet
// and runs the simulator; Ctrl-C stops it cleanly; the next start continues the same trace.

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'xdv-smoke-'));
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

async function start(port: number): Promise<{ child: ChildProcess; out: () => string }> {
  let out = '';
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      PORT: String(port),
      XDV_DATA_DIR: join(dir, 'data'),
      XDV_SIM_INTERVAL_MS: '150',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 480 && !out.includes('Demo: simulated') && !out.includes('XDV console:'); i++)
    await new Promise((r) => setTimeout(r, 500));
  expect(out, out).toContain('XDV console:');
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

describe('npm start', () => {
  it('runs the demo on PGlite, prints the URL and tokens, stops cleanly and resumes the same trace', {
    timeout: 600_000,
  }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = await start(port);
    const token = /Operator token \(shown once, keep it\): (\S+)/.exec(first.out())?.[1];
    const tenant = /Tenant token, acme admin \(shown once\): (\S+)/.exec(first.out())?.[1];
    expect(token).toBeTruthy();
    expect(tenant).toBeTruthy();
    const get = async <T>(path: string, t = token!) =>
      (await (await fetch(base + path, { headers: { authorization: `Bearer ${t}` } })).json()) as T;
    expect((await (await fetch(`${base}/readyz`)).json()) as { ready: boolean }).toMatchObject({
      ready: true,
    });
    const vhms = await get<{ items: Array<{ name: string; depth: number; state: string; tenant: string }> }>(
      '/v1/vhms?limit=500',
    );
    expect(vhms.items.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'web',
        'web-analytics',
        'web-analytics-etl',
        'batch',
        'research',
        'research-sim',
      ]),
    );
    expect(Math.max(...vhms.items.map((v) => v.depth))).toBe(3);
    const bindings = await get<{ items: Array<{ state: string; domain: string }> }>(
      '/v1/bindings?state=active&limit=500',
    );
    expect(new Set(bindings.items.map((b) => b.domain))).toEqual(new Set(['K', 'Q', 'PHI']));
    expect((await get<{ items: unknown[] }>('/v1/ipc')).items.length).toBe(1);
    const providers = await get<{ items: Array<{ domain: string; attestation: string }> }>('/v1/providers');
    expect(providers.items.filter((p) => p.domain === 'Q')).toHaveLength(2);
    expect(providers.items.filter((p) => p.domain === 'PHI')).toHaveLength(1);
    const mine = await get<{ items: Array<{ tenant: string }> }>('/v1/vhms', tenant!);
    expect(new Set(mine.items.map((v) => v.tenant)).size).toBe(1);
    // The simulator moves logical time on its own.
    const l1 = (await get<{ l: number }>('/v1/overview')).l;
    await new Promise((r) => setTimeout(r, 1500));
    const l2 = (await get<{ l: number }>('/v1/overview')).l;
    expect(l2).toBeGreaterThan(l1);
    expect(await stop(first.child)).toBe(0);

    const second = await start(port);
    expect(second.out()).not.toContain('Operator token (shown once');
    const head = await get<{ seq: number; l: number }>('/v1/overview');
    expect(head.l).toBeGreaterThanOrEqual(l2);
    const verify = await get<{ ok: boolean; entries: number }>('/v1/trace/verify');
    expect(verify.ok).toBe(true);
    expect((await get<{ items: unknown[] }>('/v1/tenants')).items).toHaveLength(2);
    expect(await stop(second.child)).toBe(0);
  });
});
