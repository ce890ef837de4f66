// bench/sse-load: many concurrent SSE clients on /v1/trace/stream of the real server (its own process,
// PGlite) plus mixed write/read traffic for a bounded time on loopback. At the end every client must
// have received every entry from its start seq to the head, with no gap and no duplicate.
// Prints server RSS before/during/after, entries/s delivered and the slowest client's lag.
// Usage: node bench/sse-load.mjs   (env XDV_SSE_CLIENTS=1000, XDV_SSE_SECONDS=20, XDV_SSE_SEED=1)
// Needs about one file descriptor per client on each side (ulimit -n).
// `sseLoad()` is also imported by apps/api/test/sse-load.test.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scenario, sign } from '@xdv/core';
import { freePort, prng, spawnApi } from './processes.mjs';

const TOKEN = 'xdv_sse_operator';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * One SSE client: checks every id is exactly the previous + 1, from `after` + 1. Like EventSource, a
 * dropped connection is reopened with Last-Event-ID (counted in `reconnects`), so resumption is checked too.
 */
function client(agent, port, after, ackAt) {
  const c = {
    closed: false,
    after,
    last: after,
    received: 0,
    gaps: [],
    dups: 0,
    maxLagMs: 0,
    status: 0,
    error: null,
    reconnects: 0,
    errors: [],
    req: null,
  };
  const open = () => {
    let buf = '';
    const retry = (why) => {
      if (c.closed) return;
      if (c.errors.length < 3) c.errors.push(why);
      c.reconnects++;
      if (c.reconnects > 20) {
        c.error = `gave up after 20 reconnects: ${c.errors.join('; ')}`;
        return;
      }
      setTimeout(open, 200);
    };
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        agent,
        path: `/v1/trace/stream?after=${c.after}`,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          accept: 'text/event-stream',
          ...(c.last !== c.after || c.reconnects ? { 'last-event-id': String(c.last) } : {}),
        },
      },
      (res) => {
        c.status = res.statusCode;
        res.setEncoding('utf8');
        res.on('data', (d) => {
          buf += d;
          let i = buf.indexOf('\n\n');
          while (i >= 0) {
            const ev = buf.slice(0, i);
            buf = buf.slice(i + 2);
            i = buf.indexOf('\n\n');
            const m = /^id: ?(\d+)$/m.exec(ev);
            if (!m) continue; // keep-alive comment
            const seq = Number(m[1]);
            if (seq <= c.last) c.dups++;
            else {
              if (seq !== c.last + 1 && c.gaps.length < 5) c.gaps.push([c.last + 1, seq - 1]);
              c.last = seq;
              c.received++;
              const t = ackAt.get(seq);
              if (t !== undefined) c.maxLagMs = Math.max(c.maxLagMs, performance.now() - t);
            }
          }
        });
        res.on('error', (e) => retry(String(e)));
        res.on('end', () => retry('server ended the stream'));
      },
    );
    req.on('error', (e) => retry(String(e)));
    c.req = req;
  };
  open();
  return c;
}

export async function sseLoad({ clients = 1000, seconds = 20, seed = 1, log = () => {} } = {}) {
  const rnd = prng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'xdv-sse-'));
  const port = await freePort();
  const { child, output } = spawnApi({ port, dataDir: join(dir, 'data'), token: TOKEN });
  const failures = [];
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const api = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const call = (method, path, body) =>
    new Promise((res) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const r = http.request(
        {
          host: '127.0.0.1',
          port,
          agent: api,
          method,
          path,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            ...(text
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }
              : {}),
          },
        },
        (rs) => {
          let s = '';
          rs.setEncoding('utf8');
          rs.on('data', (d) => (s += d));
          rs.on('end', () => res({ status: rs.statusCode, body: s ? JSON.parse(s) : null }));
        },
      );
      r.on('error', (e) => res({ status: 0, body: String(e) }));
      r.end(text);
    });
  const must = async (method, path, body) => {
    const r = await call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const cs = [];
  let result = null;
  try {
    for (let t0 = performance.now(); ; ) {
      const r = await call('GET', '/readyz');
      if (r.status === 200 && r.body?.ready) break;
      if (child.exitCode !== null) throw new Error(`server exited:\n${output()}`);
      if (performance.now() - t0 > 300_000) throw new Error(`server not ready:\n${output()}`);
      await sleep(100);
    }
    const tenant = (
      await must('POST', '/v1/tenants', { name: 'sse', quota: { vhms: 100000, qubits: 1_000_000 } })
    ).created.tenant;
    const reg = scenario.registration('qpu-sse', 'Q', { qubits: 1_000_000 }, 9);
    const provider = (
      await must('POST', '/v1/providers', {
        registration: reg,
        signature: sign('xdv/provider-registration/v1', reg, scenario.providerKeys(9).secretKey),
      })
    ).created.provider;
    const cal = (
      await must('POST', `/v1/providers/${provider}/calibrations`, { from: 0, until: 1_000_000_000 })
    ).created.calibration;
    const v = (await must('POST', '/v1/vhms', { tenant, name: 'sse', quota: { qubits: 1_000_000 } })).created;
    await must('POST', `/v1/vhms/${v.vhm}/validate`);
    await must('POST', `/v1/vhms/${v.vhm}/activate`);

    const rss = { before: rssMb(child.pid), peak: 0, during: [], after: 0 };
    const ackAt = new Map();
    let head = (await must('GET', '/readyz')).seq;
    let stop = false;
    let writes = 0;
    let reads = 0;
    const contracts = [];
    // Mixed traffic: two writers (allocate, release, clock advance, VHM creation) and one reader.
    const writer = async () => {
      while (!stop) {
        const x = rnd.next();
        let r;
        if (x < 0.4)
          r = await call('POST', `/v1/vhms/${v.vhm}/contracts`, {
            capability: v.capability,
            domain: 'Q',
            provider,
            q: { qubits: 1, budget: 3, calibration: cal },
          });
        else if (x < 0.7 && contracts.length)
          r = await call('POST', `/v1/contracts/${contracts.pop()}/release`, { capability: v.capability });
        else if (x < 0.85) r = await call('POST', '/v1/clock/advance', { ticks: 1 });
        else r = await call('POST', '/v1/vhms', { tenant, name: `v${rnd.int(1e9)}`, quota: {} });
        writes++;
        if (r.status >= 500 || r.status === 0)
          failures.push(`writer: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        const seq = r.body?.seq;
        if (typeof seq === 'number') {
          // Every entry of the command group is acknowledged now.
          const n = r.body.entries?.length ?? 1;
          const t = performance.now();
          for (let s = seq; s < seq + n; s++) ackAt.set(s, t);
          head = Math.max(head, seq + n - 1);
        }
        if (r.body?.created?.contract) contracts.push(r.body.created.contract);
      }
    };
    const reader = async () => {
      while (!stop) {
        await call('GET', rnd.next() < 0.5 ? '/v1/overview' : `/v1/vhms/${v.vhm}`);
        reads++;
      }
    };
    const started = performance.now();
    const traffic = [writer(), writer(), reader()];
    const sampler = setInterval(() => {
      const m = rssMb(child.pid);
      rss.peak = Math.max(rss.peak, m);
      rss.during.push(m);
    }, 500);
    // Ramp the clients up in batches over the first part of the run, each from the head it last knew.
    const batch = Math.max(1, Math.ceil(clients / 10));
    for (let i = 0; i < clients; i += batch) {
      for (let j = i; j < Math.min(clients, i + batch); j++) cs.push(client(agent, port, head, ackAt));
      await sleep(Math.min(500, (seconds * 1000) / 20));
    }
    log(`sse: ${cs.length} clients connected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const left = seconds * 1000 - (performance.now() - started);
    if (left > 0) await sleep(left);
    stop = true;
    await Promise.all(traffic);
    const final = (await must('GET', '/readyz')).seq;
    const loadSeconds = (performance.now() - started) / 1000;
    // Drain: every client reaches the head.
    const drainStart = performance.now();
    while (cs.some((c) => c.last < final && !c.error) && performance.now() - drainStart < 120_000)
      await sleep(100);
    const drainMs = performance.now() - drainStart;
    clearInterval(sampler);
    const delivered = cs.reduce((a, c) => a + c.received, 0);
    for (const c of cs) {
      c.closed = true;
      c.req.destroy();
    }
    await sleep(2000);
    rss.after = rssMb(child.pid);
    let bad = 0;
    for (const [i, c] of cs.entries()) {
      const problems = [];
      if (c.status !== 200) problems.push(`status ${c.status}`);
      if (c.error) problems.push(`error ${c.error}`);
      if (c.gaps.length) problems.push(`gaps ${JSON.stringify(c.gaps)}`);
      if (c.dups) problems.push(`${c.dups} duplicates`);
      // The server's clock source may tick after the load stopped: a client may be past `final`, never short of it.
      if (c.last < final) problems.push(`last ${c.last}, head ${final}`);
      if (c.received !== c.last - c.after) problems.push(`received ${c.received} of ${c.last - c.after}`);
      if (problems.length) {
        bad++;
        if (bad <= 10) failures.push(`client ${i} (after=${c.after}): ${problems.join('; ')}`);
      }
    }
    const verify = await must('GET', '/v1/trace/verify');
    if (!verify.ok) failures.push(`verify ${JSON.stringify(verify)}`);
    const slowest = cs.reduce((a, c) => Math.max(a, c.maxLagMs), 0);
    const reconnects = cs.reduce((a, c) => a + c.reconnects, 0);
    const reconnectErrors = [...new Set(cs.flatMap((c) => c.errors))].slice(0, 5);
    const median = [...rss.during].sort((a, b) => a - b)[Math.floor(rss.during.length / 2)] ?? Number.NaN;
    result = {
      clients: cs.length,
      badClients: bad,
      seconds: loadSeconds,
      writes,
      reads,
      entries: final,
      delivered,
      deliveredPerSec: delivered / (loadSeconds + drainMs / 1000),
      drainMs,
      slowestLagMs: slowest,
      reconnects,
      reconnectErrors,
      reconnectedClients: cs.filter((c) => c.reconnects).length,
      rss: { before: rss.before, during: median, peak: rss.peak, after: rss.after },
      failures,
    };
  } catch (e) {
    failures.push(`sse-load aborted: ${e.stack ?? e}`);
    result = { clients: cs.length, failures };
  } finally {
    for (const c of cs) {
      c.closed = true;
      c.req?.destroy();
    }
    api.destroy();
    agent.destroy();
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

export function report(r, seed, print = console.log) {
  if (r.rss) {
    print(
      `sse-load: seed ${seed}, ${r.clients} SSE clients, ${r.seconds.toFixed(1)} s of mixed traffic (${r.writes} writes, ${r.reads} reads), trace head ${r.entries}`,
    );
    print(
      `  delivered ${r.delivered} entries to clients = ${r.deliveredPerSec.toFixed(0)} entries/s; drain to head after the load ${r.drainMs.toFixed(0)} ms`,
    );
    print(`  slowest client's lag (ack → received) ${r.slowestLagMs.toFixed(0)} ms`);
    print(
      `  server RSS: before ${r.rss.before.toFixed(0)} MB, during (median) ${r.rss.during.toFixed(0)} MB, peak ${r.rss.peak.toFixed(0)} MB, after ${r.rss.after.toFixed(0)} MB`,
    );
    print(
      `  reconnections (Last-Event-ID resume): ${r.reconnects} by ${r.reconnectedClients} clients${r.reconnects ? ` (${r.reconnectErrors.join('; ')})` : ''}`,
    );
    print(`  clients with a gap, duplicate, error or short of the head: ${r.badClients}`);
  }
  print(`  failures: ${r.failures.length}`);
  for (const f of r.failures.slice(0, 20)) print(`  FAIL ${f}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const CLIENTS = Number(process.env.XDV_SSE_CLIENTS ?? 1000);
  const SECONDS = Number(process.env.XDV_SSE_SECONDS ?? 20);
  const SEED = Number(process.env.XDV_SSE_SEED ?? 1);
  const r = await sseLoad({ clients: CLIENTS, seconds: SECONDS, seed: SEED, log: console.log });
  report(r, SEED);
  process.exit(r.failures.length ? 1 : 0);
}
