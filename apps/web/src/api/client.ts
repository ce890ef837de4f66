import type { Entry, ErrorParams } from '@xdv/core';
import { reportReach } from './health';

// The one boundary to the API: fetch with the session token, RFC 9457 problems turned into ApiError.

const TOKEN_KEY = 'xdv.token';

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ApiError';
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}
/** The session's token was refused outside api() (the live stream): sign out like api() does. */
export function notifyUnauthorized(): void {
  onUnauthorized?.();
}

export async function api<T>(
  method: string,
  path: string,
  opts: {
    body?: unknown;
    token?: string | null;
    signal?: AbortSignal;
    headers?: Record<string, string>;
  } = {},
): Promise<T> {
  const token = opts.token === undefined ? getToken() : opts.token;
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    reportReach('down');
    throw new ApiError(0, 'NETWORK', `The API could not be reached: ${(e as Error).message}`);
  }
  reportReach(res.status >= 500 ? 'error' : 'ok');
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!res.ok) {
    const p = (body ?? {}) as { code?: string; detail?: string; title?: string };
    if (res.status === 401 && onUnauthorized && opts.token === undefined) onUnauthorized();
    throw new ApiError(
      res.status,
      p.code ?? `HTTP_${res.status}`,
      p.detail ?? p.title ?? (typeof body === 'string' ? body : res.statusText),
    );
  }
  return body as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, signal ? { signal } : {});

/** Every page of a cursor-paginated list. */
export async function getAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const url: string = `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: Page<T> = await get<Page<T>>(url, signal);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export interface Mutation {
  outcome: 'accepted';
  seq: number;
  l: number;
  created: Record<string, string>;
  entries: Entry[];
}

export interface Violation {
  invariant: string;
  detail: string;
}

export interface DryRun {
  dryRun: true;
  wouldBe: 'accepted' | 'rejected';
  /** The subject's ETag as previewed (null: the path names no VHM, contract or binding). */
  etag: string | null;
  /** The refusal as data; the console renders its text with the core's templates (renderMessage). */
  error: { code: string; params: ErrorParams; detail: string } | null;
  entries: Entry[];
  capacity: Array<{ provider: string; resource: string; before: number; after: number; capacity: number }>;
  budgets: Array<{ contract: string; before: number; after: number; budget: number }>;
  quota: Array<{ vhm: string; resource: string; before: number; after: number; quota: number }>;
  invariants: { checked: number; violations: Violation[] };
}

export interface ActionRequest {
  method: 'POST' | 'PUT';
  path: string;
  body?: unknown;
}

export function dryRun(req: ActionRequest): Promise<DryRun> {
  const sep = req.path.includes('?') ? '&' : '?';
  return api<DryRun>(
    req.method,
    `${req.path}${sep}dryRun=true`,
    req.body === undefined ? {} : { body: req.body },
  );
}

/**
 * Commits what was previewed: If-Match carries the preview's ETag, so a subject that changed since
 * is refused (412) instead of acted on; the Idempotency-Key makes a retried click execute once.
 */
export function commit(req: ActionRequest, guard: { etag: string | null; key: string }): Promise<Mutation> {
  const headers: Record<string, string> = { 'idempotency-key': guard.key };
  if (guard.etag) headers['if-match'] = guard.etag;
  return api<Mutation>(req.method, req.path, {
    headers,
    ...(req.body === undefined ? {} : { body: req.body }),
  });
}
