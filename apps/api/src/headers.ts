import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

// Security headers on every response. helmet decides them; with static options (no per-request
// CSP nonce) they are the same on every response, so they are computed once, at start, by running
// helmet's middleware against a recording response, and each request then only copies them into
// its reply (twelve assignments) instead of running helmet's chain of twelve middlewares, each
// validating its header through Node's setHeader: a tenth of a cheap GET's cost.

/** The API's helmet options: a console that loads only its own scripts, styles and API. */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
    },
  },
};

/**
 * The headers helmet sets with these options (lower-case names), exactly as its middleware would.
 * Throws if the options make any header depend on the request (a CSP directive given as a function),
 * since one precomputed set could not honour it.
 */
export function securityHeaders(
  options: Readonly<HelmetOptions> = HELMET_OPTIONS,
): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const directives = (options.contentSecurityPolicy as { directives?: Record<string, unknown> } | undefined)
    ?.directives;
  for (const v of Object.values(directives ?? {}))
    if (typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function')))
      throw new Error('securityHeaders: a per-request CSP directive cannot be precomputed');
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  let done = false;
  helmet(options)(
    { headers: {} } as IncomingMessage,
    recorder as unknown as ServerResponse,
    (err?: unknown) => {
      failed = err;
      done = true;
    },
  );
  if (!done || failed)
    throw new Error(`securityHeaders: helmet did not finish synchronously (${String(failed)})`);
  return Object.freeze(headers);
}
