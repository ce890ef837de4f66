import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import compress from '@fastify/compress';
import rateLimit from '@fastify/rate-limit';
import { fastifySSE } from '@fastify/sse';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { authHook } from './auth.js';
import type { ClockStatus } from './clock.js';
import type { Config } from './config.js';
import { ApiError, errorHandler, problem, sendProblem } from './errors.js';
import { securityHeaders } from './headers.js';
import { HttpMetrics } from './httpmetrics.js';
import { type LogDestination, loggerOptions } from './logging.js';
import { MethodTable } from './methods.js';
import { OperationCodes } from './openapi/codes.js';
import { swaggerOptions } from './openapi/document.js';
import type { IdempotencyStore, LedgerPort, TokenStore } from './ports.js';
import { adminRoutes } from './routes/admin.js';
import { alertRoutes } from './routes/alerts.js';
import { bindingRoutes } from './routes/bindings.js';
import { capabilityRoutes } from './routes/capabilities.js';
import { clockRoutes } from './routes/clock.js';
import { clusterRoutes } from './routes/cluster.js';
import { complianceRoutes } from './routes/compliance.js';
import { contractRoutes } from './routes/contracts.js';
import { executionRoutes } from './routes/execution.js';
import { faultRoutes } from './routes/faults.js';
import { fleetRoutes } from './routes/fleet.js';
import { ipcRoutes } from './routes/ipc.js';
import { migrationRoutes } from './routes/migrations.js';
import { opsRoutes } from './routes/ops.js';
import { planRoutes } from './routes/plan.js';
import { processRoutes } from './routes/processes.js';
import { providerRoutes } from './routes/providers.js';
import { schedulerRoutes } from './routes/scheduler.js';
import { loadSeries, SeriesIndex, seriesRoutes } from './routes/series.js';
import { snapshotRoutes } from './routes/snapshots.js';
import { tokenRoutes } from './routes/tokens.js';
import { traceRoutes } from './routes/trace.js';
import { vhmRoutes } from './routes/vhms.js';
import { DEFAULT_MAX_BUFFERED, StreamHub } from './stream.js';
import { Verifier } from './verifier.js';

export interface ServerDeps {
  ledger: LedgerPort;
  tokens: TokenStore;
  idempotency: IdempotencyStore;
  config: Pick<Config, 'rateLimit' | 'webDir' | 'logLevel' | 'verifyWorkers'> & { complianceReport?: string };
  logger?: boolean;
  /** Where the JSON log goes (default stdout); the e2e suite captures it to check it for secrets. */
  logStream?: LogDestination;
  /** The clock source's pace, for GET /v1/clock (default: manual ticks). */
  clock?: () => ClockStatus;
  /** Unsent bytes an SSE client may hold before it is dropped (default 1 MiB); tests lower it. */
  sseMaxBuffered?: number;
}

export const API_VERSION = '0.1.0';

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(deps.config.logLevel, deps.logStream),
    bodyLimit: 256 * 1024,
    // Request ids in every log line; honour an incoming X-Request-Id.
    requestIdHeader: 'x-request-id',
    genReqId: (() => {
      let n = 0;
      return () => `req-${(++n).toString(36)}`;
    })(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true },
    // Errors the router raises before any hook runs (bad URL, over-long id) are problem+json too.
    frameworkErrors: (error, req, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const path = req.url.split('?')[0]?.slice(0, 200);
      return sendProblem(
        reply,
        problem(
          tooLong ? 'HV_URI_TOO_LONG' : 'HV_BAD_REQUEST',
          tooLong
            ? 'A path parameter is longer than any id; check the URL.'
            : `Malformed URL: ${error.message}`,
          path,
        ),
      );
    },
  });
  // Request metrics: every route gets its own counting hook, so this comes before any route.
  const metrics = new HttpMetrics();
  app.addHook('onRoute', metrics.onRoute);
  app.addHook('onResponse', metrics.onUnmatched);
  app.setErrorHandler(errorHandler);
  // An unknown path is a 404, a known one asked with a method it does not answer a 405 with Allow:
  // problem+json either way.
  const methods = new MethodTable();
  app.addHook('onRoute', (route) => methods.add(route));
  const noRoute = (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allow = methods.allowed(path);
    // The path has this method's route but the router passed it over: a parameter over its length limit.
    if (allow.includes(req.method))
      return sendProblem(
        reply,
        problem('HV_URI_TOO_LONG', 'A path parameter is longer than any id; check the URL.', path),
      );
    if (allow.length > 0) {
      reply.header('allow', allow.join(', '));
      return sendProblem(
        reply,
        problem(
          'HV_METHOD_NOT_ALLOWED',
          `${req.method} is not allowed on ${path}; it answers ${allow.join(', ')}.`,
          path,
        ),
      );
    }
    return sendProblem(
      reply,
      problem('HV_ROUTE_NOT_FOUND', `No route ${req.method} ${path}; see /docs.`, path),
    );
  };
  app.setNotFoundHandler(noRoute);
  // Security headers (helmet's, computed once at start: see headers.ts) on every response.
  const security = securityHeaders();
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(security);
    done();
  });
  // A GET or HEAD carries no body, so its route gets no request-decompression hook (the plugin
  // below would otherwise add one to every route).
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === 'GET' || m === 'HEAD')) route.decompress = false;
  });
  // Responses are compressed by Accept-Encoding (brotli at quality 4, then gzip): a full trace page
  // is about 1.2 MB of JSON. The SSE stream writes to its socket directly and is not compressed
  // (a compressor buffers, and a stream must flush each event as it comes).
  await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024 });
  // The document: route schemas, completed centrally (problem+json errors with each operation's codes,
  // descriptions, examples). The codes are collected as routes are added.
  const codes = new OperationCodes();
  app.addHook('onRoute', (route) => codes.add(route));
  await app.register(swagger, swaggerOptions(API_VERSION, codes));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(fastifySSE, { heartbeatInterval: 15_000 });

  const hub = new StreamHub(deps.ledger, deps.sseMaxBuffered ?? DEFAULT_MAX_BUFFERED);
  // Open streams never end by themselves: end them first, or closing waits on them forever.
  app.addHook('preClose', async () => hub.close());
  let ready = false;
  opsRoutes(app, deps.ledger, () => ready, hub, metrics);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const verifier = new Verifier(deps.config.verifyWorkers ?? 0);
  app.addHook('onClose', async () => verifier.close());
  const d = { ledger: deps.ledger, idempotency: deps.idempotency, verifier };
  const series = new SeriesIndex();

  // The versioned API is one scope: its hooks (rate limit, token, NUL guard) apply to its routes
  // and to nothing else, so no hook inspects the URL.
  await app.register(
    async (v1) => {
      if (deps.config.rateLimit > 0)
        await v1.register(rateLimit, {
          max: deps.config.rateLimit,
          timeWindow: 60_000,
          keyGenerator: (req) => req.headers.authorization ?? req.ip,
          errorResponseBuilder: (_req, ctx) =>
            Object.assign(
              new Error(`Rate limit of ${ctx.max} requests per minute exceeded; retry in ${ctx.after}.`),
              { statusCode: 429 },
            ),
        });
      // Every /v1 route needs a token, in the Authorization header only (never in a URL).
      v1.addHook('onRequest', authHook(deps.tokens));
      // NUL characters cannot be stored in PostgreSQL text (the trace keeps every command verbatim),
      // so they are refused before anything reaches the core: a clean 400 instead of a failed commit.
      v1.addHook('preHandler', (req, _reply, done) => {
        if (
          req.url.includes('%00') ||
          (req.body !== undefined && JSON.stringify(req.body).includes('\\u0000'))
        )
          return done(new ApiError('HV_BAD_REQUEST', 'Strings may not contain NUL (\\u0000) characters.'));
        done();
      });
      // An unknown /v1 route is a problem+json 404 or 405 (after the token check, as every /v1 request),
      // never the console's index.html.
      v1.route({
        method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        url: '/*',
        schema: { hide: true },
        handler: noRoute,
      });
      // One plugin per concept, mirroring packages/core/src/transitions/, each in its own scope
      // under /v1 (it inherits the hooks above and adds none of its own).
      const concepts: Array<(app: FastifyInstance) => void> = [
        (app) => tokenRoutes(app, { ...d, tokens: deps.tokens }),
        (app) => adminRoutes(app, d),
        (app) => faultRoutes(app, d),
        (app) => alertRoutes(app, d),
        (app) => schedulerRoutes(app, d),
        (app) => vhmRoutes(app, d),
        (app) => processRoutes(app, d),
        (app) => capabilityRoutes(app, d),
        (app) => snapshotRoutes(app, d),
        (app) => migrationRoutes(app, d),
        (app) => contractRoutes(app, d),
        (app) => bindingRoutes(app, d),
        (app) => executionRoutes(app, d),
        (app) => ipcRoutes(app, d),
        (app) => planRoutes(app, d),
        (app) => providerRoutes(app, d),
        (app) => fleetRoutes(app, d),
        (app) => traceRoutes(app, d, hub),
        (app) => clusterRoutes(app, deps.ledger),
        (app) => complianceRoutes(app, deps.config.complianceReport ?? 'cts-report.json'),
        (app) => clockRoutes(app, deps.ledger, deps.clock ?? (() => ({ tickMs: 0, ticking: false }))),
        (app) => seriesRoutes(app, d, series),
      ];
      for (const routes of concepts) await v1.register(async (scope) => routes(scope));
    },
    { prefix: '/v1' },
  );
  await loadSeries(d, series);
  deps.ledger.onCommit((entries) => series.add(entries));

  const webDir = deps.config.webDir ?? resolve(import.meta.dirname, '../../web/dist');
  if (existsSync(resolve(webDir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: webDir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      preCompressed: true,
      // Hashed assets never change; the entry page is revalidated so a deploy shows at once.
      setHeaders: (res, path) =>
        res.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        ),
    });
    // Client-side routes fall back to the console's index.html.
    app.get('/*', { schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'));
  }
  await app.ready();
  ready = true;
  return app;
}
