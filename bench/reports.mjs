// bench/reports: signed provider reports admitted per second, end to end through the real HTTP API
// on embedded PGlite, next to the ceiling measured in the same run: ML-DSA-65 verify/s
// (@noble/post-quantum, single thread, median of 3) over the very report payloads that are posted.
// Also the same reports submitted to the Ledger directly (admit + step + group commit, no HTTP), to
// show where the time goes. Prints; never asserts (see shared BENCHMARKS.md).
//
// All reports are signed before timing (on worker threads). The load generator runs on a worker
// thread (on the same cores) with keep-alive connections and pre-serialised bodies, one request in
// flight per provider (each provider's `seq` must increase), XDV_BENCH_PROVIDERS providers per kind
// at once; only 2xx answers count, refusals are printed by code. The ceiling is measured on a sample
// of up to ~400 of the posted reports, just before each kind's figures.
// Env: XDV_BENCH_REPORTS (reports per kind over HTTP, default 800), XDV_BENCH_DIRECT (per kind
// through the Ledger directly, default 400), XDV_BENCH_PROVIDERS (default 8), XDV_BENCH_ENVELOPES
// (envelopes in each Φ report, default 4), DATABASE_URL (PostgreSQL instead of PGlite),
// XDV_BENCH_PROFILE (a directory: write a CPU profile of the main thread for each timed part).
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createXdvClient } from '@xdv/client';

const KIND = 'xdv/provider-report/v1';

if (isMainThread) await main();
else if (workerData.role === 'sign') await signWorker(workerData);
else await clientWorker(workerData);

// ------------------------------------------------------------------------------------------ workers

/** Sign [seed, report] pairs; answer the signatures in order. */
async function signWorker({ jobs }) {
  const { scenario, sign } = await import('@xdv/core');
  parentPort.postMessage(
    jobs.map(([seed, report]) => sign(KIND, report, scenario.providerKeys(seed).secretKey)),
  );
}

/** The load generator: each lane posts its bodies in order, one in flight; all lanes at once. */
async function clientWorker({ base, lanes }) {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: lanes.length });
  const post = (path, token, body) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let ok = 0;
  const refused = {};
  const t0 = performance.now();
  await Promise.all(
    lanes.map(async ({ path, token, bodies }) => {
      for (const body of bodies) {
        const r = await post(path, token, body);
        if (r.status >= 200 && r.status < 300) ok++;
        else {
          let code = `HTTP ${r.status}`;
          try {
            code = `${r.status} ${JSON.parse(r.text).code}`;
          } catch {}
          refused[code] = (refused[code] ?? 0) + 1;
        }
      }
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  parentPort.postMessage({ ok, refused, ms });
}

function runWorker(data) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: data });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  const { embeddedApi } = await import('./embedded.mjs');
  const { scenario, sign, signedMessage } = await import('@xdv/core');
  const { ml_dsa65 } = await import('@noble/post-quantum/ml-dsa.js');
  const { hexToBytes } = await import('@noble/hashes/utils.js');

  const N_HTTP = Number(process.env.XDV_BENCH_REPORTS ?? 800);
  const N_DIRECT = Number(process.env.XDV_BENCH_DIRECT ?? 400);
  const PROVIDERS = Number(process.env.XDV_BENCH_PROVIDERS ?? 8);
  const ENVELOPES = Number(process.env.XDV_BENCH_ENVELOPES ?? 4);
  const QUBITS = 8; // as the simulator reports

  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const line = (what, figure, ceiling, target, extra) =>
    console.log(
      `${what.padEnd(44)} ${fmt(figure).padStart(5)} reports/s  ceiling ${fmt(ceiling).padStart(5)} verify/s  ratio ${(figure / ceiling).toFixed(2)} (target ${target})  load ${load()}\n    ${extra}`,
    );

  // 1. The API on PGlite (on disk) in this process, and the fleet: PROVIDERS Q and PROVIDERS Φ
  // providers with signed registrations and their own provider tokens, Φ envelopes to report on.
  const server = await embeddedApi('bench-reports');
  const { app, base } = server;
  // Setup goes through @xdv/client, one per principal (an XdvProblem, `CODE: detail`, on a refusal).
  const clients = new Map();
  const call = async (path, body, token = 'xdv_bench_operator') => {
    if (!clients.has(token)) clients.set(token, createXdvClient({ baseUrl: base, token }));
    return clients.get(token).POST(path, { body });
  };
  const tenant = (
    await call('/v1/tenants', {
      name: 'bench',
      quota: { vhms: 1, envelopes: PROVIDERS * ENVELOPES },
    })
  ).created.tenant;
  const vhm = (await call('/v1/vhms', { tenant, name: 'bench', quota: { envelopes: PROVIDERS * ENVELOPES } }))
    .created;
  await call(`/v1/vhms/${vhm.vhm}/validate`, {});
  await call(`/v1/vhms/${vhm.vhm}/activate`, {});
  const fleet = { q: [], phi: [] };
  for (const domain of ['Q', 'PHI']) {
    for (let i = 0; i < PROVIDERS; i++) {
      const seed = (domain === 'Q' ? 100 : 200) + i;
      const name = `${domain === 'Q' ? 'qpu' : 'phi'}-bench-${i}`;
      const token = (await call('/v1/tokens', { kind: 'provider', provider: name, label: name })).secret;
      const reg = scenario.registration(
        name,
        domain,
        domain === 'Q' ? { qubits: 64 } : { envelopes: ENVELOPES },
        seed,
      );
      const signature = sign('xdv/provider-registration/v1', reg, scenario.providerKeys(seed).secretKey);
      const id = (await call('/v1/providers', { registration: reg, signature }, token)).created.provider;
      const envelopes = [];
      if (domain === 'PHI')
        for (let e = 0; e < ENVELOPES; e++) {
          const at = { capability: vhm.capability };
          const c = (
            await call(`/v1/vhms/${vhm.vhm}/contracts`, {
              ...at,
              domain: 'PHI',
              provider: id,
              phi: { start: 0, duration: 1_000_000_000, tolerance: 5000 },
            })
          ).created.contract;
          await call(`/v1/contracts/${c}/activate`, at);
          const b = (await call(`/v1/vhms/${vhm.vhm}/bindings`, { ...at, contract: c })).created.binding;
          await call(`/v1/bindings/${b}/validate`, at);
          const r = await call(`/v1/bindings/${b}/activate`, at);
          envelopes.push(r.entries.find((x) => x.type === 'phi.envelope.allocated').payload.envelope);
        }
      fleet[domain === 'Q' ? 'q' : 'phi'].push({ id, name, seed, token, envelopes });
    }
  }

  // 2. The reports, in range: no alert, no breach (the steady state of a healthy fleet). Seqs
  // 1..N_HTTP/PROVIDERS go over HTTP, the next ones to the Ledger directly.
  const perHttp = Math.ceil(N_HTTP / PROVIDERS);
  const perDirect = Math.ceil(N_DIRECT / PROVIDERS);
  const reportOf = (kind, p, seq) =>
    kind === 'q'
      ? {
          provider: p.id,
          seq,
          qubits: Array.from({ length: QUBITS }, (_, q) => ({
            qubit: q,
            t1: 100 + ((seq + q) % 20),
            t2: 70 + ((seq * 3 + q) % 20),
            fidelity: 9930 + ((seq + 7 * q) % 60),
            readoutError: 100 + ((seq * 5 + q) % 90),
          })),
        }
      : {
          provider: p.id,
          seq,
          envelopes: p.envelopes.map((envelope, e) => ({
            envelope,
            stability: 9000 + ((seq + e) % 900),
            noise: 100 + ((seq * 3 + e) % 400),
            drift: 50 + ((seq * 7 + e) % 300),
            impact: (seq + e) % 50,
          })),
        };
  const plan = {};
  const jobs = [];
  for (const kind of ['q', 'phi'])
    plan[kind] = fleet[kind].map((p) => {
      const reports = Array.from({ length: perHttp + perDirect }, (_, i) => reportOf(kind, p, i + 1));
      for (const r of reports) jobs.push([p.seed, r]);
      return { p, reports, signatures: [] };
    });
  const ts = performance.now();
  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  const chunk = Math.ceil(jobs.length / workers);
  const signed = (
    await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        runWorker({ role: 'sign', jobs: jobs.slice(w * chunk, (w + 1) * chunk) }),
      ),
    )
  ).flat();
  let k = 0;
  for (const kind of ['q', 'phi'])
    for (const lane of plan[kind]) for (const _ of lane.reports) lane.signatures.push(signed[k++]);
  console.log(
    `bench/reports — ${app.ledger.kind} store, ${PROVIDERS} Q providers (${QUBITS} qubits a report) and ${PROVIDERS} Φ providers (${ENVELOPES} envelopes a report), one request in flight per provider; ${jobs.length} reports signed in ${((performance.now() - ts) / 1000).toFixed(1)} s before timing  node ${process.version}  load ${load()}`,
  );

  // 3. The ceiling: ML-DSA-65 verify/s over the exact signed messages (domain tag + canonical JSON)
  // of the reports posted, single thread, median of 3. Bytes prepared first: the pure verify.
  const ceilingOf = (kind) => {
    const items = plan[kind].flatMap((lane) =>
      lane.reports.slice(0, perHttp).map((r, i) => ({
        sig: hexToBytes(lane.signatures[i]),
        msg: signedMessage(KIND, r),
        pk: hexToBytes(scenario.providerKeys(lane.p.seed).publicKey),
      })),
    );
    const sample = items.filter((_, i) => i % Math.max(1, Math.floor(items.length / 400)) === 0);
    const t = [];
    for (let rep = 0; rep < 3; rep++) {
      const s = performance.now();
      for (const x of sample)
        if (!ml_dsa65.verify(x.sig, x.msg, x.pk)) throw new Error('ceiling: bad signature');
      t.push(performance.now() - s);
    }
    return (sample.length / t.sort((a, b) => a - b)[1]) * 1000;
  };

  // 4. End to end over HTTP: POST /v1/providers/:provider/reports/{q,phi} with the provider's token.
  const http = async (kind) => {
    const lanes = plan[kind].map((lane) => ({
      path: `/v1/providers/${lane.p.id}/reports/${kind}`,
      token: lane.p.token,
      bodies: lane.reports
        .slice(0, perHttp)
        .map((report, i) => JSON.stringify({ report, signature: lane.signatures[i] })),
    }));
    const stats0 = { ...app.ledger.stats };
    const r = await runWorker({ role: 'client', base, lanes });
    return { ...r, stats: statsSince(stats0) };
  };
  // 5. The same reports straight into the Ledger (admit, step, read model, group commit): no HTTP.
  const direct = async (kind) => {
    const stats0 = { ...app.ledger.stats };
    let ok = 0;
    const refused = {};
    const t0 = performance.now();
    await Promise.all(
      plan[kind].map(async (lane) => {
        for (let i = perHttp; i < lane.reports.length; i++) {
          const r = await app.ledger.submit({
            type: kind === 'q' ? 'report.q' : 'report.phi',
            report: lane.reports[i],
            auth: { signature: lane.signatures[i], verified: false },
            actor: { kind: 'provider', name: lane.p.name },
          });
          if (r.error) refused[r.error.code] = (refused[r.error.code] ?? 0) + 1;
          else ok++;
        }
      }),
    );
    return { ok, refused, ms: performance.now() - t0, stats: statsSince(stats0) };
  };
  const statsSince = (s0) => {
    const s = app.ledger.stats;
    return { batches: s.batches - s0.batches, stepMs: s.stepMs - s0.stepMs, flushMs: s.flushMs - s0.flushMs };
  };
  // Where a report's time goes on the event loop: admission and step (ML-DSA verify included; the
  // verify alone costs 1/ceiling), and the group commit's transaction (wall time, PGlite runs here).
  const detail = (r, ceiling) => {
    const refused = Object.entries(r.refused)
      .map(([c, n]) => `${n}× ${c}`)
      .join(', ');
    const ms = (x) => (x / r.ok).toFixed(2);
    return `${r.ok} acknowledged${refused ? `, REFUSED: ${refused}` : ', none refused'}; ${(r.ok / r.stats.batches).toFixed(1)} reports per commit; per report: wall ${ms(r.ms)} ms, admit+step ${ms(r.stats.stepMs)} ms (verify alone ${(1000 / ceiling).toFixed(2)} ms), commit ${ms(r.stats.flushMs)} ms`;
  };

  // Profile a timed part only (setup and signing excluded), when asked.
  const profiled = async (name, fn) => {
    const dirOut = process.env.XDV_BENCH_PROFILE;
    if (!dirOut) return fn();
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const r = await fn();
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dirOut, `reports-${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
    return r;
  };

  for (const [kind, label] of [
    ['q', 'Q metric reports'],
    ['phi', 'Φ stability reports'],
  ]) {
    const ceiling = ceilingOf(kind);
    const h = await profiled(`${kind}-http`, () => http(kind));
    line(`${label} over HTTP, admitted/s`, (h.ok / h.ms) * 1000, ceiling, '≥ 0.8', detail(h, ceiling));
    const d = await profiled(`${kind}-direct`, () => direct(kind));
    line(`${label}, Ledger.submit, no HTTP`, (d.ok / d.ms) * 1000, ceiling, 'context', detail(d, ceiling));
  }
  await server.close();
}
