import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Api } from './api.js';
import { Refused, Unreachable, UsageError } from './errors.js';
import type { Io } from './io.js';

// The trace from the command line: the server's own verification, a bundle export, and the
// offline verification of a bundle with @xdv/db's verifier (no server, no database).

export async function verifyOnline(api: Api, io: Io): Promise<void> {
  const r = await api.get<{ ok: boolean; entries: number; mismatch: { seq: number; reason: string } | null }>(
    '/v1/trace/verify',
  );
  if (r.ok) io.out(`OK: ${r.entries} entries: every hash, link and decision verified\n`);
  else {
    io.out(`BAD at seq ${r.mismatch?.seq}: ${r.mismatch?.reason}\n`);
    throw new Refused('trace does not verify');
  }
}

export async function exportBundle(api: Api, io: Io, file: string | undefined): Promise<void> {
  const raw = api.client.raw.GET as unknown as (
    u: string,
    i: object,
  ) => Promise<{ data?: ReadableStream<Uint8Array>; error?: unknown; response: Response }>;
  let r: Awaited<ReturnType<typeof raw>>;
  try {
    r = await raw('/v1/trace/export', { parseAs: 'stream' });
  } catch (e) {
    throw new Unreachable(`cannot reach ${api.url}: ${(e as Error).message}`);
  }
  if (!r.response.ok || !r.data) {
    const { unwrap } = await import('@xdv/client');
    unwrap({ error: r.error ?? (await r.response.json().catch(() => undefined)), response: r.response });
  }
  const body = Readable.fromWeb(r.data! as import('node:stream/web').ReadableStream<Uint8Array>);
  if (file && file !== '-') {
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
    io.err(`wrote ${file}; verify it offline with \`xdv trace verify-bundle ${file}\`\n`);
  } else for await (const chunk of body) io.out(Buffer.from(chunk as Uint8Array).toString('utf8'));
}

export async function verifyBundleFile(io: Io, file: string, trust?: string): Promise<void> {
  if (file !== '-' && !existsSync(file)) throw new UsageError(`${file}: no such file`);
  // Loaded only here: the verifier brings the core's replay, which no other command needs.
  const { verifyBundle, BundleFormatError } = await import('@xdv/db');
  const input = file === '-' ? Readable.from([await io.readStdin()]) : createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let r: Awaited<ReturnType<typeof verifyBundle>>;
  try {
    r = await verifyBundle(lines, { trust: trust ?? null });
  } catch (e) {
    if (e instanceof BundleFormatError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  } finally {
    lines.close();
  }
  io.out(
    `${file}: trace protocol ${r.protocol}, ${r.entries} entries verified, ${r.heads} signed heads, ${r.checkpoints} signed checkpoints${trust ? ' (keys pinned)' : ''}\n`,
  );
  if (r.ok) io.out('OK: every hash, link and decision replayed and every signature verified\n');
  else {
    io.out(`BAD at seq ${r.firstBad!.seq}: ${r.firstBad!.reason}\n`);
    throw new Refused('bundle does not verify');
  }
}
