import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, sha256Hex } from '../src/index.js';
import { BACKENDS, type Backend, freshBackend } from './helpers.js';

describe.each(BACKENDS)('tokens and idempotency on %s', (kind) => {
  let b: Backend;
  let ledger: Ledger;
  beforeAll(async () => {
    b = freshBackend(kind);
    ledger = await Ledger.open(b.opts);
  });
  afterAll(async () => {
    await ledger?.close();
    await b?.cleanup();
  });

  it('stores only the SHA-256 of a token secret; find and revoke work', async () => {
    const { token, secret } = await ledger.tokens.create({
      principal: 'tenant',
      tenant: 'tenant-1',
      role: 'admin',
      label: 'ci',
    });
    expect(secret).toMatch(/^xdv_/);
    const raw = await ledger.sql<Record<string, unknown>>('SELECT * FROM "api_tokens"');
    expect(JSON.stringify(raw)).not.toContain(secret);
    expect(raw[0]!.secret_sha256).toBe(sha256Hex(secret));
    expect(await ledger.tokens.find(secret)).toMatchObject({
      id: token.id,
      tenant: 'tenant-1',
      role: 'admin',
    });
    expect(await ledger.tokens.find(`${secret}x`)).toBeNull();
    expect((await ledger.tokens.list({ tenant: 'tenant-1' })).map((t) => t.id)).toEqual([token.id]);
    expect(await ledger.tokens.revoke(token.id)).toBe(true);
    expect(await ledger.tokens.revoke(token.id)).toBe(false);
    expect(await ledger.tokens.find(secret)).toBeNull();
    expect((await ledger.tokens.get(token.id))?.revokedAt).toBeInstanceOf(Date);
  });

  it('records expiry and last use; an expired token is still found (the caller refuses it)', async () => {
    const expiresAt = new Date(Date.now() - 1000);
    const { token, secret } = await ledger.tokens.create({ principal: 'operator', label: 'old', expiresAt });
    expect(token.expiresAt?.getTime()).toBe(expiresAt.getTime());
    expect(token.lastUsedAt).toBeNull();
    expect(token.createdAt).toBeInstanceOf(Date);
    expect((await ledger.tokens.find(secret))?.expiresAt?.getTime()).toBe(expiresAt.getTime());
    const t1 = new Date(Date.now() + 60_000);
    await ledger.tokens.touch(token.id, t1);
    // An older touch (a slower concurrent request) does not move last use backwards.
    await ledger.tokens.touch(token.id, new Date(t1.getTime() - 30_000));
    expect((await ledger.tokens.get(token.id))?.lastUsedAt?.getTime()).toBe(t1.getTime());
    const { token: forever } = await ledger.tokens.create({ principal: 'operator', label: 'forever' });
    expect(forever.expiresAt).toBeNull();
  });

  it('round-trips an idempotent response; the first one wins; expired keys are gone', async () => {
    expect(await ledger.idempotency.get('operator', 'k1')).toBeNull();
    const first = await ledger.idempotency.put({
      principal: 'operator',
      key: 'k1',
      requestHash: 'h1',
      status: 201,
      body: '{"id":"vhm-1"}',
    });
    expect(first).toMatchObject({ status: 201, body: '{"id":"vhm-1"}', requestHash: 'h1' });
    const second = await ledger.idempotency.put({
      principal: 'operator',
      key: 'k1',
      requestHash: 'h2',
      status: 409,
      body: '{}',
    });
    expect(second).toMatchObject({ status: 201, requestHash: 'h1' });
    // Keys are per principal.
    expect(await ledger.idempotency.get('tenant:tenant-1', 'k1')).toBeNull();
    await ledger.idempotency.put({
      principal: 'p',
      key: 'old',
      requestHash: 'h',
      status: 200,
      body: '',
      ttlSeconds: -1,
    });
    expect(await ledger.idempotency.get('p', 'old')).toBeNull();
    expect(await ledger.idempotency.purgeExpired()).toBe(1);
  });
});
