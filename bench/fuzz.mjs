// bench/fuzz: seeded, deterministic HTTP fuzzing of every route in /openapi.json on a seeded service.
// Valid, invalid, oversized, wrong-typed, unknown-field, foreign-id, wrong-principal, odd-method,
// odd-path, malformed-JSON and wrong-content-type requests, one at a time, each checked:
//   - never a 5xx;
//   - every error is application/problem+json with a code matching /^(HV|Q|PHI)_[A-Z_]+$/;
//   - a rejected request changes nothing (domain state compared before/after; a core rejection
//     may only advance the trace by its own rejected entry), reads and dry runs change nothing;
//   - at the end checkAll() is empty and the hash chain verifies.
// Usage: node bench/fuzz.mjs   (env XDV_FUZZ_REQUESTS=100000, XDV_FUZZ_SEED=1)
// `fuzz()` is also imported by apps/api/test/fuzz.test.ts against an in-process server.
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { createXdvClient } from '@xdv/client';
import { canonicalJson, checkAll, scenario, sign } from '@xdv/core';
import { prng } from './processes.mjs';

const CODE = /^(HV|Q|PHI)_[A-Z_]+$/;

/** One request over a keep-alive agent; SSE responses are closed as soon as the headers arrive. */
function send(agent, base, req) {
  const u = new URL(base);
  return new Promise((resolve) => {
    const r = http.request(
      {
        host: u.hostname,
        port: u.port,
        agent,
        method: req.method,
        path: req.path,
        // An explicit length: node sends DELETE/OPTIONS bodies unframed otherwise.
        headers:
          req.body === undefined
            ? req.headers
            : { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
      },
      (res) => {
        const ct = String(res.headers['content-type'] ?? '');
        if (ct.includes('text/event-stream')) {
          res.destroy();
          r.destroy();
          resolve({ status: res.statusCode, headers: res.headers, text: '' });
          return;
        }
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', (e) => resolve({ status: 0, headers: {}, text: String(e) }));
      },
    );
    let held = false;
    r.on('error', (e) =>
      resolve(
        held
          ? { status: 200, held, headers: {}, text: '' }
          : { status: 0, headers: {}, text: `client error: ${e.message}` },
      ),
    );
    // An authorised stream may hold its headers until the first visible event: give it a moment, then hang up.
    if (req.path.startsWith('/v1/trace/stream'))
      setTimeout(() => {
        held = true;
        r.destroy();
      }, 1000).unref();
    r.end(req.body);
  });
}

/** A seeding call through @xdv/client: the body of a success, an XdvProblem (`CODE: detail`) otherwise. */
async function jsonCall(base, token, method, path, body) {
  return createXdvClient({ baseUrl: base, token })[method](path, body !== undefined ? { body } : {});
}

async function registerProvider(base, op, name, domain, cap, seed, token, extra = {}) {
  const reg = scenario.registration(name, domain, cap, seed, extra);
  const signature = sign('xdv/provider-registration/v1', reg, scenario.providerKeys(seed).secretKey);
  return (await jsonCall(base, token ?? op, 'POST', '/v1/providers', { registration: reg, signature }))
    .created.provider;
}

/** Two tenants (admins, a viewer), K/Q/Φ providers with tokens, a calibration, active VHMs with bindings. */
export async function seed(base, op) {
  const call = (method, path, body, token = op) => jsonCall(base, token, method, path, body);
  const quota = { vhms: 10, memory: 1 << 20, cpu: 64, qubits: 40, envelopes: 4 };
  const t1 = (await call('POST', '/v1/tenants', { name: 'acme', quota })).created.tenant;
  const t2 = (await call('POST', '/v1/tenants', { name: 'globex', quota })).created.tenant;
  const mint = async (body) => await call('POST', '/v1/tokens', body);
  const tok1 = (await mint({ kind: 'tenant', tenant: t1, role: 'admin', label: 'acme admin' })).secret;
  const tok2 = (await mint({ kind: 'tenant', tenant: t2, role: 'admin', label: 'globex admin' })).secret;
  const viewer = (await mint({ kind: 'tenant', tenant: t1, role: 'viewer', label: 'acme viewer' })).secret;
  const qTok = (await mint({ kind: 'provider', provider: 'qpu-1', label: 'qpu-1' })).secret;
  const phiTok = (await mint({ kind: 'provider', provider: 'phi-1', label: 'phi-1' })).secret;
  const revoked = await mint({ kind: 'tenant', tenant: t1, role: 'admin', label: 'revoked' });
  await call('POST', `/v1/tokens/${revoked.token.id}/revoke`);
  const k = await registerProvider(base, op, 'host-a', 'K', { memory: 1 << 22, cpu: 128 }, 1);
  const k2 = await registerProvider(base, op, 'host-b', 'K', { memory: 1 << 22, cpu: 128 }, 2);
  const q = await registerProvider(base, op, 'qpu-1', 'Q', { qubits: 50 }, 3, qTok, {
    operations: ['h', 'cx', 'measure'],
  });
  const phi = await registerProvider(base, op, 'phi-1', 'PHI', { envelopes: 4 }, 4, phiTok, {
    operations: ['rotate'],
  });
  const cal = (await call('POST', `/v1/providers/${q}/calibrations`, { from: 0, until: 100000 }, qTok))
    .created.calibration;
  const vhms = {};
  for (const [t, tok] of [
    [t1, tok1],
    [t2, tok2],
  ]) {
    const c = await call(
      'POST',
      '/v1/vhms',
      { name: `web-${t}`, quota: { memory: 1 << 18, cpu: 16, qubits: 20, envelopes: 2 } },
      tok,
    );
    const vhm = c.created.vhm;
    const root = c.created.capability;
    await call('POST', `/v1/vhms/${vhm}/validate`, undefined, tok);
    await call('POST', `/v1/vhms/${vhm}/activate`, undefined, tok);
    const ct = await call(
      'POST',
      `/v1/vhms/${vhm}/contracts`,
      {
        capability: root,
        domain: 'Q',
        provider: q,
        q: { qubits: 4, budget: 50, calibration: cal },
      },
      tok,
    );
    await call('POST', `/v1/contracts/${ct.created.contract}/activate`, { capability: root }, tok);
    const b = await call(
      'POST',
      `/v1/vhms/${vhm}/bindings`,
      { capability: root, contract: ct.created.contract },
      tok,
    );
    await call('POST', `/v1/bindings/${b.created.binding}/validate`, { capability: root }, tok);
    await call('POST', `/v1/bindings/${b.created.binding}/activate`, { capability: root }, tok);
    await call('POST', `/v1/vhms/${vhm}/processes`, { capability: root, name: 'worker' }, tok);
    vhms[t] = { vhm, root };
  }
  return {
    t1,
    t2,
    k,
    k2,
    q,
    phi,
    cal,
    tokens: {
      operator: op,
      tenant: tok1,
      foreignTenant: tok2,
      viewer,
      provider: qTok,
      phiProvider: phiTok,
      revoked: revoked.secret,
      garbage: 'xdv_not_a_real_token_0000',
      none: null,
    },
    tokenIds: [revoked.token.id],
    vhms,
  };
}

/** Canonical-enough snapshot of the domain state: everything but the trace position (seq, l, head). */
function snapshot(state) {
  return JSON.stringify(state, function (k, v) {
    return this === state && (k === 'seq' || k === 'l' || k === 'head') ? undefined : v;
  });
}

/** Equal domain states: the fast text comparison, then key-order-insensitive (the ledger may rebuild the object). */
function sameState(a, b) {
  return a === b || canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
}

function firstDiff(a, b) {
  a = canonicalJson(JSON.parse(a));
  b = canonicalJson(JSON.parse(b));
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return {
    at: i,
    before: a.slice(Math.max(0, i - 120), i + 120),
    after: b.slice(Math.max(0, i - 120), i + 120),
  };
}

const ID_FIELDS = {
  vhm: 'vhms',
  a: 'vhms',
  b: 'vhms',
  parent: 'vhms',
  capability: 'capabilities',
  capabilityA: 'capabilities',
  capabilityB: 'capabilities',
  contract: 'contracts',
  provider: 'providers',
  calibration: 'calibrations',
  tenant: 'tenants',
  process: 'processes',
  binding: 'bindings',
  ipc: 'ipcs',
  envelope: 'envelopes',
  migration: 'migrations',
  unit: 'units',
  target: 'providers',
};

const GARBAGE_IDS = [
  'vhm-999999',
  'NOT AN ID',
  '',
  'x'.repeat(65),
  '../../etc/passwd',
  'vhm-1; DROP TABLE entries',
  'vhm-0',
  'vhm--1',
  'VHM-1',
  '\u00e9t\u00e9-1',
  '%00',
  '0',
  'null',
  '{}',
  'a'.repeat(2000),
];

const ODD_STRINGS = [
  '',
  ' ',
  'x'.repeat(300),
  '\u0000',
  '\ud83d\ude00',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../..',
  '%s%n',
];
const ODD_NUMBERS = [-1, 0, 1, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1.5, 1e308, -0];
const ODD_VALUES = [null, true, false, [], {}, '12', 'NaN', [1, 2], { $ne: 1 }, 0, -1];

export async function fuzz({ app, base, op, requests, seed: seedN = 1, log = () => {}, fleet }) {
  const rnd = prng(seedN);
  const f = fleet ?? (await seed(base, op));
  const doc = JSON.parse(
    (await send(new http.Agent(), base, { method: 'GET', path: '/openapi.json', headers: {} })).text,
  );
  const ops = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, o] of Object.entries(methods))
      ops.push({
        path,
        method: method.toUpperCase(),
        id: o.operationId,
        params: o.parameters ?? [],
        body: o.requestBody?.content?.['application/json']?.schema ?? null,
      });
  let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const state = () => app.ledger.state;
  const ids = (kind) => Object.keys(state()[kind] ?? {});
  const tokenIds = [...f.tokenIds];

  const idFor = (kind) => {
    const r = rnd.next();
    const all = ids(kind);
    if (r < 0.75 && all.length) {
      // bias to the seeded ones (own and foreign), sometimes the newest
      return rnd.chance(0.5)
        ? all[rnd.int(Math.min(all.length, 12))]
        : all[all.length - 1 - rnd.int(Math.min(all.length, 8))];
    }
    if (r < 0.9)
      return `${kind.replace(/s$/, '').replace('capabilitie', 'cap').replace('processe', 'proc')}-${rnd.int(400)}`;
    return rnd.pick(GARBAGE_IDS);
  };

  const gen = (schema, name, depth = 0) => {
    if (!schema || depth > 6) return null;
    if (schema.anyOf || schema.oneOf) return gen(rnd.pick(schema.anyOf ?? schema.oneOf), name, depth + 1);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return rnd.pick(schema.enum);
    switch (schema.type) {
      case 'object': {
        const out = {};
        for (const [k, s] of Object.entries(schema.properties ?? {}))
          if ((schema.required ?? []).includes(k) || rnd.chance(0.5)) out[k] = gen(s, k, depth + 1);
        return out;
      }
      case 'array': {
        const n = Math.min(schema.maxItems ?? 4, (schema.minItems ?? 0) + rnd.int(3));
        return Array.from({ length: n }, () => gen(schema.items, name, depth + 1));
      }
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? 0;
        const max = Math.min(schema.maximum ?? 100000, min + 200000);
        if (name === 'ticks') return 1 + rnd.int(3);
        return rnd.chance(0.5) ? min + rnd.int(Math.min(max - min + 1, 64)) : min + rnd.int(max - min + 1);
      }
      case 'boolean':
        return rnd.chance(0.5);
      case 'string': {
        if (ID_FIELDS[name]) return idFor(ID_FIELDS[name]);
        if (schema.pattern === '^[0-9a-f]{16,128}$') return 'ab'.repeat(8 + rnd.int(8));
        if (schema.pattern) return `${name ?? 'x'}-${rnd.int(50)}`;
        const len = Math.max(schema.minLength ?? 1, Math.min(schema.maxLength ?? 16, 1 + rnd.int(12)));
        return `${name ?? 's'}${rnd.int(1e6)}`.padEnd(len, 'z').slice(0, Math.max(len, 1));
      }
      default:
        return null;
    }
  };

  const mutate = (v, depth = 0) => {
    if (v === null || typeof v !== 'object') return rnd.pick([...ODD_VALUES, ...ODD_STRINGS, ...ODD_NUMBERS]);
    if (Array.isArray(v)) {
      const c = [...v];
      if (c.length && rnd.chance(0.5)) c[rnd.int(c.length)] = mutate(c[rnd.int(c.length)], depth + 1);
      else c.push(rnd.pick(ODD_VALUES));
      return c;
    }
    const c = { ...v };
    const keys = Object.keys(c);
    const r = rnd.next();
    if (r < 0.25 && keys.length) delete c[rnd.pick(keys)];
    else if (r < 0.45)
      c[rnd.pick(['extra', '__proto__', 'constructor', 'isAdmin', 'tenant', 'seq'])] = rnd.pick(ODD_VALUES);
    else if (keys.length) {
      const k = rnd.pick(keys);
      c[k] =
        depth < 3 && c[k] && typeof c[k] === 'object' && rnd.chance(0.6)
          ? mutate(c[k], depth + 1)
          : mutate(null);
    }
    return c;
  };

  const build = () => {
    const o = rnd.pick(ops);
    const principal = rnd.pick(Object.keys(f.tokens));
    const token = f.tokens[principal];
    let method = o.method;
    let path = o.path.replace(/\{(\w+)\}/g, (_, p) =>
      encodeURIComponent(
        p === 'token'
          ? rnd.chance(0.7) && tokenIds.length
            ? rnd.pick(tokenIds)
            : rnd.pick(GARBAGE_IDS)
          : idFor(ID_FIELDS[p] ?? `${p}s`),
      ),
    );
    const query = [];
    for (const p of o.params.filter((x) => x.in === 'query')) {
      if (!rnd.chance(0.4)) continue;
      if (p.name === 'dryRun') query.push(`dryRun=${rnd.pick(['true', 'false', 'yes', '1', ''])}`);
      else if (p.name === 'access_token')
        query.push(`access_token=${encodeURIComponent(String(rnd.pick(Object.values(f.tokens)) ?? ''))}`);
      else {
        const v = rnd.chance(0.7) ? gen(p.schema, p.name) : rnd.pick([...ODD_STRINGS, ...ODD_NUMBERS]);
        query.push(`${p.name}=${encodeURIComponent(String(v))}`);
      }
    }
    if (o.id === 'replayState' && !query.some((q) => q.startsWith('l='))) query.push(`l=${rnd.int(40)}`);
    // From the start, so the first event flushes the headers at once (the client then hangs up).
    if (o.id === 'streamTrace') query.push('after=0');
    const headers = {};
    if (token) headers.authorization = rnd.chance(0.03) ? `Basic ${token}` : `Bearer ${token}`;
    let body;
    let kind = 'valid';
    if (o.body || o.method !== 'GET') {
      let obj = o.body ? gen(o.body) : undefined;
      const r = rnd.next();
      if (r < 0.35) kind = 'valid';
      else if (r < 0.7) {
        kind = 'mutated';
        obj = mutate(obj ?? {});
        if (rnd.chance(0.3)) obj = mutate(obj);
      } else if (r < 0.76) {
        kind = 'malformed-json';
        body = rnd.pick([
          '{',
          '{"a":',
          'nul',
          '[1,2',
          '{"name":"x",}',
          '\u0000\u0001',
          '{"a":1}{"b":2}',
          '"\\ud800"',
          '{"a":"\\x"}',
        ]);
      } else if (r < 0.8) {
        kind = 'oversized';
        body = JSON.stringify({ name: 'x'.repeat(300 * 1024) });
      } else if (r < 0.86) {
        kind = 'wrong-type';
        obj = rnd.pick([[], 'string', 42, null, true, [obj]]);
      } else if (r < 0.9) {
        kind = 'no-body';
        obj = undefined;
      } else if (r < 0.94) {
        kind = 'deep';
        let d = {};
        for (let i = 0; i < 500; i++) d = { a: d };
        obj = d;
      } else kind = 'valid';
      if (body === undefined && obj !== undefined) body = JSON.stringify(obj);
      if (body !== undefined) {
        const ct = rnd.next();
        headers['content-type'] =
          ct < 0.85
            ? 'application/json'
            : rnd.pick([
                'text/plain',
                'application/x-www-form-urlencoded',
                'multipart/form-data; boundary=x',
                'application/json; charset=utf-16',
                'application/xml',
                '',
              ]);
        if (headers['content-type'] === '') delete headers['content-type'];
      }
    }
    if (rnd.chance(0.05)) headers['idempotency-key'] = `k${rnd.int(30)}`;
    if (rnd.chance(0.03)) headers['if-match'] = rnd.pick(['*', '"nope"', 'W/"x"', '']);
    if (rnd.chance(0.03)) headers.accept = rnd.pick(['text/html', 'application/xml', '*/*']);
    const odd = rnd.next();
    if (odd < 0.05) {
      kind = 'odd-method';
      method = rnd.pick(['DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PUT', 'POST', 'GET', 'PROPFIND']);
    } else if (odd < 0.1) {
      kind = 'odd-path';
      path = rnd.pick([
        `${path}/`,
        `${path}/extra`,
        path.toUpperCase(),
        `/v1/${'a/'.repeat(50)}`,
        '/v1/vhms/%ZZ',
        '/v1/vhms/%00',
        '/v1/../v1/vhms',
        '//v1//vhms',
        '/v2/vhms',
        '/v1',
        '/',
        '/v1/vhms?limit=1&limit=2',
        `/v1/vhms/${'x'.repeat(5000)}`,
        '/v1/trace?after=-1',
        '/v1/replay/state',
        '/v1/replay/diff?from=9&to=1',
        '/v1/%2e%2e/%2e%2e/etc/passwd',
      ]);
    }
    if (query.length && !path.includes('?')) path += `?${query.join('&')}`;
    if (body !== undefined && (method === 'GET' || method === 'HEAD')) body = undefined;
    if (body === undefined) delete headers['content-type'];
    return { op: o.id, principal, kind, method, path, headers, body };
  };

  const started = performance.now();
  const byStatus = {};
  const failures = [];
  let coreRejections = 0;
  let resets = 0;
  const failureKinds = {};
  const timing = {};
  let accepted = 0;
  let before = snapshot(state());
  let beforeSeq = state().seq;
  for (let i = 0; i < requests; i++) {
    const req = build();
    const t0 = performance.now();
    const res = await send(agent, base, req);
    const ms = performance.now() - t0;
    timing[req.op] ??= { n: 0, ms: 0, max: 0 };
    const t = timing[req.op];
    t.n++;
    t.ms += ms;
    t.max = Math.max(t.max, ms);
    const statusKey = res.held ? 'stream-held-open' : res.status;
    byStatus[statusKey] = (byStatus[statusKey] ?? 0) + 1;
    if (res.status === 0 || res.held) {
      // The server closed the connection (a 413 before the body was read): a fresh one for the next request.
      agent.destroy();
      agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      if (req.kind === 'oversized') resets++;
    }
    const fail = (why, extra = {}) => {
      // Every failure is tallied by kind; the first 200 and the first of each kind are kept in full.
      const kindKey = `${why.replace(/\d{2,}/g, 'N')} | ${res.status} | ${/"code":"(\w+)"/.exec(res.text)?.[1] ?? '-'}`;
      failureKinds[kindKey] = (failureKinds[kindKey] ?? 0) + 1;
      if (failures.length < 200 || failureKinds[kindKey] === 1)
        failures.push({
          i,
          why,
          request: {
            ...req,
            body:
              req.body && req.body.length > 400
                ? `${req.body.slice(0, 400)}… (${req.body.length} bytes)`
                : req.body,
            path: req.path.length > 120 ? `${req.path.slice(0, 120)}… (${req.path.length} chars)` : req.path,
          },
          status: res.status,
          response: res.text.slice(0, 600),
          ...extra,
        });
    };
    if ((res.status === 0 && req.kind !== 'oversized') || res.status >= 500) fail('5xx or no response');
    let body = null;
    if (res.status >= 400) {
      const ct = String(res.headers['content-type'] ?? '');
      if (!ct.includes('application/problem+json'))
        fail(`error without application/problem+json (content-type ${ct})`);
      if (req.method !== 'HEAD') {
        try {
          body = JSON.parse(res.text);
        } catch {
          fail('error body is not JSON');
        }
        if (body && !CODE.test(String(body.code))) fail(`error code ${body.code} does not match ${CODE}`);
      }
    }
    const s = state();
    const after = snapshot(s);
    const isRead = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    const dry = /[?&]dryRun=true(&|$)/.test(req.path);
    if (res.status >= 400 || isRead || dry) {
      if (res.status >= 400 && body && typeof body.seq === 'number' && body.seq > beforeSeq) {
        // A core rejection: only its own rejected entry is appended; the domain state is unchanged.
        coreRejections++;
        if (s.seq !== beforeSeq + 1 || body.seq !== s.seq)
          fail(
            `core rejection appended ${s.seq - beforeSeq} entries (seq ${beforeSeq} → ${s.seq}, problem seq ${body.seq})`,
          );
        else {
          const [e] = await app.ledger.entries({ afterSeq: beforeSeq, limit: 1 });
          if (e?.outcome !== 'rejected') fail(`core rejection entry ${body.seq} has outcome ${e?.outcome}`);
        }
        if (!sameState(before, after))
          fail('core rejection changed the domain state', { diff: firstDiff(before, after) });
      } else {
        if (s.seq !== beforeSeq)
          fail(`rejected/read/dry-run request advanced the trace ${beforeSeq} → ${s.seq}`);
        if (!sameState(before, after))
          fail('rejected/read/dry-run request changed the state', { diff: firstDiff(before, after) });
      }
    } else if (res.status < 300) accepted++;
    if (res.status < 300 && req.op === 'createToken' && res.text) {
      try {
        const id = JSON.parse(res.text)?.token?.id;
        if (id) tokenIds.push(id);
      } catch {}
    }
    before = after;
    beforeSeq = s.seq;
    if ((i + 1) % 10000 === 0)
      log(
        `  ${i + 1} requests, ${((i + 1) / ((performance.now() - started) / 1000)).toFixed(0)} req/s, ${failures.length} failures`,
      );
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const violations = checkAll(state());
  const verify = await app.ledger.verify();
  return {
    requests,
    seconds,
    rps: requests / seconds,
    byStatus,
    resets,
    timing,
    failureKinds,
    failureCount: Object.values(failureKinds).reduce((a, b) => a + b, 0),
    accepted,
    coreRejections,
    failures,
    violations,
    verify,
    seq: state().seq,
  };
}

export function report(r, seedN, print = console.log) {
  print(
    `fuzz: seed ${seedN}, ${r.requests} requests in ${r.seconds.toFixed(1)} s = ${r.rps.toFixed(0)} req/s`,
  );
  print(
    `  by status: ${Object.entries(r.byStatus)
      .map(([k, v]) => `${k}:${v}`)
      .join('  ')}`,
  );
  print(`  oversized bodies answered by a connection reset instead of 413: ${r.resets}`);
  const slow = Object.entries(r.timing)
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 5);
  print(
    `  slowest operations (total ms / n / max ms): ${slow.map(([k, v]) => `${k} ${v.ms.toFixed(0)}/${v.n}/${v.max.toFixed(0)}`).join(', ')}`,
  );
  print(`  accepted mutations ${r.accepted}, core rejections ${r.coreRejections}, trace head seq ${r.seq}`);
  print(
    `  invariants: ${r.violations.length === 0 ? 'ok' : JSON.stringify(r.violations.slice(0, 5))}; chain verify: ${r.verify.ok ? 'ok' : JSON.stringify(r.verify.mismatch)} (${r.verify.entries} entries)`,
  );
  print(`  failures: ${r.failureCount}${r.failureCount ? ' by kind (examples below):' : ''}`);
  for (const [k, n] of Object.entries(r.failureKinds)) print(`    ${n} × ${k}`);
  const seen = new Set();
  for (const x of r.failures) {
    const key = `${x.why}|${x.status}|${/"code":"(\w+)"/.exec(x.response)?.[1]}|${x.request.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    print(
      `  FAIL #${x.i} ${x.why}: ${JSON.stringify(x.request)} → ${x.status} ${x.response}${x.diff ? ` diff ${JSON.stringify(x.diff)}` : ''}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const REQUESTS = Number(process.env.XDV_FUZZ_REQUESTS ?? 100000);
  const SEED = Number(process.env.XDV_FUZZ_SEED ?? 1);
  const { embeddedApi } = await import('./embedded.mjs');
  const server = await embeddedApi('fuzz', 'xdv_fuzz_operator');
  const { app, base } = server;
  console.log(`fuzz: seed ${SEED}, ${REQUESTS} requests against ${base}`);
  const r = await fuzz({
    app,
    base,
    op: 'xdv_fuzz_operator',
    requests: REQUESTS,
    seed: SEED,
    log: console.log,
  });
  report(r, SEED);
  await server.close();
  process.exit(r.failures.length || r.violations.length || !r.verify.ok ? 1 : 0);
}
