import type { FastifyServerOptions } from 'fastify';

// The server's log never holds a credential: tokens travel only in the Authorization header, which
// is redacted wherever a logged object carries it, and a URL is logged with any query parameter
// named like a credential replaced, in case a client still sends one.

export const REDACTED = '[REDACTED]';

/** Query parameter (and field) names whose values are credentials. */
const SECRET_NAME = /token|secret|password|passwd|api[-_]?key|auth|session|credential|signature|sig$/i;

/** The URL with the value of every credential-like query parameter replaced by [REDACTED]. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the name as written.
      }
      return SECRET_NAME.test(name) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}

const FIELDS = [
  'authorization',
  'cookie',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'secret',
  'password',
  'bootstrapToken',
  'operatorToken',
];

/** pino redact paths: credential fields at the top of a logged object and one or two levels down. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.query.access_token',
  'req.query.token',
  'req.body.token',
  'req.body.secret',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  ...FIELDS,
  ...FIELDS.map((f) => `*.${f}`),
  ...FIELDS.map((f) => `*.*.${f}`),
];

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string; remotePort?: number };
}

/** Fastify's request serializer (method, url, host, remote address and port) with the URL redacted. */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.host ?? req.headers?.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

export interface LogDestination {
  write(line: string): void;
}

/** The Fastify logger options: level, redaction, the redacting request serializer, a destination. */
export function loggerOptions(level: string, stream?: LogDestination): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { req: serializeRequest as never },
    ...(stream ? { stream } : {}),
  };
}
