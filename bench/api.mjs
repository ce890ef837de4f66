// bench/api: bare Fastify hello-world (the ceiling), GET a VHM, and durable POST allocate-then-release,
// all at 100 connections on this machine, in one run, then GET a VHM *while* allocate+release runs (50
// connections each). Prints throughput, p50/p99 and ratios. No asserts. XDV_PGLITE_WORKER=1|0 picks
// the PGlite driver (on a worker thread or on the API's own thread).
// BENCH_SECONDS (default 8) per measurement; the GET and its ceiling alternate over three rounds.
import { loadavg } from 'node:os';
import { createXdvClient } from '@xdv/client';
import { scenario, sign } from '@xdv/core';
import { pgliteOnWorker } from '@xdv/db';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { embeddedApi } from './embedded.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 100;

function run(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

function line(name, r, ceiling) {
  const rps = r.requests.average;
  const errors = r.non2xx + r.errors;
  const ratio = ceiling ? ` ratio ${(rps / ceiling).toFixed(2)}×` : '';
  console.log(
    `${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.latency.p50).padStart(3)} ms  p99 ${String(r.latency.p99).padStart(3)} ms  non-2xx ${errors}${ceiling ? `  ceiling ${ceiling.toFixed(0)} req/s` : ''}${ratio}  load ${loadavg()[0].toFixed(2)}`,
  );
  return rps;
}

// 1. The ceiling: bare Fastify 5 on the same cores. On these shared machines the load moves within
// seconds, so the GET and its ceiling are measured in alternating rounds (bare, API, bare, API, ...)
// and each round's ratio is taken against its own ceiling; the median round is reported.
const ROUNDS = 3;
const bare = Fastify({ logger: false });
bare.get('/', async () => ({ hello: 'world' }));
await bare.listen({ port: 0, host: '127.0.0.1' });
const bareUrl = `http://127.0.0.1:${bare.server.address().port}/`;

// 2. The API on PGlite (on disk), with a VHM that can allocate and release qubits.
const server = await embeddedApi('bench-api');
const { app, base } = server;
// Setup goes through @xdv/client (it throws an XdvProblem, `CODE: detail`, on any refusal).
// autocannon's measured requests carry the same operator token.
const H = { authorization: 'Bearer xdv_bench_operator', 'content-type': 'application/json' };
const xdv = createXdvClient({ baseUrl: base, token: 'xdv_bench_operator' });
const post = async (path, body = {}) => (await xdv.POST(path, { body })).created;
const tenant = (await post('/v1/tenants', { name: 'bench', quota: { vhms: 1, qubits: 100000 } })).tenant;
const reg = scenario.registration('qpu-bench', 'Q', { qubits: 100000 }, 9);
const provider = (
  await post('/v1/providers', {
    registration: reg,
    signature: sign('xdv/provider-registration/v1', reg, scenario.providerKeys(9).secretKey),
  })
).provider;
const cal = (await post(`/v1/providers/${provider}/calibrations`, { from: 0, until: 1_000_000_000 }))
  .calibration;
const v = await post('/v1/vhms', { tenant, name: 'bench', quota: { qubits: 100000 } });
await post(`/v1/vhms/${v.vhm}/validate`);
await post(`/v1/vhms/${v.vhm}/activate`);

const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  const b = await run({ url: bareUrl });
  const g = await run({ url: `${base}/v1/vhms/${v.vhm}`, headers: H });
  rounds.push({ bare: b, get: g, ratio: g.requests.average / b.requests.average, load: loadavg()[0] });
}
await bare.close();
const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[(rounds.length - 1) >> 1];
const bareRes = median.bare;
const getRes = median.get;
const seqBefore = app.ledger.state.seq;
const statsBefore = { ...app.ledger.stats };
const mutation = {
  url: base,
  headers: H,
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
};
const mutRes = await run(mutation);
const committed = app.ledger.state.seq - seqBefore;
const st = { ...app.ledger.stats };
const batches = st.batches - statsBefore.batches;
// 3. Reads while writes run: what a database off the API's thread should improve.
const half = CONNECTIONS / 2;
const [mixGet, mixMut] = await Promise.all([
  run({ url: `${base}/v1/vhms/${v.vhm}`, headers: H, connections: half }),
  run({ ...mutation, connections: half }),
]);

console.log(
  `bench/api — ${CONNECTIONS} connections, ${DURATION} s each, ${app.ledger.kind} store${app.ledger.kind === 'pglite' ? ` (${pgliteOnWorker() ? 'worker thread' : 'API thread'})` : ''}, load generator on the same cores`,
);
console.log(
  `GET rounds (bare then API, ratio each): ${rounds.map((r) => `${r.get.requests.average.toFixed(0)}/${r.bare.requests.average.toFixed(0)} = ${r.ratio.toFixed(2)}× (load ${r.load.toFixed(2)})`).join(', ')}; the median round:`,
);
const ceiling = line('bare Fastify GET (ceiling)', bareRes);
const g = line('GET /v1/vhms/:id', getRes, ceiling);
const m = line('POST allocate + release (durable)', mutRes, ceiling);
line(`GET while mutating (${half} conns)`, mixGet, ceiling);
line(`POST alloc+release meanwhile (${half})`, mixMut, ceiling);
console.log(
  `targets: GET ≥ 0.6× (${(g / ceiling).toFixed(2)}×), durable mutations ≥ 0.25× (${(m / ceiling).toFixed(2)}×) and ≥ 5,000/s on PGlite, p99 < 50 ms`,
);
console.log(
  `mutations committed: ${committed} trace entries appended in ${DURATION} s (${(committed / DURATION).toFixed(0)} entries/s)`,
);
console.log(
  `  where the time went: ${batches} group commits, ${(committed / Math.max(1, batches)).toFixed(1)} entries each; core step + read-model rows ${((st.stepMs - statsBefore.stepMs) / 1000).toFixed(2)} s, transactions ${((st.flushMs - statsBefore.flushMs) / 1000).toFixed(2)} s of ${DURATION} s`,
);
await server.close();
