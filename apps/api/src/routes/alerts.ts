import { alertGroups, alertViews, attentionOf } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Id, PageQuery, Problem, page } from '../schemas.js';
import { paginate, sec, view } from './read.js';

// Alerts as the console triages them (core views/alerts, views/attention): each with its lifecycle
// status and severity, grouped by subject, and acknowledged by an operator through the trace.

const Status = Type.Union([Type.Literal('firing'), Type.Literal('resolved')]);
const Severity = Type.Union([Type.Literal('critical'), Type.Literal('warning')]);

const AlertView = Type.Object(
  {
    id: Id,
    l: Type.Integer(),
    provider: Id,
    metric: Type.String(),
    value: Type.Integer(),
    threshold: Type.Integer(),
    subject: Type.String(),
    resolvedL: Type.Optional(Type.Integer()),
    ack: Type.Optional(Type.Object({ l: Type.Integer(), note: Type.String() })),
    status: Status,
    severity: Severity,
    resolution: Type.Union([Type.Literal('back_in_range'), Type.Literal('subject_ended'), Type.Null()]),
    resolvedAt: Type.Union([Type.Integer(), Type.Null()]),
  },
  { description: 'A threshold alert with its lifecycle (firing → resolved; acknowledged with a note)' },
);

const AlertGroup = Type.Object(
  {
    key: Type.String({ description: '`${provider}/${subject}`' }),
    provider: Id,
    subject: Type.String(),
    severity: Severity,
    status: Status,
    acknowledged: Type.Boolean({ description: 'every firing alert of the group is acknowledged' }),
    firing: Type.Integer(),
    total: Type.Integer(),
    metrics: Type.Array(Type.String()),
    latest: AlertView,
    firingIds: Type.Array(Id),
  },
  { description: 'The alerts about one subject of one provider' },
);

const Attention = Type.Union([
  Type.Object({
    kind: Type.Literal('vhm_paused'),
    vhm: Id,
    name: Type.String(),
    tenant: Id,
    faults: Type.Integer(),
    action: Type.Literal('resume'),
  }),
  Type.Object({
    kind: Type.Literal('provider_stale'),
    provider: Id,
    name: Type.String(),
    lastReportL: Type.Union([Type.Integer(), Type.Null()]),
    health: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    action: Type.Literal('inspect'),
  }),
  Type.Object({ kind: Type.Literal('alert'), group: AlertGroup, action: Type.Literal('acknowledge') }),
]);

export function alertRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/alerts', {
    schema: {
      summary: 'List threshold alerts from provider reports, with their status (firing or resolved)',
      operationId: 'listAlerts',
      tags: ['faults'],
      security: sec,
      querystring: Type.Object({ ...PageQuery.properties, status: Type.Optional(Status) }),
      response: { 200: page(AlertView), 401: Problem },
    },
    handler: async (req) => {
      const all = alertViews(view(ledger, req).state);
      const st = req.query.status;
      return paginate(st ? all.filter((a) => a.status === st) : all, req.query);
    },
  });
  app.get('/alerts/groups', {
    schema: {
      summary: 'Alerts grouped by provider and subject, firing and critical first',
      operationId: 'listAlertGroups',
      tags: ['faults'],
      security: sec,
      response: { 200: Type.Object({ items: Type.Array(AlertGroup) }), 401: Problem },
    },
    handler: async (req) => ({ items: alertGroups(view(ledger, req).state) }),
  });
  app.get('/attention', {
    schema: {
      summary:
        'What needs a person now: VHMs paused by fault escalation, stale Q and Φ providers, unacknowledged firing alerts',
      operationId: 'getAttention',
      tags: ['faults'],
      security: sec,
      response: {
        200: Type.Object({ l: Type.Integer(), items: Type.Array(Attention) }),
        401: Problem,
      },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      return { l: state.l, items: attentionOf(state) };
    },
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/alerts/:alert/acknowledge',
    summary: 'Acknowledge an alert with a note (operator); recorded in the trace',
    operationId: 'acknowledgeAlert',
    command: 'alert.acknowledge',
    tags: ['faults'],
    params: Type.Object({ alert: Id }),
    body: bodyOf('alert.acknowledge', { omit: ['alert'] }),
    build: (p, b) => ({ type: 'alert.acknowledge', alert: p.alert, note: b.note }),
  });
}
