#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CTS_DEVELOPMENT_SEED } from '@xdv/core';
import type { TestResult } from './checks.js';
import { type Cluster, externalCluster, startCluster } from './cluster.js';
import { reportKey, signReport, verifyReport } from './report.js';
import { runSuite } from './run.js';
import { startLocal } from './server.js';

// `xdv-cts [--url URL --token TOKEN] [--cluster local|URL,URL,…] [--out FILE] [--key-seed HEX | --key-file FILE] [--only SUBSTR]`
// `xdv-cts verify FILE [--public-key HEX]`

const HELP = `XDV-084 conformance test suite

  node apps/cts/dist/cli.js [options]          run the suite, write a signed compliance report
  node apps/cts/dist/cli.js verify FILE        verify a report's ML-DSA-65 signature

Options:
  --url URL          run against an existing service (default: a fresh in-process one on PGlite)
  --token TOKEN      operator token for --url (or XDV_CTS_TOKEN)
  --out FILE         report path (default cts-report.json)
  --key-seed HEX     32-byte hex seed of the report signing key (or XDV_CTS_KEY_SEED)
  --key-file FILE    file holding the seed (bare hex or {"seed": "..."})
  --cluster local    start three API nodes of this build on a fresh database on the PostgreSQL server
                     named by DATABASE_URL (dropped afterwards) and run the suite against them: the
                     distributed tests (§8) across all three, the rest against the first
  --cluster URL,URL,…  run against nodes someone else runs on one database (needs --token); §8.3
                     is not applicable there, since the suite cannot kill a node it did not start
  --only TEXT        run only tests whose id or section contains TEXT
  --public-key HEX   (verify) require this signer

Without a key the report is signed with the suite's published development key, which proves
integrity but not who ran it. Exit status: 0 when every mandatory test passes, 1 otherwise,
2 on usage or infrastructure errors.`;

// Published development key: a fixed seed so that CI runs are reproducible without secrets.
const DEV_SEED = CTS_DEVELOPMENT_SEED;

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

function table(results: TestResult[]): string {
  const rows = results.map((r) => [
    r.section,
    r.id,
    r.mandatory ? 'yes' : 'no',
    r.status === 'not_applicable' ? 'N/A' : r.status.toUpperCase(),
  ]);
  const head = ['§', 'test', 'mandatory', 'result'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => pad(c, w[i]!)).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

async function verifyCmd(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'public-key': { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    console.error('usage: cli.js verify FILE [--public-key HEX]');
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`INVALID  ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const v = verifyReport(json, values['public-key']);
  const body = (json as { body?: { tier?: string; certified?: boolean; counts?: unknown } }).body;
  console.log(`${v.ok ? 'VALID' : 'INVALID'}  ${file}: ${v.reason}`);
  if (v.ok && body)
    console.log(`tier ${body.tier}, certified ${body.certified}, counts ${JSON.stringify(body.counts)}`);
  return v.ok ? 0 : 1;
}

async function runCmd(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      out: { type: 'string', default: 'cts-report.json' },
      'key-seed': { type: 'string' },
      'key-file': { type: 'string' },
      only: { type: 'string' },
      cluster: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const seed = values['key-seed'] ?? process.env.XDV_CTS_KEY_SEED;
  const key = reportKey(values['key-file'] ? { file: values['key-file'] } : { seed: seed ?? DEV_SEED });
  const devKey = !values['key-file'] && !seed;
  const token = values.token ?? process.env.XDV_CTS_TOKEN;
  const clusterArg = values.cluster;
  if ((values.url || (clusterArg && clusterArg !== 'local')) && !token) {
    console.error('--url and --cluster URL,… need --token (an operator token) or XDV_CTS_TOKEN');
    return 2;
  }
  if (clusterArg === 'local' && !process.env.DATABASE_URL) {
    console.error(
      '--cluster local needs DATABASE_URL naming a PostgreSQL server (a fresh database is created on it)',
    );
    return 2;
  }
  let cluster: Cluster | null = null;
  if (clusterArg === 'local') {
    console.log('starting three API nodes on a fresh PostgreSQL database…');
    cluster = await startCluster({ serverUrl: process.env.DATABASE_URL! });
  } else if (clusterArg) {
    const urls = clusterArg.split(',').filter(Boolean);
    if (urls.length < 2) {
      console.error('--cluster needs `local` or at least two comma-separated node URLs');
      return 2;
    }
    cluster = externalCluster(urls, token!);
  }
  const local = values.url || cluster ? null : await startLocal();
  const target = local
    ? { url: local.url, token: local.token }
    : cluster
      ? { url: values.url ?? cluster.nodes[0]!.url, token: cluster.token }
      : { url: values.url!, token: token! };
  console.log(
    `XDV-084 CTS against ${local ? `a fresh in-process service (${local.url})` : cluster ? `a cluster of ${cluster.nodes.length} nodes (${cluster.nodes.map((n) => n.url).join(', ')})` : target.url}`,
  );
  try {
    const only = values.only;
    const { body, results } = await runSuite({
      ...target,
      mode: local ? 'in-process' : cluster ? 'cluster' : 'remote',
      cluster,
      ...(only ? { only: (t) => t.id.includes(only) || t.section === only } : {}),
      onResult: (r) =>
        console.log(
          `  ${r.status === 'pass' ? 'ok  ' : r.status === 'fail' ? 'FAIL' : 'n/a '} §${r.section} ${r.id}${r.status === 'fail' ? `\n       ${r.reason}` : ''}`,
        ),
    });
    const signed = signReport(body, key);
    writeFileSync(values.out, `${JSON.stringify(signed, null, 2)}\n`);
    console.log(`\n${table(results)}\n`);
    const c = body.counts;
    console.log(
      `pass ${c.pass}, fail ${c.fail}, not applicable ${c.notApplicable}; mandatory ${c.mandatoryPass}/${c.mandatory}`,
    );
    console.log(
      `replay ${body.replayStatus.status}, invariants ${body.invariantStatus.status}, isolation ${body.isolationStatus.status}; tier ${body.tier}; certified ${body.certified}`,
    );
    console.log(`trace head seq ${body.traceHead.seq} ${body.traceHead.hash}`);
    console.log(
      `report ${values.out} signed with ML-DSA-65 key ${key.publicKey.slice(0, 16)}…${devKey ? ' (development key)' : ''}`,
    );
    return results.some((r) => r.mandatory && r.status === 'fail') ? 1 : 0;
  } finally {
    await local?.close();
    await cluster?.close();
  }
}

const argv = process.argv.slice(2);
const main =
  argv[0] === 'verify' ? verifyCmd(argv.slice(1)) : runCmd(argv[0] === 'run' ? argv.slice(1) : argv);
main.then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  },
);
