import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDatabase } from '@xdv/db';

// The cluster the distributed tests (XDV-084 §8) run against: several API processes on one
// PostgreSQL, each serving reads from its own state and accepting writes. Either nodes someone
// else runs (`--cluster URL,URL,…`: ordering can be checked, but no node can be killed), or nodes
// the suite starts itself from this build on a fresh database, which it can SIGKILL and restart.

export interface ClusterNode {
  readonly url: string;
  /** XDV_NODE_ID, when the suite set it (the cluster view lists nodes by it). */
  readonly id: string | null;
}

/** Stop and start the nodes the suite owns. */
export interface NodeControl {
  /** SIGKILL node i's whole process group and wait until it has exited. */
  kill(i: number): Promise<void>;
  /** Start node i again with the same id, port, key directory and database; resolves once it is ready. */
  restart(i: number): Promise<void>;
  /**
   * Restart every node in turn (a clean stop, then a start) with the clock source ticking every
   * `ms` of wall time, or manual (0). Tests that need a fixed sequence of inputs run on a manual clock.
   */
  setTickMs(ms: number): Promise<void>;
  /** Wall-clock milliseconds per tick of the nodes' clock source (0: manual). */
  readonly tickMs: number;
}

export interface Cluster {
  readonly nodes: readonly ClusterNode[];
  /** An operator token valid on every node (tokens live in the shared database). */
  readonly token: string;
  /** Null for nodes the suite did not start. */
  readonly control: NodeControl | null;
  close(): Promise<void>;
}

/** Nodes someone else runs, all on one database. */
export function externalCluster(urls: string[], token: string): Cluster {
  return {
    nodes: urls.map((url) => ({ url: url.replace(/\/$/, ''), id: null })),
    token,
    control: null,
    close: async () => {},
  };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server entry point of the @xdv/api this suite was built with. */
function apiMain(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@xdv/api')), 'main.js');
}

interface Proc {
  child: ChildProcess;
  output: string;
  exited: Promise<void>;
}

/**
 * Start `nodes` API processes of this build on a fresh database created on the PostgreSQL server
 * at `serverUrl` (dropped on close). The first node starts alone, so the bootstrap token is written
 * once; the others then join. Each process runs in its own process group, so a kill takes all of it.
 */
export async function startCluster(opts: {
  serverUrl: string;
  nodes?: number;
  tickMs?: number;
  /** Where the nodes' output goes when one fails to start (default: the thrown error only). */
  log?: (line: string) => void;
}): Promise<Cluster> {
  const n = opts.nodes ?? 3;
  // Manual by default, like the in-process service: the tests drive logical time with explicit ticks.
  let tickMs = opts.tickMs ?? 0;
  const db = await createDatabase(opts.serverUrl, `xdv_cts_${process.pid}_${randomBytes(4).toString('hex')}`);
  const dir = mkdtempSync(join(tmpdir(), 'xdv-cts-cluster-'));
  const token = `cts-${randomBytes(24).toString('hex')}`;
  const main = apiMain();
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const nodes: ClusterNode[] = ports.map((port, i) => ({
    url: `http://127.0.0.1:${port}`,
    id: `cts-node-${i + 1}`,
  }));
  const procs: Array<Proc | null> = nodes.map(() => null);

  const launch = (i: number): Proc => {
    const child = spawn(process.execPath, [main], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(ports[i]),
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        XDV_NODE_ID: nodes[i]!.id!,
        XDV_KEY_DIR: join(dir, `node-${i + 1}`, 'keys'),
        XDV_BOOTSTRAP_TOKEN: token,
        XDV_TICK_MS: String(tickMs),
        XDV_DEMO: '0',
        XDV_RATE_LIMIT: '0',
        XDV_WEB_DIR: join(dir, 'no-console'),
        XDV_COMPLIANCE_REPORT: join(dir, 'no-report.json'),
        LOG_LEVEL: 'warn',
      },
    });
    const p: Proc = {
      child,
      output: '',
      exited: new Promise((r) => child.once('exit', () => r())),
    };
    child.stdout?.on('data', (d) => {
      p.output += String(d);
    });
    child.stderr?.on('data', (d) => {
      p.output += String(d);
    });
    procs[i] = p;
    return p;
  };

  const ready = async (i: number): Promise<void> => {
    const p = procs[i]!;
    let exited = false;
    void p.exited.then(() => {
      exited = true;
    });
    // Starting a node migrates (first node) and replays the trace: allow a loaded machine a minute.
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      if (exited) break;
      try {
        const r = await fetch(`${nodes[i]!.url}/readyz`);
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    opts.log?.(p.output);
    throw new Error(
      `cluster node ${nodes[i]!.id} ${exited ? 'exited' : 'was not ready within 60 s'}; its output:\n${p.output.slice(-2000)}`,
    );
  };

  const kill = async (i: number, signal: NodeJS.Signals): Promise<void> => {
    const p = procs[i];
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    try {
      process.kill(-p.child.pid!, signal);
    } catch {
      // already gone
    }
    await p.exited;
  };

  const close = async (): Promise<void> => {
    await Promise.all(
      procs.map(async (p, i) => {
        if (!p) return;
        // A clean stop first (the node marks itself stopped), then no mercy after 10 s.
        const t = setTimeout(() => void kill(i, 'SIGKILL'), 10_000);
        await kill(i, 'SIGTERM');
        clearTimeout(t);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  };

  try {
    launch(0);
    await ready(0);
    for (let i = 1; i < n; i++) launch(i);
    await Promise.all(nodes.slice(1).map((_, j) => ready(j + 1)));
  } catch (e) {
    await close();
    throw e;
  }
  return {
    nodes,
    token,
    control: {
      get tickMs() {
        return tickMs;
      },
      kill: (i) => kill(i, 'SIGKILL'),
      async restart(i) {
        await kill(i, 'SIGKILL');
        launch(i);
        await ready(i);
      },
      async setTickMs(ms) {
        tickMs = ms;
        for (let i = 0; i < n; i++) {
          await kill(i, 'SIGTERM');
          launch(i);
          await ready(i);
        }
      },
    },
    close,
  };
}
