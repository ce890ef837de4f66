// A tiny REST client that never throws on HTTP errors: conformance checks assert on the status and
// the problem+json `code` of refusals, so a refusal is data here, not an exception.

export type JsonObject = { [key: string]: unknown };

export interface Reply<T = JsonObject> {
  status: number;
  body: T;
}

export class Http {
  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  async call<T = JsonObject>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = {
      ...opts.headers,
      authorization: `Bearer ${opts.token ?? this.token}`,
    };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base.replace(/\/$/, '') + path, {
      method,
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
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
