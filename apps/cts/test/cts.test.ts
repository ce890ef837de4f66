import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAll } from '../src/checks.js';
import { externalCluster } from '../src/cluster.js';
import { Http } from '../src/http.js';
import { reportKey, type SignedReport, signReport, verifyReport } from '../src/report.js';
import { runSuite } from '../src/run.js';
import { type LocalService, startLocal } from '../src/server.js';

const SEED = '11'.repeat(32);
let svc: LocalService;

beforeAll(async () => {
  svc = await startLocal();
});
afterAll(async () => {
  await svc?.close();
});

/**
 * A deliberately broken service: a proxy in front of the real one that "accepts" any contract
 * allocation naming a forged capability, as an implementation without capability checks would.
 */
async function brokenProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && /\/contracts$/.test(req.url ?? '') && body.includes('"cap-987654321"')) {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          outcome: 'accepted',
          seq: 1,
          l: 1,
          created: { contract: 'contract-999' },
          entries: [],
        }),
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of ['authorization', 'content-type'])
      if (req.headers[h]) headers[h] = String(req.headers[h]);
    const r = await fetch(target + (req.url ?? '/'), {
      method: req.method ?? 'GET',
      headers,
      ...(body ? { body } : {}),
    });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

describe('XDV-084 CTS', () => {
  it('catches a service that accepts a forged capability', async () => {
    const proxy = await brokenProxy(svc.url);
    try {
      const { results } = await runAll(new Http(proxy.url, svc.token), {
        prefix: 'broken',
        seedBase: 500,
        only: (t) => t.section === '4.2',
      });
      expect(results).toHaveLength(1);
      expect(results[0]!.status).toBe('fail');
      expect(results[0]!.reason).toMatch(
        /forged \(nonexistent\) capability: expected HV_CAP_INVALID, got 201/,
      );
    } finally {
      await proxy.close();
    }
  });

  it('fails global ordering (§8.1) on two "nodes" that do not share one trace', async () => {
    // Two independent services with the same operator token: each accepts writes, but a step on
    // one cannot see what the previous step wrote on the other.
    const other = await startLocal({ token: svc.token });
    try {
      const { results } = await runAll(new Http(svc.url, svc.token), {
        prefix: 'split',
        seedBase: 700,
        only: (t) => t.section === '8.1',
        cluster: externalCluster([svc.url, other.url], svc.token),
      });
      expect(results.map((r) => [r.id, r.status])).toEqual([['distributed.global_ordering', 'fail']]);
      expect(results[0]!.reason).toMatch(/expected success, got 40[14]/);
    } finally {
      await other.close();
    }
  });

  it('passes every mandatory test against a fresh service and signs a verifiable report', async () => {
    const { body, results } = await runSuite({ url: svc.url, token: svc.token, mode: 'in-process' });
    const failed = results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.reason}`);
    expect(failed).toEqual([]);
    expect(body.certified).toBe(true);
    expect(body.tier).toBe('core');
    expect(body.counts.mandatoryPass).toBe(body.counts.mandatory);
    // §8 and the network partition are reported as not applicable, never as passed, and §8 says
    // how to make it applicable.
    for (const r of results.filter((t) => t.section.startsWith('8') || t.id === 'fault.network_partition'))
      expect(r.status).toBe('not_applicable');
    for (const id of ['distributed.global_ordering', 'distributed.node_failure'])
      expect(results.find((r) => r.id === id)!.reason).toMatch(/single node: .*--cluster/);
    expect(body.tierReason).toMatch(/not applicable to a single node/);
    expect(body.replayStatus.status).toBe('pass');
    expect(body.traceHead.hash).toMatch(/^[0-9a-f]{64}$/);

    const key = reportKey({ seed: SEED });
    const signed: SignedReport = JSON.parse(JSON.stringify(signReport(body, key)));
    expect(verifyReport(signed)).toMatchObject({ ok: true });
    expect(verifyReport(signed, key.publicKey)).toMatchObject({ ok: true });

    // Tampering with the body in any way breaks the signature.
    const tampered: SignedReport = JSON.parse(JSON.stringify(signed));
    tampered.body.counts.fail = 1;
    expect(verifyReport(tampered).ok).toBe(false);
    const text = JSON.stringify(signed);
    const i = text.indexOf('kernel.scheduler.determinism');
    const flipped = JSON.parse(`${text.slice(0, i)}K${text.slice(i + 1)}`);
    expect(verifyReport(flipped).ok).toBe(false);
    // Another key's signature is refused when the signer is pinned.
    expect(verifyReport(signed, reportKey({ seed: '22'.repeat(32) }).publicKey).ok).toBe(false);
  });
});
