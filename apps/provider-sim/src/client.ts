// A minimal REST client: the simulator talks to the hypervisor only through the public API.

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export class Client {
  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base.replace(/\/$/, '') + path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok)
      throw new ApiProblem(
        res.status,
        String(json.code ?? 'HTTP_ERROR'),
        String(json.detail ?? res.statusText),
      );
    return json as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T = { created: Record<string, string> }>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  /** A POST whose refusal is part of the story (a job over budget): returns the problem code instead of throwing. */
  async attempt(
    path: string,
    body: unknown = {},
  ): Promise<{ ok: true; created: Record<string, string> } | { ok: false; code: string }> {
    try {
      const r = await this.post(path, body);
      return { ok: true, created: r.created };
    } catch (e) {
      if (e instanceof ApiProblem) return { ok: false, code: e.code };
      throw e;
    }
  }
}
