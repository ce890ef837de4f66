import { createXdvClient, type XdvClient } from '@xdv/client';

// The checks' REST access, through @xdv/client, answering with the status and body and never
// throwing on an HTTP error: conformance checks assert on the status and the problem+json `code` of
// refusals, so a refusal is data here, not an exception.

export type JsonObject = { [key: string]: unknown };

export interface Reply<T = JsonObject> {
  status: number;
  body: T;
}

/** openapi-fetch's request with a concrete path: the checks address `/v1/vhms/vhm-3`, not templates. */
type ConcreteRequest = (
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export class Http {
  readonly #clients = new Map<string, XdvClient>();

  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  /** The typed client of a principal (the operator's unless a token is given). */
  client(token: string = this.token): XdvClient {
    let c = this.#clients.get(token);
    if (!c) {
      c = createXdvClient({ baseUrl: this.base, token });
      this.#clients.set(token, c);
    }
    return c;
  }

  async call<T = JsonObject>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const request = this.client(opts.token ?? this.token).raw.request as unknown as ConcreteRequest;
    const r = await request(method, path, {
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
    return { status: r.response.status, body: (r.response.ok ? r.data : r.error) ?? (null as T) } as Reply<T>;
  }

  get<T = JsonObject>(path: string, token?: string): Promise<Reply<T>> {
    return this.call<T>('GET', path, token === undefined ? {} : { token });
  }

  post<T = JsonObject>(path: string, body?: unknown, token?: string): Promise<Reply<T>> {
    return this.call<T>('POST', path, {
      ...(body === undefined ? {} : { body }),
      ...(token ? { token } : {}),
    });
  }
}

/** A check failed: the message says what the service did instead of what XDV-084 requires. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

export function must(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CheckFailure(message);
}

/** The body of a 2xx reply, or a CheckFailure naming the step and the problem the service returned. */
export async function ok<T = JsonObject>(what: string, p: Promise<Reply<T>>): Promise<T> {
  const r = await p;
  if (r.status < 200 || r.status >= 300)
    throw new CheckFailure(`${what}: expected success, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
