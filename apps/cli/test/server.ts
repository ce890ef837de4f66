import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configWith, openApp } from '@xdv/api';
import { scenario, sign } from '@xdv/core';
import { EXIT, type Io, run } from '../src/index.js';

// A real server in this process (PGlite in a temporary directory) and the CLI run in-process
// against it with captured streams: exactly what the `xdv` bin runs, without a process per call.

export interface Server {
  url: string;
  token: string;
  dir: string;
  /** The server's committed trace position: what a command that commits nothing leaves alone. */
  seq(): number;
  close(): Promise<void>;
}

export async function startServer(): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'xdv-cli-'));
  const token = `cli-${randomBytes(24).toString('hex')}`;
  const app = await openApp(
    configWith({
      port: 0,
      dataDir: join(dir, 'data'),
      bootstrapToken: token,
      rateLimit: 0,
      logLevel: 'warn',
    }),
    { logger: false },
  );
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  return {
    url,
    token,
    dir,
    seq: () => app.ledger.state.seq,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Result {
  code: number;
  out: string;
  err: string;
}

export async function xdv(
  args: string[],
  env: Record<string, string | undefined>,
  extra: Partial<Io> & { stdin?: string } = {},
): Promise<Result> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    readStdin: async () => extra.stdin ?? '',
    prompt: async () => null,
    ...extra,
  };
  const code = await run(args, io);
  return { code, out, err };
}

/** Run and insist on an exit code, showing the output when it differs. */
export async function ok(args: string[], env: Record<string, string | undefined>, code: number = EXIT.ok) {
  const r = await xdv(args, env);
  if (r.code !== code)
    throw new Error(`xdv ${args.join(' ')} → ${r.code} (wanted ${code})\n${r.out}\n${r.err}`);
  return r;
}

/** The demo fleet's provider names (host-a, qpu-aurora, phi-lumen), registered and calibrated. */
export async function registerProviders(s: Server): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const specs = [
    ['host-a', 'K', { memory: 8 * 1024 ** 3, cpu: 256 }, 101, []],
    ['host-b', 'K', { memory: 8 * 1024 ** 3, cpu: 256 }, 102, []],
    ['qpu-aurora', 'Q', { qubits: 64 }, 103, ['h', 'cx', 'measure']],
    ['phi-lumen', 'PHI', { envelopes: 4 }, 104, ['rotate']],
  ] as const;
  for (const [name, domain, cap, seed, ops] of specs) {
    const reg = scenario.registration(name, domain, cap, seed, { operations: [...ops] });
    const signature = sign('xdv/provider-registration/v1', reg, scenario.providerKeys(seed).secretKey);
    const r = await fetch(`${s.url}/v1/providers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ registration: reg, signature }),
    });
    const body = (await r.json()) as { created: { provider: string } };
    if (r.status >= 300) throw new Error(JSON.stringify(body));
    ids[name] = body.created.provider;
  }
  const r = await fetch(`${s.url}/v1/providers/${ids['qpu-aurora']}/calibrations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: 0, until: 1_000_000 }),
  });
  if (r.status >= 300) throw new Error(await r.text());
  return ids;
}
