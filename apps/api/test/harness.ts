import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { LedgerOptions } from '@xdv/db';
import { inject } from 'vitest';
import { type App, openApp } from '../src/app.js';
import { type Config, configWith } from '../src/config.js';

export const pgUrl = inject('pgUrl');
let template: Blob | null = null;
let schemaN = 0;

export interface Api {
  app: App;
  base: string;
  /** PostgreSQL schema of this instance (pg backend only). */
  schema: string;
  operator: string;
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

/** A real server on an ephemeral port over a fresh database (PGlite from the template, or a new PostgreSQL schema). */
export async function startApi(
  opts: {
    backend?: 'pglite' | 'pg';
    rateLimit?: number;
    logStream?: { write(line: string): void };
    sseMaxBuffered?: number;
    /** Extra Ledger options (tests: a beforeCommit hook). */
    ledger?: LedgerOptions;
  } = {},
): Promise<Api> {
  template ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
  const backend = opts.backend ?? 'pglite';
  const schema = `api_${process.pid}_${++schemaN}`;
  const config: Config = configWith({
    port: 0,
    dataDir: '',
    rateLimit: opts.rateLimit ?? 0,
    webDir: '/nonexistent',
    logLevel: opts.logStream ? 'info' : 'warn',
  });
  const app = await openApp(config, {
    ...(opts.logStream ? { logStream: opts.logStream } : { logger: false }),
    ...(opts.sseMaxBuffered ? { sseMaxBuffered: opts.sseMaxBuffered } : {}),
    ledger:
      backend === 'pg'
        ? { databaseUrl: pgUrl!, schema, followPollMs: 200, ...opts.ledger }
        : { databaseUrl: null, pgliteTemplate: template, ...opts.ledger },
  });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
  const operator = app.bootstrapSecret!;
  return {
    app,
    base,
    schema,
    operator,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const token = o.token === undefined ? operator : o.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(base + path, {
        method,
        headers,
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as never, headers: res.headers };
    },
    close: () => app.close(),
  };
}
