import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/index.js';
import { ok, registerProviders, type Server, startServer, xdv } from './server.js';

// Declarative apply against a real server: plan, preview on the server, apply with an
// Idempotency-Key per step; re-apply changes nothing; an interrupted apply is finished by a re-run;
// a plan with a refused step commits nothing.

const FLEET = join(import.meta.dirname, '../../../examples/fleet.yaml');
let s: Server;
let env: Record<string, string>;

const head = async () => s.seq();

beforeAll(async () => {
  s = await startServer();
  await registerProviders(s);
  env = { XDV_URL: s.url, XDV_TOKEN: s.token, XDV_CONFIG: join(s.dir, 'none.yaml') };
});
afterAll(async () => s?.close());

describe('xdv apply', () => {
  it('diff prints the plan for examples/fleet.yaml and commits nothing', async () => {
    const before = await head();
    const r = await ok(['diff', '-f', FLEET], env);
    expect(r.out).toMatch(/^plan: \d+ steps/);
    expect(r.out).toContain('create tenant orbital');
    expect(r.out).toContain('create vhm orbital/control/sensor');
    expect(r.out).toContain('bind Q on qpu-aurora in orbital/control');
    expect(r.out).toContain('open ipc orbital/control ↔ helix/lab (MSG)');
    expect(r.out).toMatch(/capacity {2}provider-\d+ qubits: 0 → 6 of 64/);
    expect(r.out).toContain('invariants: all');
    expect(await head()).toBe(before);
  });

  it('applies examples/fleet.yaml to a fresh server, then a re-apply prints "no changes"', async () => {
    const r = await ok(['apply', '-f', FLEET], env);
    expect(r.out).toMatch(/applied \d+ steps/);
    const vhms = JSON.parse((await ok(['get', 'vhms', '-o', 'json'], env)).out) as Array<{
      name: string;
      state: string;
      depth: number;
    }>;
    expect(vhms.map((v) => `${v.name} ${v.state} ${v.depth}`).sort()).toEqual([
      'control active 1',
      'lab active 1',
      'sensor active 2',
    ]);
    const bindings = JSON.parse((await ok(['get', 'bindings', '-o', 'json'], env)).out) as Array<{
      state: string;
    }>;
    expect(bindings.map((b) => b.state)).toEqual(Array(6).fill('active'));
    expect(JSON.parse((await ok(['get', 'ipc', '-o', 'json'], env)).out)).toHaveLength(1);
    const before = await head();
    const again = await ok(['apply', '-f', FLEET], env);
    expect(again.out).toBe('no changes\n');
    expect(await head()).toBe(before);
  });

  it('finishes an interrupted apply on a re-run', async () => {
    const file = join(s.dir, 'more.yaml');
    writeFileSync(
      file,
      `${readFileSync(FLEET, 'utf8').replace(
        'tenants:\n',
        `tenants:
  - name: nova
    quota: { vhms: 2, memory: 268435456, cpu: 8, qubits: 4, envelopes: 0 }
    vhms:
      - name: edge
        quota: { memory: 67108864, cpu: 2, qubits: 2, envelopes: 0 }
        contracts:
          - { domain: K, provider: host-b, k: { size: 1048576, cpu: 1 }, bind: true }
`,
      )}`,
    );
    class Killed extends Error {}
    const first = xdv(['apply', '-f', file], env, {
      afterStep: (i) => {
        if (i === 3) throw new Killed('killed after step 4');
      },
    });
    await expect(first).rejects.toBeInstanceOf(Killed);
    const d = await ok(['diff', '-f', file], env);
    // Tenant, VHM, validate and activate are done; the contract and its binding remain.
    expect(d.out).toMatch(/^plan: 5 steps/);
    expect(d.out).not.toContain('create tenant nova');
    const r = await ok(['apply', '-f', file], env);
    expect(r.out).toMatch(/applied 5 steps/);
    expect((await ok(['apply', '-f', file], env)).out).toBe('no changes\n');
  });

  it('finishes an apply whose process was killed (SIGKILL) after step 4 on a re-run', async () => {
    const file = join(s.dir, 'killed.yaml');
    writeFileSync(
      file,
      `tenants:
  - name: vega
    quota: { vhms: 3, memory: 268435456, cpu: 8, qubits: 8, envelopes: 0 }
    vhms:
      - name: one
        quota: { memory: 67108864, cpu: 2, qubits: 2, envelopes: 0 }
        contracts:
          - { domain: K, provider: host-b, k: { size: 1048576, cpu: 1 }, bind: true }
          - { domain: Q, provider: qpu-aurora, q: { qubits: 2, budget: 10 }, bind: true }
      - name: two
        quota: { memory: 67108864, cpu: 2, qubits: 0, envelopes: 0 }
`,
    );
    // The real bin in its own process group, killed outright once it has printed step 4.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'apply', '-f', file], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_c, sig) => done(sig)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/applied {2}4\./.test(out)) process.kill(-child.pid!, 'SIGKILL');
    });
    expect(await exited, out).toBe('SIGKILL');
    expect(out).not.toMatch(/applied \d+ steps/);
    const r = await ok(['apply', '-f', file], env);
    expect(r.out).toMatch(/applied \d+ steps/);
    expect(r.out).not.toContain('create tenant vega');
    expect((await ok(['apply', '-f', file], env)).out).toBe('no changes\n');
    const vhms = JSON.parse((await ok(['get', 'vhms', '-o', 'json'], env)).out) as Array<{
      name: string;
      tenant: string;
    }>;
    expect(vhms.filter((v) => v.name === 'one' || v.name === 'two')).toHaveLength(2);
  });

  it('commits nothing when any step of the plan would be refused, and says which and why', async () => {
    const file = join(s.dir, 'too-big.yaml');
    writeFileSync(
      file,
      `tenants:
  - name: tiny
    quota: { vhms: 1, memory: 1048576, cpu: 1, qubits: 0, envelopes: 0 }
    vhms:
      - name: a
        quota: { memory: 1048576, cpu: 1, qubits: 0, envelopes: 0 }
      - name: b
        quota: { memory: 1048576, cpu: 1, qubits: 0, envelopes: 0 }
`,
    );
    const before = await head();
    const r = await xdv(['apply', '-f', file], env);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/step 5 \(create vhm tiny\/b\) would be refused: HV_QUOTA_EXCEEDED/);
    expect(r.err).toContain('requested');
    expect(r.err).toContain('nothing was committed');
    expect(await head()).toBe(before);
    expect(
      JSON.parse((await ok(['get', 'tenants', '-o', 'json'], env)).out).map((t: { name: string }) => t.name),
    ).not.toContain('tiny');
  });

  it('prunes only with --prune, and only under what the file mentions', async () => {
    const file = join(s.dir, 'pruned.yaml');
    // helix without lab's Φ contract, and orbital/control without its nested sensor.
    writeFileSync(
      file,
      readFileSync(FLEET, 'utf8')
        .replace(/ {10}- domain: PHI\n(?: {12}.*\n)+/, '')
        .replace(/ {8}vhms:\n {10}# Nested[^\n]*\n {10}- name: sensor\n(?: {12}.*\n)+/, ''),
    );
    expect((await ok(['diff', '-f', file], env)).out).toBe('no changes\n');
    const d = await ok(['diff', '--prune', '-f', file], env);
    expect(d.out).toContain('terminate vhm orbital/control/sensor');
    expect(d.out).toMatch(/release contract contract-\d+ in helix\/lab \(not in the file\)/);
    expect(d.out).not.toContain('nova');
    await ok(['apply', '--prune', '-f', file], env);
    expect((await ok(['diff', '--prune', '-f', file], env)).out).toBe('no changes\n');
  });

  it('refuses a malformed file as bad usage, naming the field', async () => {
    const file = join(s.dir, 'bad.yaml');
    writeFileSync(file, 'tenants:\n  - name: x\n    vhms:\n      - name: y\n        quota: { qubits: -1 }\n');
    const r = await xdv(['apply', '-f', file], env);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('tenants[0].vhms[0].quota.qubits');
  });
});
