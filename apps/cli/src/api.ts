import { createXdvClient, unwrap, type XdvClient } from '@xdv/client';
import { resolveTarget } from './config.js';
import { Unreachable } from './errors.js';
import type { Io } from './io.js';

// The one door to the server: the generated client's plain openapi-fetch surface with paths the CLI
// builds from ids at run time. Every error answer arrives as the client's XdvProblem; a connection
// that cannot be made is Unreachable (exit 3).

type Method = 'GET' | 'POST' | 'PUT';
type RawCall = (
  url: string,
  init: object,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

export class Api {
  constructor(
    readonly client: XdvClient,
    readonly url: string,
  ) {}

  async call<T>(method: Method, path: string, opts: CallOptions = {}): Promise<T> {
    const query = Object.fromEntries(Object.entries(opts.query ?? {}).filter(([, v]) => v !== undefined));
    let r: Awaited<ReturnType<RawCall>>;
    try {
      r = await (this.client.raw[method] as unknown as RawCall)(path, {
        params: { query },
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        ...(opts.headers ? { headers: opts.headers } : {}),
      });
    } catch (e) {
      throw new Unreachable(`cannot reach ${this.url}: ${causeOf(e)}`);
    }
    return unwrap(r) as T;
  }

  get<T>(path: string, query?: CallOptions['query']): Promise<T> {
    return this.call<T>('GET', path, query ? { query } : {});
  }

  /** Every item of a paginated list, following nextCursor. */
  async all<T>(path: string, query: CallOptions['query'] = {}): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<{ items: T[]; nextCursor?: string | null }>(path, {
        ...query,
        limit: 500,
        cursor,
      });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }
}

function causeOf(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  return c?.code ?? c?.message ?? (e as Error).message;
}

export function connect(io: Io, context?: string): Api {
  const t = resolveTarget(io.env, context);
  return new Api(createXdvClient({ baseUrl: t.url, token: t.token }), t.url);
}
