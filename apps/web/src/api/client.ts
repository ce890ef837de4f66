import { createXdvClient } from '@xdv/client';
import type { Entry, ErrorParams } from '@xdv/core';
import { reportReach } from './health';

// The one boundary to the API: @xdv/client's openapi-fetch client with the session token, RFC 9457
// problems turned into ApiError.

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

/** openapi-fetch's request with a concrete path: the console addresses `/v1/vhms/vhm-3`, not templates. */
type ConcreteRequest = (
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; parseAs: 'text' },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

// One tokenless client for the page's origin: the token is per call (api() may be given another).
let xdv: { origin: string; request: ConcreteRequest } | null = null;
function request(): ConcreteRequest {
  const origin = window.location.origin;
  if (xdv?.origin !== origin)
    xdv = { origin, request: createXdvClient({ baseUrl: origin }).raw.request as unknown as ConcreteRequest };
  return xdv.request;
}

/** A body as text: JSON when it parses, else the text itself (null when empty). */
function parseBody(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? null;
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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
  let r: Awaited<ReturnType<ConcreteRequest>>;
  try {
    // Text, parsed here: openapi-fetch's JSON parsing would throw on a plain-text answer.
    r = await request()(method, path, {
      headers,
      parseAs: 'text',
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    reportReach('down');
    throw new ApiError(0, 'NETWORK', `The API could not be reached: ${(e as Error).message}`);
  }
  const res = r.response;
  reportReach(res.status >= 500 ? 'error' : 'ok');
  const body = parseBody(res.ok ? r.data : r.error);
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
