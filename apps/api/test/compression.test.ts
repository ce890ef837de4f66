import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi } from './harness.js';

// Responses are compressed by Accept-Encoding (the trace page is the big one), and the trace page
// carries a validator from its seqs: a repeat read with If-None-Match is a 304 with no body.

let api: Api;
beforeAll(async () => {
  api = await startApi();
  // Enough entries for a full page of 1000 (each clock tick appends two).
  for (let i = 0; i < 10; i++)
    await Promise.all(
      Array.from({ length: 60 }, () =>
        api.app.ledger.submit({ type: 'clock.advance', ticks: 1, actor: { kind: 'operator' } }),
      ),
    );
});
afterAll(async () => api?.close());

/** A raw GET: the body exactly as sent on the wire, with its headers. */
function get(path: string, headers: Record<string, string>) {
  const url = new URL(api.base + path);
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((res, rej) => {
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: { authorization: `Bearer ${api.operator}`, ...headers },
      },
      (rs) => {
        const chunks: Buffer[] = [];
        rs.on('data', (c: Buffer) => chunks.push(c));
        rs.on('end', () => res({ status: rs.statusCode!, headers: rs.headers, body: Buffer.concat(chunks) }));
      },
    );
    r.on('error', rej);
    r.end();
  });
}

describe('response compression', () => {
  const page = '/v1/trace?after=0&limit=1000';

  it('sends a large trace page brotli- or gzip-compressed as the client asks, and plain to a client that asks for neither', async () => {
    const plain = await get(page, {});
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const json = JSON.parse(plain.body.toString('utf8')) as { items: unknown[] };
    expect(json.items).toHaveLength(1000);

    const br = await get(page, { 'accept-encoding': 'br, gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.body.length).toBeLessThan(plain.body.length / 4);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);

    const gz = await get(page, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
  });

  it('answers a repeat read of an unchanged page with 304 and no body, and a changed one with 200', async () => {
    const first = await get(page, { 'accept-encoding': 'br' });
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^"trace\./);
    const again = await get(page, { 'accept-encoding': 'br', 'if-none-match': tag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // The head moved: the page's representation (its head) changed with it.
    await api.app.ledger.submit({ type: 'clock.advance', ticks: 1, actor: { kind: 'operator' } });
    const moved = await get(page, { 'accept-encoding': 'br', 'if-none-match': tag });
    expect(moved.status).toBe(200);
    expect(moved.headers.etag).not.toBe(tag);
  });

  it('leaves small answers uncompressed', async () => {
    const r = await get('/v1/clock', { 'accept-encoding': 'br, gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
  });
});
