#!/usr/bin/env node
// xdv-verify-bundle FILE [--trust FINGERPRINT,...] — verify a trace bundle offline (no server, no
// database). Exit 0: the bundle verifies; 1: it does not (the first bad seq and the reason are
// printed); 2: usage error (no such file, not a bundle, bad arguments).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { BundleFormatError, verifyBundle } from './bundle.js';
import { shortFingerprint } from './seal.js';

const USAGE =
  'usage: xdv-verify-bundle FILE [--trust FINGERPRINT,...] [--invariants-every N]\n' +
  '  FILE: an NDJSON trace bundle (GET /v1/trace/export); "-" reads standard input\n' +
  '  --trust: pin the keys allowed to sign heads and checkpoints (fingerprints or public keys, hex)\n';

function usage(msg: string): never {
  process.stderr.write(`xdv-verify-bundle: ${msg}\n${USAGE}`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  let file: string | null = null;
  let trust: string | null = null;
  let every: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (a === '--trust' || a.startsWith('--trust=')) {
      trust = a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? usage('--trust needs a value'));
    } else if (a === '--invariants-every') {
      every = Number(argv[++i]);
      if (!Number.isSafeInteger(every) || every < 0) usage('--invariants-every needs a whole number');
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else if (file === null) file = a;
    else usage('one FILE only');
  }
  if (file === null) usage('no FILE given');
  if (file !== '-' && (!existsSync(file) || !statSync(file).isFile())) usage(`${file}: no such file`);
  const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const t0 = performance.now();
  let r: Awaited<ReturnType<typeof verifyBundle>>;
  try {
    r = await verifyBundle(lines, { trust, ...(every !== undefined ? { fullInvariantsEvery: every } : {}) });
  } catch (e) {
    if (e instanceof BundleFormatError) usage(`${file}: ${e.message}`);
    if (e instanceof Error && /trusted key/.test(e.message)) usage(e.message);
    throw e;
  } finally {
    lines.close();
  }
  const ms = Math.round(performance.now() - t0);
  const out = [
    `${file}: trace protocol ${r.protocol}, ${r.entries} entries verified, ${r.heads} signed heads, ${r.checkpoints} signed checkpoints`,
    `  keys: ${r.keys.map(shortFingerprint).join(', ') || 'none'}${trust ? ' (pinned)' : ' (from the bundle, not pinned)'}`,
  ];
  if (r.ok)
    out.push(
      `  OK: every hash, link and decision replayed and every signature verified; the trace reaches its newest signed head (${ms} ms)`,
    );
  else out.push(`  BAD at seq ${r.firstBad!.seq}: ${r.firstBad!.reason}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return r.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`xdv-verify-bundle: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
