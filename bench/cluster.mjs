// bench/cluster: read and write throughput with 1, 2 and 3 API nodes on one PostgreSQL (each
// figure beside the one-node figure of the same run, and the ratio), and the follow lag of a node
// behind the head while another node takes writes. Each node count gets a fresh cluster on a fresh
// database (the CTS's startCluster: real `node apps/api/dist/main.js` processes). No asserts.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:cluster
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { scenario, sign } from '@xdv/core';
import { startCluster } from '@xdv/cts';
import autocannon from 'autocannon';

const SERVER = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
if (!SERVER) {
  console.error(
    'bench/cluster needs DATABASE_URL naming a PostgreSQL server (a fresh database is created per run)',
  );
  process.exit(2);
}
const DURATION = Number(process.env.XDV_BENCH_SECONDS ?? 8);
const CONNECTIONS = 96; // split evenly over the nodes
const LAG_PROBES = Number(process.env.XDV_BENCH_LAG_PROBES ?? 200);
// Node counts to measure (default 1,2,3; the first is the baseline the ratios divide by).
const NODE_COUNTS = (process.env.XDV_BENCH_NODES ?? '1,2,3').split(',').map(Number);

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ duration: DURATION, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function rest(base, token, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${j.code} ${j.detail}`);
  return j;
}

/** A tenant, a Q provider with a calibration, and one active VHM per node to allocate in. */
async function fixture(cluster) {
  const [first] = cluster.nodes;
  const op = (method, path, body) => rest(first.url, cluster.token, method, path, body);
  const tenant = (await op('POST', '/v1/tenants', { name: 'bench', quota: { vhms: 10, qubits: 1_000_000 } }))
    .created.tenant;
  const reg = scenario.registration('qpu-bench', 'Q', { qubits: 1_000_000 }, 9);
  const provider = (
    await op('POST', '/v1/providers', {
      registration: reg,
      signature: sign('xdv/provider-registration/v1', reg, scenario.providerKeys(9).secretKey),
    })
  ).created.provider;
  const cal = (await op('POST', `/v1/providers/${provider}/calibrations`, { from: 0, until: 1_000_000_000 }))
    .created.calibration;
  const vhms = [];
  for (const _ of cluster.nodes) {
    const v = (
      await op('POST', '/v1/vhms', { tenant, name: `bench-${vhms.length}`, quota: { qubits: 100_000 } })
    ).created;
    await op('POST', `/v1/vhms/${v.vhm}/validate`);
    await op('POST', `/v1/vhms/${v.vhm}/activate`);
    vhms.push(v);
  }
  // Every node has followed the fixture before it is measured.
  const head = (await op('GET', '/v1/trace?limit=1')).head.seq;
  for (const n of cluster.nodes)
    while ((await rest(n.url, cluster.token, 'GET', '/v1/trace?limit=1')).head.seq < head)
      await new Promise((r) => setTimeout(r, 20));
  return { provider, cal, vhms };
}

/** Durable allocate-then-release of one qubit, in a loop per connection (as bench/api). */
function writes(base, token, v, provider, cal, connections) {
  return cannon({
    url: base,
    connections,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        path: `/v1/vhms/${v.vhm}/contracts`,
        body: JSON.stringify({
          capability: v.capability,
          domain: 'Q',
          provider,
          q: { qubits: 1, budget: 10, calibration: cal },
        }),
        onResponse: (status, body, context) => {
          if (status === 201) context.contract = JSON.parse(body).created.contract;
        },
      },
      {
        method: 'POST',
        setupRequest: (req, context) => ({
          ...req,
          path: `/v1/contracts/${context.contract}/release`,
          body: JSON.stringify({ capability: v.capability }),
        }),
      },
    ],
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 once it is gone). */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** Where the CPU goes: the nodes, every PostgreSQL process on the machine, and this load generator. */
function cpuSnapshot(nodePids) {
  let postgres = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') postgres += cpuOf(d);
    } catch {
      // gone meanwhile
    }
  }
  const u = process.cpuUsage();
  return {
    nodes: nodePids.reduce((a, p) => a + cpuOf(p), 0),
    postgres,
    generator: (u.user + u.system) / 1e6,
  };
}
// PostgreSQL backends that exit during a phase take their CPU with them: its figure is a floor.
const cpuDelta = (a, b) => ({
  nodes: b.nodes - a.nodes,
  postgres: Math.max(0, b.postgres - a.postgres),
  generator: b.generator - a.generator,
});
const cpuText = (c) =>
  `CPU s: nodes ${c.nodes.toFixed(1)}, postgres ${c.postgres.toFixed(1)}, generator ${c.generator.toFixed(1)} of ${cpus().length}×${DURATION} s`;

const sum = (rs, f) => rs.reduce((a, r) => a + f(r), 0);
const worst = (rs, f) => Math.max(...rs.map(f));

/** Reads then writes, the connections split evenly over the cluster's nodes. */
async function measure(n) {
  const cluster = await startCluster({ serverUrl: SERVER, nodes: n });
  try {
    const { provider, cal, vhms } = await fixture(cluster);
    const per = Math.floor(CONNECTIONS / n);
    const H = { authorization: `Bearer ${cluster.token}` };
    const pids = (await rest(cluster.nodes[0].url, cluster.token, 'GET', '/v1/cluster?limit=1')).nodes
      .filter((x) => x.status !== 'stopped')
      .map((x) => x.pid);
    const loadBefore = load();
    const c0 = cpuSnapshot(pids);
    const reads = await Promise.all(
      cluster.nodes.map((node, i) =>
        cannon({ url: `${node.url}/v1/vhms/${vhms[i].vhm}`, connections: per, headers: H }),
      ),
    );
    const loadReads = load();
    const c1 = cpuSnapshot(pids);
    const ws = await Promise.all(
      cluster.nodes.map((node, i) => writes(node.url, cluster.token, vhms[i], provider, cal, per)),
    );
    const loadWrites = load();
    const c2 = cpuSnapshot(pids);
    // Node counters arrive with the heartbeat (about once a second).
    await new Promise((r) => setTimeout(r, 1500));
    const clusterView = await rest(cluster.nodes[0].url, cluster.token, 'GET', '/v1/cluster?limit=1');
    // The same writes, every connection on the first node (a load balancer routing writes to one
    // node): the others only follow, so no seq conflicts.
    const routed =
      n > 1 ? await writes(cluster.nodes[0].url, cluster.token, vhms[0], provider, cal, per * n) : null;
    const conflicts = sum(
      clusterView.nodes.filter((x) => x.status !== 'stopped'),
      (x) => x.conflicts ?? 0,
    );
    return {
      n,
      reads: sum(reads, (r) => r.requests.average),
      readP99: worst(reads, (r) => r.latency.p99),
      readErrors: sum(reads, (r) => r.non2xx + r.errors),
      writes: sum(ws, (r) => r.requests.average),
      writeP99: worst(ws, (r) => r.latency.p99),
      writeErrors: sum(ws, (r) => r.non2xx + r.errors),
      conflicts,
      routed: routed && {
        writes: routed.requests.average,
        p99: routed.latency.p99,
        errors: routed.non2xx + routed.errors,
      },
      load: { before: loadBefore, reads: loadReads, writes: loadWrites },
      cpu: { reads: cpuDelta(c0, c1), writes: cpuDelta(c1, c2) },
      stats: clusterView.nodes
        .filter((x) => x.status !== 'stopped')
        .map(
          (x) =>
            `${x.commits ?? 0} commits/${x.entries ?? 0} entries/${x.conflicts ?? 0} conflicts/${x.rebuilds ?? 0} rebuilds/${x.reloads ?? 0} reloads/${x.catchUps ?? 0} catch-ups`,
        ),
    };
  } finally {
    await cluster.close();
  }
}

/**
 * Follow lag: node 1 takes a steady write load; a probe writes one command through node 1 and
 * times how long node 2 takes to serve that seq (its trace head), LAG_PROBES times.
 */
async function followLag() {
  const cluster = await startCluster({ serverUrl: SERVER, nodes: 2 });
  try {
    const { provider, cal, vhms } = await fixture(cluster);
    const [a, b] = cluster.nodes;
    const background = writes(a.url, cluster.token, vhms[0], provider, cal, 32);
    const lags = [];
    const v = vhms[1];
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < LAG_PROBES; i++) {
      const r = await rest(a.url, cluster.token, 'POST', `/v1/vhms/${v.vhm}/processes`, {
        capability: v.capability,
        name: `probe-${i}`,
      });
      const t0 = performance.now();
      for (;;) {
        const h = await rest(b.url, cluster.token, 'GET', '/v1/trace?limit=1');
        if (h.head.seq >= r.seq) break;
      }
      lags.push(performance.now() - t0);
    }
    await background;
    lags.sort((x, y) => x - y);
    const q = (p) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))];
    return { p50: q(0.5), p99: q(0.99), max: lags.at(-1), probes: lags.length, load: load() };
  } finally {
    await cluster.close();
  }
}

console.log(
  `bench/cluster — API nodes on one PostgreSQL, ${CONNECTIONS} connections split over the nodes, ${DURATION} s each, load generator on the same ${cpus().length} cores`,
);
const rows = [];
for (const n of NODE_COUNTS) {
  const r = await measure(n);
  rows.push(r);
  const one = rows[0];
  console.log(
    `${n} node${n > 1 ? 's' : ' '}  reads ${r.reads.toFixed(0).padStart(6)} req/s (p99 ${r.readP99} ms, non-2xx ${r.readErrors}) ratio to 1 node ${(r.reads / one.reads).toFixed(2)}×` +
      `  |  writes ${r.writes.toFixed(0).padStart(5)} req/s (p99 ${r.writeP99} ms, non-2xx ${r.writeErrors}, seq conflicts ${r.conflicts}) ratio to 1 node ${(r.writes / one.writes).toFixed(2)}×` +
      `  |  load ${r.load.reads} / ${r.load.writes}`,
  );
  if (r.routed)
    console.log(
      `         writes all through node 1 while ${n} nodes follow: ${r.routed.writes.toFixed(0)} req/s (p99 ${r.routed.p99} ms, non-2xx ${r.routed.errors}) ratio to 1 node ${(r.routed.writes / one.writes).toFixed(2)}×`,
    );
  console.log(
    `         reads: ${cpuText(r.cpu.reads)}; writes: ${cpuText(r.cpu.writes)}; per node ${r.stats.join(', ')}`,
  );
}
const lag = LAG_PROBES > 0 ? await followLag() : null;
if (lag)
  console.log(
    `follow lag of node 2 behind writes on node 1 (${lag.probes} probes under 32 writing connections): p50 ${lag.p50.toFixed(1)} ms, p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms  load ${lag.load}`,
  );
const [one, two, three] = rows;
if (lag && one?.n === 1 && two?.n === 2 && three?.n === 3)
  console.log(
    `targets: reads scale ≥ 0.8× per added node (2 nodes ${(two.reads / one.reads).toFixed(2)}× vs ≥ 1.8×, 3 nodes ${(three.reads / one.reads).toFixed(2)}× vs ≥ 2.6×); writes ≥ 0.9× of one node (${(two.writes / one.writes).toFixed(2)}×, ${(three.writes / one.writes).toFixed(2)}×); lag < 1 s (p99 ${lag.p99.toFixed(0)} ms)`,
  );
else
  for (const r of rows.slice(1))
    console.log(`writes over ${r.n} nodes: ${(r.writes / one.writes).toFixed(2)}× of ${one.n} node(s)`);
