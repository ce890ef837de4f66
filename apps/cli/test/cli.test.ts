import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXIT } from '../src/index.js';
import { ok, registerProviders, type Server, startServer, xdv } from './server.js';

let s: Server;
let p: Record<string, string>;
let env: Record<string, string>;
beforeAll(async () => {
  s = await startServer();
  p = await registerProviders(s);
  env = { XDV_URL: s.url, XDV_TOKEN: s.token, XDV_CONFIG: join(s.dir, 'ops.yaml') };
  // Logical time moves before anything is created, so the state replayed at L 0 holds no VHM.
  await ok(['clock', 'advance', '3'], env);
});
afterAll(async () => s?.close());

/** The ids a committed action printed: "accepted at seq 12: vhm vhm-3, capability cap-4". */
function created(out: string): Record<string, string> {
  const m = /: (.*)$/m.exec(out.trim());
  return Object.fromEntries((m?.[1] ?? '').split(', ').map((x) => x.split(' ') as [string, string]));
}

describe('contexts', () => {
  it('logs in with a token from stdin or XDV_TOKEN, writes the config 0600, switches contexts', async () => {
    const cfg = join(s.dir, 'config', 'xdv.yaml');
    const e = { XDV_CONFIG: cfg };
    const r = await xdv(['login', s.url, '--name', 'ops', '--token-stdin'], e, { stdin: `${s.token}\n` });
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toContain('as operator');
    expect(statSync(cfg).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(cfg, 'utf8'))).toEqual({
      current: 'ops',
      contexts: { ops: { url: s.url, token: s.token } },
    });
    await ok(['login', s.url, '--name', 'second'], { ...e, XDV_TOKEN: s.token });
    const list = await ok(['context', 'list'], e);
    expect(list.out).toMatch(/\*\s+second/);
    expect(list.out).not.toContain(s.token);
    await ok(['context', 'use', 'ops'], e);
    expect(parse(readFileSync(cfg, 'utf8')).current).toBe('ops');
    // The saved context serves commands with no environment at all.
    expect((await ok(['get', 'providers'], e)).out).toContain('host-a');
    expect((await xdv(['context', 'use', 'nope'], e)).code).toBe(EXIT.usage);
  });

  it('refuses a wrong token at login (exit 3) and saves nothing', async () => {
    const cfg = join(s.dir, 'wrong.yaml');
    const r = await xdv(['login', s.url, '--token-stdin'], { XDV_CONFIG: cfg }, { stdin: 'not-a-token' });
    expect(r.code).toBe(EXIT.unreachable);
    expect(r.err).toContain('HV_UNAUTHENTICATED');
    expect(existsSync(cfg)).toBe(false);
  });

  it('needs no config file when XDV_URL and XDV_TOKEN are set; exit 3 with neither', async () => {
    expect((await ok(['get', 'tenants'], env)).code).toBe(0);
    const none = await xdv(['get', 'tenants'], { XDV_CONFIG: join(s.dir, 'absent.yaml') });
    expect(none.code).toBe(EXIT.unreachable);
    expect(none.err).toContain('xdv login');
    const down = await xdv(['get', 'tenants'], { ...env, XDV_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(EXIT.unreachable);
    expect(down.err).toContain('cannot reach');
  });
});

describe('actions, each previewed with --dry-run and then committed', () => {
  it('walks every action of the API', async () => {
    /** Preview (nothing committed), then commit; the ids the commit created. */
    const both = async (args: string[]) => {
      const before = s.seq();
      const d = await ok([...args, '--dry-run'], env);
      expect(d.out, args.join(' ')).toContain('dry run: would be accepted');
      expect(d.out).toMatch(/invariants: all \d+ hold/);
      expect(d.out).toContain('nothing was committed');
      expect(s.seq(), `${args.join(' ')} --dry-run committed`).toBe(before);
      const r = await ok(args, env);
      expect(r.out).toMatch(/^accepted at seq \d+/);
      expect(s.seq()).toBeGreaterThan(before);
      return created(r.out);
    };
    const t = (
      await both([
        'create',
        'tenant',
        'acme',
        '--quota',
        'vhms=4,memory=1048576,cpu=16,qubits=16,envelopes=2',
      ])
    ).tenant!;
    await both(['tenant', 'quota', t, '--quota', 'vhms=5,memory=1048576,cpu=16,qubits=16,envelopes=2']);
    const v = await both([
      'create',
      'vhm',
      'web',
      '--tenant',
      t,
      '--quota',
      'memory=262144,cpu=8,qubits=8,envelopes=1',
    ]);
    const [vhm, cap] = [v.vhm!, v.capability!];
    await both(['vhm', 'validate', vhm]);
    await both(['vhm', 'activate', vhm]);
    const v2 = await both(['create', 'vhm', 'peer', '--tenant', t, '--quota', 'memory=4096,cpu=1']);
    await ok(['vhm', 'validate', v2.vhm!], env);
    await ok(['vhm', 'activate', v2.vhm!], env);
    const nested = await both([
      'create',
      'vhm',
      'inner',
      '--parent',
      vhm,
      '--cap',
      cap,
      '--quota',
      'memory=4096',
    ]);
    await both(['vhm', 'schedule', vhm, '--weight', '3', '--max-queued', '10']);
    await both(['vhm', 'pause', vhm]);
    await both(['vhm', 'resume', vhm]);
    const cal = (await ok(['get', 'calibrations', '-o', 'json'], env)).out;
    const calId = (JSON.parse(cal) as Array<{ id: string }>)[0]!.id;
    await both(['calibration', p['qpu-aurora']!, '--from', '0', '--until', '500000']);
    const k = (
      await both([
        'allocate',
        vhm,
        '--cap',
        cap,
        '--domain',
        'K',
        '--provider',
        p['host-a']!,
        '--size',
        '4096',
        '--cpu',
        '1',
      ])
    ).contract!;
    const q = (
      await both([
        'allocate',
        vhm,
        '--cap',
        cap,
        '--domain',
        'Q',
        '--provider',
        p['qpu-aurora']!,
        '--qubits',
        '2',
        '--budget',
        '50',
        '--calibration',
        calId,
      ])
    ).contract!;
    const phi = (
      await both([
        'allocate',
        vhm,
        '--cap',
        cap,
        '--domain',
        'PHI',
        '--provider',
        p['phi-lumen']!,
        '--duration',
        '100000',
        '--tolerance',
        '100',
      ])
    ).contract!;
    const bound: Record<string, string> = {};
    for (const [name, c] of Object.entries({ k, q, phi })) {
      await both(['contract', 'activate', c, '--cap', cap]);
      const b = (await both(['bind', vhm, '--cap', cap, '--contract', c])).binding!;
      await both(['binding', 'validate', b, '--cap', cap]);
      await both(['binding', 'activate', b, '--cap', cap]);
      bound[name] = b;
    }
    await both(['job', bound.q!, '--cap', cap, '--cost', '5', '--ops', 'h,cx']);
    await both(['transform', bound.phi!, '--cap', cap, '--transform', 'rotate', '--impact', '10']);
    await both(['snapshot', vhm, '--cap', cap, '--include', 'K']);
    const proc = (await both(['process', 'spawn', vhm, '--cap', cap, '--name', 'worker'])).process!;
    await both([
      'scheduler',
      'submit',
      vhm,
      '--cap',
      cap,
      '--process',
      proc,
      '--domain',
      'K',
      '--quanta',
      '2',
    ]);
    await both(['scheduler', 'tick']);
    await both(['process', 'exit', vhm, proc, '--cap', cap]);
    const derived = (await both(['cap', 'derive', vhm, '--from', cap, '--rights', 'IPC'])).capability!;
    const issued = (await both(['cap', 'issue', v2.vhm!, '--rights', 'IPC'])).capability!;
    const ipc = (
      await both(['ipc', 'open', '--a', vhm, '--cap-a', derived, '--b', v2.vhm!, '--cap-b', issued])
    ).ipc!;
    await both(['ipc', 'close', ipc]);
    await both(['cap', 'revoke', vhm, derived]);
    await both(['binding', 'release', bound.k!, '--cap', cap]);
    await both(['contract', 'release', k, '--cap', cap]);
    await both(['migrate', vhm, '--cap', cap, '--target', p['host-b']!]);
    await both(['fault-inject', '--kind', 'decoherence_spike', '--target', q, '--amount', '1']);
    await both(['contract', 'revoke', phi, '--reason', 'maintenance']);
    await both(['clock', 'advance', '2']);
    await both(['vhm', 'terminate', nested.vhm!]);
    await both(['vhm', 'release', nested.vhm!]);
    // Tokens are not hypervisor commands: no preview, and the secret is shown once.
    const tok = await ok(
      ['create', 'token', '--kind', 'tenant', '--tenant', t, '--role', 'viewer', '--label', 'ro'],
      env,
    );
    expect(
      (
        await xdv(
          [
            'create',
            'token',
            '--kind',
            'tenant',
            '--tenant',
            t,
            '--role',
            'viewer',
            '--label',
            'x',
            '--dry-run',
          ],
          env,
        )
      ).code,
    ).toBe(EXIT.usage);
    const tokId = (
      JSON.parse((await ok(['get', 'tokens', '-o', 'json'], env)).out) as Array<{ id: string; label: string }>
    ).find((x) => x.label === 'ro')!.id;
    expect(tok.out).toBeTruthy();
    await ok(['token', 'revoke', tokId], env);
  });

  it('prints a refusal with its code, message and what would make it succeed; exit 1', async () => {
    const vhms = JSON.parse((await ok(['get', 'vhms', '-o', 'json'], env)).out) as Array<{
      id: string;
      name: string;
      state: string;
    }>;
    const web = vhms.find((v) => v.name === 'web')!;
    const caps = JSON.parse(
      (await ok(['get', 'capabilities', '--vhm', web.id, '-o', 'json'], env)).out,
    ) as Array<{
      id: string;
      rights: string[];
      revoked: boolean;
    }>;
    const root = caps.find((c) => c.rights.length > 5 && !c.revoked)!.id;
    const narrow = created(
      (await ok(['cap', 'derive', web.id, '--from', root, '--rights', 'SNAPSHOT'], env)).out,
    ).capability!;
    const r = await xdv(
      ['allocate', web.id, '--cap', narrow, '--domain', 'K', '--provider', p['host-a']!, '--size', '64'],
      env,
    );
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/error: HV_CAP_RIGHTS: /);
    expect(r.err).toContain('missing right: BIND_K');
    const big = await xdv(
      ['allocate', web.id, '--cap', root, '--domain', 'K', '--provider', p['host-a']!, '--size', '99999999'],
      env,
    );
    expect(big.code).toBe(EXIT.refused);
    expect(big.err).toMatch(/hint: requested \d+ memory, available \d+/);
    // The dry run of the same refusal: exit 0 (it is a preview), the refusal and its hint printed.
    const dry = await ok(
      [
        'allocate',
        web.id,
        '--cap',
        narrow,
        '--domain',
        'K',
        '--provider',
        p['host-a']!,
        '--size',
        '64',
        '--dry-run',
      ],
      env,
    );
    expect(dry.out).toContain('would be rejected: HV_CAP_RIGHTS');
    expect(dry.out).toContain('missing right: BIND_K');
  });

  it('exit 2 for bad usage: unknown command, missing option, a value of the wrong type', async () => {
    expect((await xdv(['frobnicate'], env)).code).toBe(EXIT.usage);
    expect((await xdv(['allocate', 'vhm-1', '--domain', 'K'], env)).code).toBe(EXIT.usage);
    expect((await xdv(['clock', 'advance', 'soon'], env)).code).toBe(EXIT.usage);
    expect((await xdv(['create', 'tenant', 'x', '--quota', 'memory=lots'], env)).code).toBe(EXIT.usage);
    expect((await xdv(['get', 'widgets'], env)).code).toBe(EXIT.usage);
    expect((await xdv(['get', 'vhms', '-o', 'xml'], env)).code).toBe(EXIT.usage);
  });
});

describe('get and describe', () => {
  it('lists every kind in each format', async () => {
    for (const kind of [
      'vhms',
      'providers',
      'contracts',
      'bindings',
      'capabilities',
      'ipc',
      'snapshots',
      'migrations',
      'processes',
      'tenants',
      'tokens',
      'calibrations',
      'faults',
      'alerts',
      'trace',
    ]) {
      const table = await ok(['get', kind], env);
      expect(table.out.length, kind).toBeGreaterThan(0);
      const json = JSON.parse((await ok(['get', kind, '-o', 'json'], env)).out) as unknown[];
      expect(Array.isArray(json), kind).toBe(true);
      expect(parse((await ok(['get', kind, '-o', 'yaml'], env)).out) ?? [], kind).toEqual(json);
      if (
        [
          'vhms',
          'providers',
          'contracts',
          'bindings',
          'tenants',
          'snapshots',
          'migrations',
          'faults',
        ].includes(kind)
      )
        expect(json.length, kind).toBeGreaterThan(0);
    }
    const vhms = (await ok(['get', 'vhms'], env)).out.split('\n');
    expect(vhms[0]).toMatch(/^ID\s+NAME\s+TENANT\s+PARENT\s+STATE/);
  });

  it('describes one object, and reads the replayed state with --at', async () => {
    const vhm = (
      JSON.parse((await ok(['get', 'vhms', '-o', 'json'], env)).out) as Array<{
        id: string;
        createdL: number;
      }>
    )[0]!;
    const d = parse((await ok(['describe', 'vhm', vhm.id], env)).out) as { id: string; quota: object };
    expect(d.id).toBe(vhm.id);
    expect(d.quota).toBeDefined();
    expect(JSON.parse((await ok(['describe', 'vhm', vhm.id, '-o', 'json'], env)).out).id).toBe(vhm.id);
    // Before the VHM existed, it is not there; at the current L it is.
    expect(JSON.parse((await ok(['get', 'vhms', '--at', '0', '-o', 'json'], env)).out)).toEqual([]);
    const r = await xdv(['describe', 'vhm', vhm.id, '--at', '0'], env);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toContain('HV_NOT_FOUND');
    const missing = await xdv(['describe', 'vhm', 'vhm-99999'], env);
    expect(missing.code).toBe(EXIT.refused);
  });
});

describe('watch, trace and completion', () => {
  it('watch prints entries as they are committed', async () => {
    const after = String(s.seq());
    const w = xdv(['watch', '--after', after, '--count', '2'], env);
    await ok(['clock', 'advance', '1'], env);
    const r = await w;
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(new RegExp(`^#${Number(after) + 1} L\\d+ clock.advance accepted`));
  });

  it('verifies the trace online, exports a bundle and verifies it offline', async () => {
    expect((await ok(['trace', 'verify'], env)).out).toMatch(/^OK: \d+ entries/);
    const file = join(s.dir, 'bundle.ndjson');
    await ok(['trace', 'export', '-f', 'bundle', '--file', file], env);
    const v = await ok(['trace', 'verify-bundle', file], {});
    expect(v.out).toContain('OK: every hash, link and decision replayed');
    // A forged entry: the offline verifier names it, exit 1.
    const lines = readFileSync(file, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"seq":5,'));
    lines[i] = lines[i]!.replace(/"hash":"([0-9a-f])/, (_m, c: string) => `"hash":"${c === '0' ? '1' : '0'}`);
    const bad = join(s.dir, 'forged.ndjson');
    (await import('node:fs')).writeFileSync(bad, lines.join('\n'));
    const f = await xdv(['trace', 'verify-bundle', bad], {});
    expect(f.code).toBe(EXIT.refused);
    expect(f.out).toMatch(/BAD at seq \d+/);
    expect((await xdv(['trace', 'verify-bundle', join(s.dir, 'nope')], {})).code).toBe(EXIT.usage);
  });

  it('prints bash and zsh completion that a shell accepts', async () => {
    const bash = (await ok(['completion', 'bash'], {})).out;
    expect(bash).toContain('complete -F _xdv xdv');
    expect(bash).toContain('vhms');
    execFileSync('bash', ['-n'], { input: bash });
    // The completion answers from the program: after "vhm", its subcommands.
    const words = execFileSync('bash', ['-c', `${bash}\n_xdv_words vhm`]).toString();
    expect(words.split(' ')).toEqual(expect.arrayContaining(['validate', 'activate', 'terminate']));
    const zsh = (await ok(['completion', 'zsh'], {})).out;
    expect(zsh).toContain('compdef _xdv xdv');
    expect((await xdv(['completion', 'fish'], {})).code).toBe(EXIT.usage);
  });
});
