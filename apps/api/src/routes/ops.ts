import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { Type } from 'typebox';
import { problem, sendProblem } from '../errors.js';
import type { HttpMetrics } from '../httpmetrics.js';
import type { LedgerPort } from '../ports.js';
import { Problem } from '../schemas.js';

// Health, readiness and Prometheus metrics: unauthenticated, for orchestrators and scrapers.

export function opsRoutes(
  app: FastifyInstance,
  ledger: LedgerPort,
  ready: () => boolean,
  stream: { readonly size: number; readonly dropped: number },
  metrics: HttpMetrics,
): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  metrics.register(registry);
  new Gauge({
    name: 'xdv_trace_seq',
    help: 'Last trace seq',
    registers: [registry],
    collect() {
      this.set(ledger.state.seq);
    },
  });
  new Gauge({
    name: 'xdv_logical_clock',
    help: 'Logical clock L',
    registers: [registry],
    collect() {
      this.set(ledger.state.l);
    },
  });
  new Gauge({
    name: 'xdv_trace_broken',
    help: '1 when the hash chain is broken',
    registers: [registry],
    collect() {
      this.set(ledger.broken ? 1 : 0);
    },
  });
  new Gauge({
    name: 'xdv_vhms',
    help: 'VHMs by lifecycle state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const v of Object.values(ledger.state.vhms)) this.inc({ state: v.state });
    },
  });
  new Gauge({
    name: 'xdv_sse_clients',
    help: 'Open trace stream (SSE) clients',
    registers: [registry],
    collect() {
      this.set(stream.size);
    },
  });
  new Gauge({
    name: 'xdv_sse_dropped',
    help: 'Trace stream clients dropped since start for falling behind (they resume by Last-Event-ID)',
    registers: [registry],
    collect() {
      this.set(stream.dropped);
    },
  });
  for (const [name, field] of [
    ['xdv_provider_capacity', 'capacity'],
    ['xdv_provider_allocated', 'allocated'],
  ] as const)
    new Gauge({
      name,
      help: `Provider ${field} by resource`,
      labelNames: ['provider', 'domain', 'resource'],
      registers: [registry],
      collect() {
        for (const p of Object.values(ledger.state.providers))
          for (const [resource, v] of Object.entries(p[field]))
            if (p.capacity[resource as keyof typeof p.capacity] > 0)
              this.set({ provider: p.id, domain: p.domain, resource }, v);
      },
    });
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness',
        operationId: 'healthz',
        tags: ['ops'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }), '4XX': Problem },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get('/readyz', {
    schema: {
      summary: 'Readiness: false while migrations run or the hash chain is broken',
      operationId: 'readyz',
      tags: ['ops'],
      security: [],
      response: {
        200: Type.Object({ ready: Type.Boolean(), seq: Type.Integer() }),
        503: Problem,
        '4XX': Problem,
      },
    },
    handler: async (_req, reply) => {
      // Not ready is an error like any other (problem+json), with the readiness fields beside it.
      const notReady = (reason: string, seq: number) =>
        sendProblem(
          reply,
          problem('HV_UNAVAILABLE', `Not ready: ${reason}; retry shortly.`, '/readyz', {
            ready: false,
            seq,
            reason,
          }),
        );
      if (!ready()) return notReady('starting', 0);
      if (ledger.broken) return notReady(`trace broken at seq ${ledger.broken.seq}`, ledger.state.seq);
      return { ready: true, seq: ledger.state.seq };
    },
  });
  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics',
      operationId: 'metrics',
      tags: ['ops'],
      security: [],
      response: {
        200: {
          description: 'Prometheus text exposition',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        '4XX': Problem,
      },
    },
    handler: async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  });
}
