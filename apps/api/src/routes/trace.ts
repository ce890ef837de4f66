import { Readable } from 'node:stream';
import {
  type Actor,
  checkAll,
  type Entry,
  entryVisible,
  INVARIANTS,
  overviewOf,
  type State,
  scopeState,
  TOUCHED_TABLES,
} from '@xdv/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import { type FieldChange, fieldChanges } from '../fieldDiff.js';
import { type Deps, principalOf } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { Entry as EntrySchema, Id, Problem } from '../schemas.js';
import type { StreamHub } from '../stream.js';
import { sec, view } from './read.js';

// The tables a command can touch, and the rest of the state a diff compares.
const COLLECTIONS = [
  ...TOUCHED_TABLES,
  'snapshots',
  'migrations',
  'ipcs',
  'units',
  'faults',
  'alerts',
] as const;

/** Entries a principal may read, in seq order, after `after`. Filters run before the limit. */
export async function visibleEntries(
  deps: Deps,
  actor: Actor,
  q: { after: number; before?: number; limit: number; type?: string; vhm?: string },
): Promise<Entry[]> {
  const tenant = actor.kind === 'tenant' ? actor.tenant : undefined;
  if (actor.kind === 'provider') return [];
  const rows = await deps.ledger.entries({
    afterSeq: q.after,
    ...(q.before !== undefined ? { beforeSeq: q.before } : {}),
    limit: q.limit,
    ...(tenant ? { tenant } : {}),
    ...(q.type ? { type: q.type } : {}),
    ...(q.vhm ? { vhm: q.vhm } : {}),
  });
  return rows.filter((e) => entryVisible(e, actor));
}

function summary(s: State) {
  const counts: Record<string, Record<string, number>> = {};
  for (const c of COLLECTIONS) {
    const by: Record<string, number> = {};
    for (const o of Object.values(s[c]) as Array<{ state?: string; status?: string; live?: boolean }>) {
      const k = o.state ?? o.status ?? (o.live === undefined ? 'all' : o.live ? 'live' : 'ended');
      by[k] = (by[k] ?? 0) + 1;
    }
    counts[c] = by;
  }
  return counts;
}

/** Changed objects per collection whose fields are listed (the ids are all listed regardless). */
const MAX_FIELD_OBJECTS = 50;

export function diffStates(a: State, b: State) {
  const out: Record<
    string,
    { added: string[]; removed: string[]; changed: string[]; fields: Record<string, FieldChange[]> }
  > = {};
  for (const c of COLLECTIONS) {
    const ra = a[c] as Record<string, unknown>;
    const rb = b[c] as Record<string, unknown>;
    const added = Object.keys(rb).filter((k) => !(k in ra));
    const removed = Object.keys(ra).filter((k) => !(k in rb));
    const changed = Object.keys(rb).filter((k) => k in ra && JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
    const fields: Record<string, FieldChange[]> = {};
    for (const id of changed.slice(0, MAX_FIELD_OBJECTS)) fields[id] = fieldChanges(ra[id], rb[id]);
    if (added.length + removed.length + changed.length > 0) out[c] = { added, removed, changed, fields };
  }
  return out;
}

export function traceRoutes(base: FastifyInstance, deps: Deps, hub: StreamHub): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/trace', {
    schema: {
      summary: 'Read the trace in seq order (a tenant sees only entries filed under it)',
      operationId: 'listTrace',
      tags: ['trace'],
      security: sec,
      querystring: Type.Object({
        after: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: Number.MAX_SAFE_INTEGER,
            description: 'return entries with seq greater than this',
          }),
        ),
        before: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: Number.MAX_SAFE_INTEGER,
            description:
              'return the newest entries with seq less than this (still in seq order), instead of the oldest after `after`; page back with `nextBefore`',
          }),
        ),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
        type: Type.Optional(Type.String({ maxLength: 64 })),
        vhm: Type.Optional(Id),
      }),
      response: {
        200: Type.Object({
          items: Type.Array(EntrySchema),
          head: Type.Object({ seq: Type.Integer(), hash: Type.String(), l: Type.Integer() }),
          nextAfter: Type.Union([Type.Integer(), Type.Null()]),
          nextBefore: Type.Union([Type.Integer(), Type.Null()], {
            description: 'with `before`: the `before` of the next older page (null: no older entries)',
          }),
        }),
        304: Type.Null({ description: 'Not modified: If-None-Match names the current ETag' }),
        401: Problem,
      },
    },
    handler: async (req, reply) => {
      const p = principalOf(req);
      const q = req.query;
      const limit = q.limit ?? 200;
      const items = await visibleEntries(deps, p.actor, {
        after: q.after ?? 0,
        ...(q.before !== undefined ? { before: q.before } : {}),
        limit,
        ...(q.type ? { type: q.type } : {}),
        ...(q.vhm ? { vhm: q.vhm } : {}),
      });
      const s = ledger.state;
      // The trace is append-only: for one URL and one principal's view, the page is fixed by its last
      // seq, and the head by this node's seq. A validator from those needs no hashing of the body.
      const view = p.actor.kind === 'tenant' ? `t.${p.actor.tenant}` : p.actor.kind;
      const tag = `"trace.${s.seq}.${items.at(-1)?.seq ?? 0}.${view}"`;
      reply.header('etag', tag);
      if (req.headers['if-none-match'] === tag) return reply.code(304).send();
      return {
        items,
        head: { seq: s.seq, hash: p.actor.kind === 'operator' ? s.head : '', l: s.l },
        nextAfter: q.before === undefined && items.length === limit ? items.at(-1)!.seq : null,
        nextBefore: q.before !== undefined && items.length === limit ? items[0]!.seq : null,
      };
    },
  });
  const Break = Type.Object({ seq: Type.Integer(), reason: Type.String() });
  const operatorOnly = (req: FastifyRequest, what: string) => {
    if (principalOf(req).actor.kind !== 'operator')
      throw new ApiError(
        'HV_FORBIDDEN',
        `${what} is an operator action; tenants verify their entries in the console.`,
      );
  };
  app.get('/trace/verify', {
    schema: {
      summary:
        "Verify the whole store now (operator): every hash, link and decision from genesis, every signed head and checkpoint, and this node's head file; with the progress of the verification that runs in the background after start",
      operationId: 'verifyTrace',
      tags: ['trace'],
      security: sec,
      response: {
        200: Type.Object({
          ok: Type.Boolean(),
          entries: Type.Integer(),
          mismatch: Type.Union([Break, Type.Null()]),
          head: Type.String(),
          broken: Type.Union([Break, Type.Null()]),
          background: Type.Object({
            checked: Type.Integer({ description: 'rows replayed and checked so far' }),
            total: Type.Integer({
              description: 'rows in the trace when the check started (or more, as it grows)',
            }),
            done: Type.Boolean(),
            result: Type.Union([
              Type.Object({ ok: Type.Boolean(), mismatch: Type.Union([Break, Type.Null()]) }),
              Type.Null(),
            ]),
          }),
        }),
        401: Problem,
        403: Problem,
      },
    },
    handler: async (req) => {
      operatorOnly(req, 'Whole-chain verification');
      const r = await ledger.verify();
      return { ...r, head: ledger.state.head, broken: ledger.broken, background: ledger.verification };
    },
  });
  app.get('/trace/head', {
    schema: {
      summary:
        'The newest signed trace head (operator): {seq, l, hash} signed with ML-DSA-65 over "xdv/trace-head/v1\\n" + its canonical JSON, and the public key that signed it',
      operationId: 'traceHead',
      tags: ['trace'],
      security: sec,
      response: {
        200: Type.Object({
          seq: Type.Integer(),
          l: Type.Integer(),
          hash: Type.String(),
          key: Type.String({ description: 'fingerprint: SHA-256 of the public key, hex' }),
          signature: Type.String({ description: 'ML-DSA-65 signature, hex' }),
          publicKey: Type.Union([Type.String(), Type.Null()], {
            description: 'hex; null when not in the key table',
          }),
          trusted: Type.Boolean({ description: 'signed by a trusted key and the signature verifies' }),
          kind: Type.Literal('xdv/trace-head/v1'),
          node: Type.Object({ fingerprint: Type.String(), publicKey: Type.String() }),
        }),
        401: Problem,
        403: Problem,
        404: Problem,
      },
    },
    handler: async (req) => {
      operatorOnly(req, 'Reading the signed head');
      const h = await ledger.signedHead();
      if (!h) throw new ApiError('HV_NOT_FOUND', 'No trace head has been signed yet.');
      return {
        seq: h.seq,
        l: h.l,
        hash: h.hash,
        key: h.key,
        signature: h.sig,
        publicKey: h.publicKey,
        trusted: h.trusted,
        kind: 'xdv/trace-head/v1' as const,
        node: { fingerprint: ledger.nodeKey.fingerprint, publicKey: ledger.nodeKey.publicKey },
      };
    },
  });
  app.get('/trace/export', {
    schema: {
      summary:
        'Export the trace as a self-contained bundle (operator): NDJSON, one object a line: a header {kind: "xdv-trace-bundle", version: 1, protocol, entries, exportedAt}, the node public keys, the signed heads and signed checkpoints, then every entry {seq, hash, text} in seq order. Verify it offline with `xdv-verify-bundle FILE [--trust FINGERPRINT,...]`',
      operationId: 'exportTrace',
      tags: ['trace'],
      security: sec,
      response: {
        200: {
          description: 'application/x-ndjson trace bundle (the trace as committed when the export started)',
          content: { 'application/x-ndjson': { schema: { type: 'string' } } },
        },
        401: Problem,
        403: Problem,
      },
    },
    handler: async (req, reply) => {
      operatorOnly(req, 'Exporting the trace');
      reply
        .type('application/x-ndjson')
        .header('content-disposition', 'attachment; filename="xdv-trace-bundle.ndjson"')
        .header('cache-control', 'no-store');
      return reply.send(Readable.from(ledger.exportBundle()));
    },
  });
  app.get('/trace/stream', {
    // Negotiated here, not by the plugin, so a refusal is problem+json like every other error.
    sse: { kind: 'manual', heartbeat: true },
    schema: {
      summary:
        "Live stream of trace entries (Server-Sent Events); resumes after Last-Event-ID with no gap and no duplicate. Event `entry` carries an entry the principal may see (id = seq); event `clock` ({ l }, no id) tells a principal that cannot see the clock source's tick entries that L moved. Authenticate with `Authorization: Bearer <token>` like every route (a browser reads the stream with fetch, not EventSource); a token in the URL is never accepted.",
      operationId: 'streamTrace',
      tags: ['trace'],
      security: sec,
      querystring: Type.Object({
        after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
      }),
      response: {
        200: {
          description: 'text/event-stream of entries; event id = seq',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        401: Problem,
        406: Problem,
      },
    },
    handler: async (req, reply) => streamEntries(deps, hub, req, reply, req.query.after),
  });

  app.get('/replay/state', {
    schema: {
      summary: 'The state at logical time L, replayed from the trace (scoped to the principal)',
      operationId: 'replayState',
      tags: ['replay'],
      security: sec,
      querystring: Type.Object({ l: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) }),
      response: {
        200: Type.Object({
          l: Type.Integer(),
          live: Type.Boolean(),
          seq: Type.Integer(),
          summary: Type.Object({}, { additionalProperties: true }),
          state: Type.Object({}, { additionalProperties: true }),
        }),
        401: Problem,
      },
    },
    handler: async (req) => {
      const p = principalOf(req);
      const l = req.query.l;
      const s = l >= ledger.state.l ? ledger.state : await ledger.stateAt(l);
      const scoped = scopeState(s, p.actor);
      return {
        l: Math.min(l, ledger.state.l),
        live: l >= ledger.state.l,
        seq: s.seq,
        summary: summary(scoped),
        state: scoped,
      };
    },
  });
  app.get('/replay/diff', {
    schema: {
      summary: 'What changed between two logical times',
      operationId: 'replayDiff',
      tags: ['replay'],
      security: sec,
      querystring: Type.Object({
        from: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        to: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
      }),
      response: {
        200: Type.Object({
          from: Type.Integer(),
          to: Type.Integer(),
          changes: Type.Object({}, { additionalProperties: true }),
        }),
        400: Problem,
        401: Problem,
      },
    },
    handler: async (req) => {
      const p = principalOf(req);
      const q = req.query;
      if (q.from > q.to) throw new ApiError('HV_BAD_REQUEST', 'from must not be after to.');
      const at = async (l: number) =>
        scopeState(l >= ledger.state.l ? ledger.state : await ledger.stateAt(l), p.actor);
      return { from: q.from, to: q.to, changes: diffStates(await at(q.from), await at(q.to)) };
    },
  });
  app.get('/invariants', {
    schema: {
      summary: 'Check every invariant on the live state now',
      operationId: 'checkInvariants',
      tags: ['trace'],
      security: sec,
      response: {
        200: Type.Object({
          ok: Type.Boolean(),
          checked: Type.Array(Type.String()),
          violations: Type.Array(Type.Object({ invariant: Type.String(), detail: Type.String() })),
        }),
        401: Problem,
      },
    },
    handler: async (req) => {
      const p = principalOf(req);
      const v = checkAll(ledger.state);
      // Details name objects; a tenant learns only which property failed.
      return {
        ok: v.length === 0,
        checked: [...INVARIANTS],
        violations:
          p.actor.kind === 'operator' ? v : v.map((x) => ({ invariant: x.invariant, detail: 'hidden' })),
      };
    },
  });
  app.get('/overview', {
    schema: {
      summary:
        'Dashboard overview: VHMs by state, capacity vs allocation per provider, alerts, faults, trace head',
      operationId: 'overview',
      tags: ['trace'],
      security: sec,
      response: { 200: Type.Object({}, { additionalProperties: true }), 401: Problem },
    },
    handler: async (req) => {
      const { state, actor } = view(ledger, req);
      const violations = checkAll(ledger.state);
      return {
        ...overviewOf(state, {
          conservation: !violations.some((v) => v.invariant === 'conservation'),
          violations: violations.length,
        }),
        head: actor.kind === 'operator' ? state.head : null,
        broken: ledger.broken,
      };
    },
  });
}

async function streamEntries(
  deps: Deps,
  hub: StreamHub,
  req: FastifyRequest,
  reply: FastifyReply,
  after: number | undefined,
): Promise<void> {
  const p = principalOf(req);
  const accept = req.headers.accept;
  if (accept && !/text\/event-stream|\*\/\*|text\/\*/.test(accept))
    throw new ApiError(
      'HV_NOT_ACCEPTABLE',
      'This endpoint produces text/event-stream; send Accept: text/event-stream.',
    );
  const header = req.headers['last-event-id'];
  const last =
    typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : (after ?? deps.ledger.state.seq);
  reply.sse.keepAlive();
  reply.sse.sendHeaders();
  // writeHead only buffers the headers until the first write; send them now, so a client (or a
  // proxy) sees the stream open even when nothing is committed for a while.
  reply.raw.flushHeaders();
  // The hub writes the events (backlog, then live, each entry once, strictly in seq order).
  await hub.attach(reply.raw, p.actor, last);
}
