import { createXdvClient, type XdvClient, XdvProblem } from '@xdv/client';

// The simulator reaches the hypervisor only through @xdv/client, as an outside provider would.

export type { XdvClient };

export function clientFor(base: string, token: string): XdvClient {
  return createXdvClient({ baseUrl: base, token });
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; code: string };

/** A call whose refusal is part of the story (a job over budget): the problem's code instead of a throw. */
export async function attempt<T>(call: Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call };
  } catch (e) {
    if (e instanceof XdvProblem) return { ok: false, code: e.code };
    throw e;
  }
}
