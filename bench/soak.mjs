// bench/soak: crash soak of the real server (node apps/api/dist/main.js on a PGlite data directory,
// in its own process group) under mixed write load over HTTP, SIGKILLed at seeded random points.
// After each restart: every acknowledged (2xx) command is in the trace with the hash the client saw,
// /v1/trace/verify is ok and /v1/invariants is ok.
// Usage: node bench/soak.mjs   (env XDV_SOAK_KILLS=50, XDV_SOAK_SEED=1, XDV_SOAK_WORKERS=4)
// `soak()` is also imported by apps/api/test/soak.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createXdvClient } from '@xdv/client';
import { scenario, sign } from '@xdv/core';
import { freePort, prng, spawnApi } from './processes.mjs';

const TOKEN = 'xdv_soak_operator';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function soak({ kills = 50, seed = 1, workers = 4, log = () => {}, keep = false } = {}) {
  const rnd = prng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'xdv-soak-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = null;
  let server = null;

  const start = async () => {
    const t0 = performance.now();
    server = spawnApi({ port, dataDir: join(dir, 'data'), token: TOKEN });
    child = server.child;
    const exited = new Promise((r) => child.once('exit', (code, sig) => r(`exited ${code ?? sig}`)));
    for (;;) {
      const state = await Promise.race([
        exited,
        fetch(`${base}/readyz`)
          .then(async (r) => ((await r.json()).ready ? 'ready' : 'starting'))
          .catch(() => 'down'),
      ]);
      if (state === 'ready') break;
      if (state.startsWith('exited')) throw new Error(`server ${state}:\n${server.output()}`);
      if (performance.now() - t0 > 300_000)
        throw new Error(`server not ready after 300 s:\n${server.output()}`);
      await sleep(50);
    }
    return performance.now() - t0;
  };

  const kill = async () => {
    const c = child;
    const gone = new Promise((r) => c.once('exit', r));
    process.kill(-c.pid, 'SIGKILL');
    await gone;
  };

  // Through @xdv/client's plain request: a refusal is data here ({ status, body }), the soak counts it.
  const xdv = createXdvClient({ baseUrl: base, token: TOKEN });
  const call = async (method, path, body) => {
    const r = await xdv.raw.request(method, path, body !== undefined ? { body } : {});
    return { status: r.response.status, body: (r.response.ok ? r.data : r.error) ?? null };
  };
  const must = async (method, path, body) => {
    const r = await call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  const acked = new Map(); // seq → hash of the command's first entry, as the client saw it
  const failures = [];
  const restarts = [];
  let attempted = 0;
  let rejected = 0;
  let lost = 0;

  try {
    const first = await start();
    log(`soak: seed ${seed}, first start (migrations) ${first.toFixed(0)} ms on ${base}`);
    // A fleet to write against: one tenant with room, a Q provider with a long calibration, an active VHM.
    const tenant = (
      await must('POST', '/v1/tenants', {
        name: 'soak',
        quota: { vhms: 1000, qubits: 1_000_000, memory: 1 << 30, cpu: 100000 },
      })
    ).created.tenant;
    const reg = scenario.registration('qpu-soak', 'Q', { qubits: 1_000_000 }, 9);
    const provider = (
      await must('POST', '/v1/providers', {
        registration: reg,
        signature: sign('xdv/provider-registration/v1', reg, scenario.providerKeys(9).secretKey),
      })
    ).created.provider;
    const cal = (
      await must('POST', `/v1/providers/${provider}/calibrations`, { from: 0, until: 1_000_000_000 })
    ).created.calibration;
    const v = (await must('POST', '/v1/vhms', { tenant, name: 'soak', quota: { qubits: 1_000_000 } }))
      .created;
    await must('POST', `/v1/vhms/${v.vhm}/validate`);
    await must('POST', `/v1/vhms/${v.vhm}/activate`);
    const contracts = [];
    const vhms = [];

    // One mixed write; returns once it is answered or the connection fails.
    const op = async (r) => {
      const x = r.next();
      let method = 'POST';
      let path;
      let body;
      if (x < 0.3) {
        path = `/v1/vhms/${v.vhm}/contracts`;
        body = {
          capability: v.capability,
          domain: 'Q',
          provider,
          q: { qubits: 1 + r.int(3), budget: 5, calibration: cal },
        };
      } else if (x < 0.45 && contracts.length) {
        path = `/v1/contracts/${contracts[r.int(contracts.length)]}/activate`;
        body = { capability: v.capability };
      } else if (x < 0.6 && contracts.length) {
        path = `/v1/contracts/${contracts.splice(r.int(contracts.length), 1)[0]}/release`;
        body = { capability: v.capability };
      } else if (x < 0.7) {
        path = '/v1/clock/advance';
        body = { ticks: 1 + r.int(3) };
      } else if (x < 0.8) {
        path = '/v1/vhms';
        body = { tenant, name: `s${r.int(1e6)}`, quota: {} };
      } else if (x < 0.9 && vhms.length) {
        path = `/v1/vhms/${r.pick(vhms)}/${r.pick(['validate', 'activate', 'pause', 'terminate', 'release'])}`;
      } else if (x < 0.95) {
        path = `/v1/vhms/${v.vhm}/processes`;
        body = { capability: v.capability, name: `p${r.int(1e6)}` };
      } else {
        method = 'PUT';
        path = `/v1/vhms/${v.vhm}/schedule`;
        body = { weight: 1 + r.int(10), maxQueued: 100 + r.int(100) };
      }
      attempted++;
      let res;
      try {
        res = await call(method, path, body);
      } catch {
        lost++; // no answer (killed mid-flight): not acknowledged, so nothing to check
        return;
      }
      if (res.status >= 200 && res.status < 300) {
        const head = res.body.entries?.[0];
        if (!head || head.seq !== res.body.seq)
          failures.push(
            `2xx without its first entry: ${method} ${path} ${JSON.stringify(res.body).slice(0, 300)}`,
          );
        else acked.set(res.body.seq, head.hash);
        if (res.body.created?.contract) contracts.push(res.body.created.contract);
        if (res.body.created?.vhm) vhms.push(res.body.created.vhm);
      } else if (res.status >= 500)
        failures.push(`${res.status} on ${method} ${path}: ${JSON.stringify(res.body).slice(0, 300)}`);
      else rejected++;
    };

    const check = async (round) => {
      // Read the whole trace and compare every acknowledged seq's hash.
      const seen = new Map();
      for (let after = 0; ; ) {
        const page = await must('GET', `/v1/trace?after=${after}&limit=1000`);
        for (const e of page.items) seen.set(e.seq, e.hash);
        if (page.items.length < 1000) break;
        after = page.items.at(-1).seq;
      }
      let missing = 0;
      for (const [seq, hash] of acked) {
        if (seen.get(seq) !== hash) {
          missing++;
          if (missing <= 5)
            failures.push(
              `after kill ${round}: acknowledged seq ${seq} (hash ${hash}) is ${seen.has(seq) ? `hash ${seen.get(seq)}` : 'missing'} in the trace`,
            );
        }
      }
      const verify = await must('GET', '/v1/trace/verify');
      if (!verify.ok) failures.push(`after kill ${round}: /v1/trace/verify ${JSON.stringify(verify)}`);
      const inv = await must('GET', '/v1/invariants');
      if (!inv.ok) failures.push(`after kill ${round}: /v1/invariants ${JSON.stringify(inv).slice(0, 500)}`);
      return { entries: seen.size, missing };
    };

    for (let k = 1; k <= kills; k++) {
      // Mixed load from `workers` clients, killed at a seeded random point 100–1500 ms in.
      let stop = false;
      const loops = Array.from({ length: workers }, (_, w) => {
        const r = prng(seed * 1000 + k * 16 + w);
        return (async () => {
          while (!stop) await op(r);
        })();
      });
      // The first requests after a restart are slow: start the clock once this round has an acknowledgement.
      const ackedBefore = acked.size;
      for (let t = 0; t < 5000 && acked.size === ackedBefore; t += 20) await sleep(20);
      await sleep(100 + rnd.int(1400));
      await kill();
      stop = true;
      await Promise.all(loops);
      const ms = await start();
      restarts.push(ms);
      const c = await check(k);
      log(
        `  kill ${k}/${kills}: restart ${ms.toFixed(0)} ms, acknowledged ${acked.size}, trace ${c.entries} entries, missing ${c.missing}`,
      );
    }
    await kill();
  } catch (e) {
    failures.push(`soak aborted: ${e.stack ?? e}`);
    if (child && child.exitCode === null) await kill().catch(() => {});
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  const mean = restarts.reduce((a, b) => a + b, 0) / (restarts.length || 1);
  return {
    kills: restarts.length,
    acknowledged: acked.size,
    attempted,
    rejected,
    lost,
    restarts: restarts.length,
    meanRestartMs: mean,
    maxRestartMs: Math.max(0, ...restarts),
    failures,
  };
}

export function report(r, seed, print = console.log) {
  print(
    `soak: seed ${seed}, kills ${r.kills}, restarts ${r.restarts}, mean restart ${r.meanRestartMs.toFixed(0)} ms (max ${r.maxRestartMs.toFixed(0)} ms)`,
  );
  print(
    `  commands sent ${r.attempted}: acknowledged (2xx) ${r.acknowledged}, rejected (4xx) ${r.rejected}, unanswered (killed in flight) ${r.lost}`,
  );
  print(`  failures: ${r.failures.length}`);
  for (const f of r.failures.slice(0, 20)) print(`  FAIL ${f}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const KILLS = Number(process.env.XDV_SOAK_KILLS ?? 50);
  const SEED = Number(process.env.XDV_SOAK_SEED ?? 1);
  const WORKERS = Number(process.env.XDV_SOAK_WORKERS ?? 4);
  const r = await soak({ kills: KILLS, seed: SEED, workers: WORKERS, log: console.log });
  report(r, SEED);
  process.exit(r.failures.length ? 1 : 0);
}
