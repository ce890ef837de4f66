import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Ledger } from '../src/index.js';
import {
  BACKENDS_BOTH_PGLITE,
  type Backend,
  freshBackend,
  replayedHash,
  usePgliteDriverOf,
} from './helpers.js';

const RUNS = Number(process.env.XDV_CRASH_RUNS ?? 6);
const pkg = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/crash-writer.mjs', import.meta.url));

interface Boot {
  boot: number;
  broken: unknown;
  acked: boolean;
  verify: boolean;
  replayEqual: boolean;
}

/** Run the writer until it has booted and acknowledged some writes, then SIGKILL its process group. */
async function runAndKill(
  env: NodeJS.ProcessEnv,
  killAfterMs: number,
): Promise<{ boot: Boot; lastAck: string | null }> {
  const child: ChildProcess = spawn(process.execPath, [fixture], {
    env: { ...process.env, ...env },
    detached: true, // its own process group, so the kill reaches everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  let boot: Boot | null = null;
  let lastAck: string | null = null;
  let acks = 0;
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    child.stdout!.on('data', (d) => {
      buf += String(d);
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!boot) boot = JSON.parse(line) as Boot;
        else if (line.startsWith('ack ')) {
          lastAck = line.slice(4);
          // The kill lands at a random point of the write load after the first acknowledgement
          // (timed from there, so a slow, loaded machine still gets a meaningful run).
          if (acks++ === 0) timer = setTimeout(resolve, killAfterMs);
        }
        nl = buf.indexOf('\n');
      }
    });
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`writer exited early (${code}): ${stderr}`));
    });
  });
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  expect(acks, 'writer acknowledged nothing before the kill').toBeGreaterThan(0);
  return { boot: boot!, lastAck };
}

describe.each(BACKENDS_BOTH_PGLITE)('crash recovery on %s', (kind) => {
  usePgliteDriverOf(kind);
  let b: Backend;
  let dir: string;
  beforeAll(() => {
    // The child runs on built JS: build if this package was tested without `turbo run build`.
    if (!existsSync(join(pkg, 'dist/index.js'))) execSync('npx tsc -p tsconfig.build.json', { cwd: pkg });
    b = freshBackend(kind);
    dir = mkdtempSync(join(tmpdir(), 'xdv-crash-'));
  });
  afterAll(async () => {
    await b?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged command across ${RUNS} SIGKILLs under write load`, async () => {
    const env: NodeJS.ProcessEnv =
      kind === 'pg'
        ? { XDV_CRASH_PG_URL: b.opts.databaseUrl ?? '', XDV_CRASH_SCHEMA: b.opts.schema ?? '' }
        : { XDV_CRASH_DIR: join(dir, 'data'), XDV_CRASH_TEMPLATE: inject('pgliteTemplate') };
    let lastAck: string | null = null;
    for (let run = 0; run < RUNS; run++) {
      const killAfter = Math.floor(Math.random() * 900);
      const r = await runAndKill({ ...env, XDV_CRASH_CHECK: lastAck ?? '' }, killAfter);
      // What the restarted writer found: nothing acknowledged lost, chain intact, replay agrees.
      expect(r.boot, `run ${run}`).toMatchObject({
        broken: null,
        acked: true,
        verify: true,
        replayEqual: true,
      });
      if (lastAck) expect(r.boot.boot).toBeGreaterThanOrEqual(Number(lastAck.split(' ')[0]));
      lastAck = r.lastAck ?? lastAck;
    }
    // A last, independent check from this process.
    const ledger = await Ledger.open(
      kind === 'pg' ? b.opts : { databaseUrl: null, dataDir: join(dir, 'data') },
    );
    try {
      expect(ledger.broken).toBeNull();
      const [seq, hash] = lastAck!.split(' ');
      const at = await ledger.entries({ afterSeq: Number(seq) - 1, limit: 1 });
      expect(at[0]?.hash).toBe(hash);
      const v = await ledger.verify();
      expect(v.ok).toBe(true);
      expect(v.entries).toBe(ledger.state.seq);
      expect(await replayedHash(ledger)).toEqual({
        ok: true,
        hash: ledger.stateHash(),
        seq: ledger.state.seq,
      });
    } finally {
      await ledger.close();
    }
  });
});
