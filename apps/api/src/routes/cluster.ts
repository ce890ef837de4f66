import type { Contract, ProviderCapacity } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { principalOf } from '../mutation.js';
import type { ClusterNodeRow, LedgerPort } from '../ports.js';
import type { RequestTypeProvider } from '../schemas.js';
import { Count, Domain, Problem } from '../schemas.js';
import { view } from './read.js';

// The distributed cluster view (XDV-090 §9). A "node" is an API process with its own Ledger on the
// shared database; the trace seq is the one global logical order, decided by the database's unique
// key on seq (an optimistic append that loses retries on the new state): a commit round is one
// committed batch. Everything here is read from the trace, the scoped state and the nodes' own
// heartbeats; nothing is estimated.
//
// Scope: nodes hold no tenant data, so every principal sees the node list and its health. The node
// internals (hostname, pid, version, counters, state hashes) are for operators; a tenant learns only
// whether the nodes agree. Contract counts and allocations come from the principal's scoped state,
// so a tenant counts only its own contracts. Commit rounds are seq ranges and counts, never entries.

/** A node is stale without a heartbeat for this long (the heartbeat is about once a second). */
export const STALE_MS = 5_000;

const Capacity = Type.Object({ memory: Count, cpu: Count, qubits: Count, envelopes: Count });
const Status = Type.Union(
  ['ok', 'lagging', 'stale', 'stopped', 'broken'].map((s) => Type.Literal(s)),
  {
    description:
      'broken: its replay found a broken chain; stopped: closed cleanly; stale: no heartbeat for more than 5 s; lagging: at its last heartbeat it had not applied entries committed over a second before; ok otherwise',
  },
);
const Iso = Type.String({ format: 'date-time' });

const ClusterNode = Type.Object(
  {
    id: Type.String({ description: 'hostname:pid:n:startedAtMs (or the configured node id); never random' }),
    self: Type.Boolean({ description: 'the node that answered this request' }),
    status: Status,
    startedAt: Iso,
    lastSeenAt: Iso,
    closedAt: Type.Union([Iso, Type.Null()]),
    ageMs: Type.Integer({ minimum: 0, description: 'since the last heartbeat, by the database clock' }),
    appliedSeq: Count,
    appliedL: Count,
    lag: Type.Integer({
      minimum: 0,
      description: 'head seq minus appliedSeq (as of the last heartbeat; live for the node that answered)',
    }),
    hashAgrees: Type.Union([Type.Boolean(), Type.Null()], {
      description:
        'whether every other node that hashed its state at the same seq got the same hash (null: no other node to compare with)',
    }),
    broken: Type.Boolean(),
    // Operators only.
    hostname: Type.Optional(Type.String()),
    pid: Type.Optional(Type.Integer()),
    driver: Type.Optional(Type.Union([Type.Literal('pglite'), Type.Literal('pg')])),
    version: Type.Optional(Type.String()),
    hashSeq: Type.Optional(Count),
    stateHash: Type.Optional(Type.String()),
    brokenSeq: Type.Optional(Type.Union([Count, Type.Null()])),
    commits: Type.Optional(Count),
    entries: Type.Optional(Count),
    conflicts: Type.Optional(Count),
    catchUps: Type.Optional(Count),
    reloads: Type.Optional(Count),
    rebuilds: Type.Optional(Count),
    checkpoints: Type.Optional(Count),
  },
  { additionalProperties: false },
);

const ProviderContracts = Type.Object(
  {
    provider: Type.String(),
    name: Type.String(),
    domain: Domain,
    health: Type.String(),
    attestation: Type.String(),
    contracts: Type.Object({ issued: Count, active: Count, released: Count, revoked: Count }),
    allocated: Capacity,
    capacity: Capacity,
  },
  { additionalProperties: false },
);

const Round = Type.Object(
  {
    firstSeq: Count,
    lastSeq: Count,
    firstL: Count,
    lastL: Count,
    entries: Count,
    node: Type.String(),
    retries: Type.Integer({ minimum: 0, description: 'seq conflicts this batch lost before it committed' }),
    committedAt: Iso,
  },
  { additionalProperties: false },
);

export const ClusterView = Type.Object(
  {
    scope: Type.Union([Type.Literal('operator'), Type.Literal('tenant'), Type.Literal('provider')]),
    ordering: Type.Object(
      {
        seq: Count,
        l: Count,
        source: Type.Literal('trace', {
          description: 'the trace seq is the global logical order; L the logical clock',
        }),
      },
      { additionalProperties: false },
    ),
    nodes: Type.Array(ClusterNode, { description: 'ordered by node id' }),
    contracts: Type.Object(
      {
        scope: Type.Union([Type.Literal('fleet'), Type.Literal('own')], {
          description:
            'fleet: every contract and each provider’s allocation; own: only your contracts and what they hold',
        }),
        providers: Type.Array(ProviderContracts, { description: 'ordered by provider id' }),
      },
      { additionalProperties: false },
    ),
    rounds: Type.Array(Round, { description: 'the newest commit rounds, newest first' }),
  },
  { additionalProperties: false },
);

const ZERO = (): ProviderCapacity => ({ memory: 0, cpu: 0, qubits: 0, envelopes: 0 });

/** What a live (issued or active) contract holds of its provider. */
function held(c: Contract): ProviderCapacity {
  const h = ZERO();
  if (c.status !== 'issued' && c.status !== 'active') return h;
  if (c.k) {
    h.memory = c.k.size;
    h.cpu = c.k.cpu;
  }
  if (c.q) h.qubits = c.q.qubits;
  if (c.phi) h.envelopes = 1;
  return h;
}

const idOrder = (a: string, b: string) => {
  const na = Number(a.slice(a.lastIndexOf('-') + 1));
  const nb = Number(b.slice(b.lastIndexOf('-') + 1));
  return na !== nb && Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
};

export function nodeStatus(n: ClusterNodeRow): 'ok' | 'lagging' | 'stale' | 'stopped' | 'broken' {
  if (n.broken) return 'broken';
  if (n.closedAt !== null) return 'stopped';
  if (n.ageMs > STALE_MS) return 'stale';
  if (n.appliedSeq < n.settledSeq) return 'lagging';
  return 'ok';
}

export function clusterRoutes(base: FastifyInstance, ledger: LedgerPort): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  app.get('/cluster', {
    schema: {
      summary:
        'Distributed cluster view: nodes and their health, global ordering, contracts per provider, commit rounds',
      description:
        'Nodes are the API processes sharing this database (one with embedded PGlite), ordered by node id. Tenants see node health but not node internals, and only their own contracts; commit rounds are seq ranges and counts.',
      operationId: 'getCluster',
      tags: ['cluster'],
      security: [{ bearer: [] }],
      querystring: Type.Object({
        limit: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'how many commit rounds' }),
        ),
      }),
      response: { 200: ClusterView, 400: Problem, 401: Problem },
    },
    handler: async (req) => {
      const p = principalOf(req);
      const operator = p.actor.kind === 'operator';
      const { state } = view(ledger, req);
      const limit = req.query.limit ?? 20;
      const [dbHead, rows, rounds] = await Promise.all([
        ledger.committedHead(),
        ledger.nodes(),
        ledger.rounds(limit),
      ]);
      // The answering node knows its own position now, not just at its last heartbeat.
      const mine = ledger.applied;
      const head = mine.seq > dbHead.seq ? mine : dbHead;
      const hashesAt = new Map<number, Set<string>>();
      for (const n of rows) {
        if (!n.stateHash) continue;
        const s = hashesAt.get(n.hashSeq) ?? new Set<string>();
        s.add(n.stateHash);
        hashesAt.set(n.hashSeq, s);
      }
      const label = (id: string) => {
        const i = rows.findIndex((r) => r.id === id);
        return i < 0 ? 'node' : `node-${i + 1}`;
      };
      const nodes = rows.map((row) => {
        const n =
          row.id === ledger.nodeId && mine.seq >= row.appliedSeq
            ? { ...row, appliedSeq: mine.seq, appliedL: mine.l }
            : row;
        const peers = rows.filter((o) => o !== row && o.stateHash && o.hashSeq === n.hashSeq).length;
        const base = {
          // The id holds the hostname and pid: an operator detail. Others get a label by position.
          id: operator ? n.id : `node-${rows.indexOf(row) + 1}`,
          self: n.id === ledger.nodeId,
          status: nodeStatus(n),
          startedAt: n.startedAt,
          lastSeenAt: n.lastSeenAt,
          closedAt: n.closedAt,
          ageMs: n.ageMs,
          appliedSeq: n.appliedSeq,
          appliedL: n.appliedL,
          lag: Math.max(0, head.seq - n.appliedSeq),
          hashAgrees: peers === 0 || !n.stateHash ? null : hashesAt.get(n.hashSeq)!.size === 1,
          broken: n.broken,
        };
        if (!operator) return base;
        return {
          ...base,
          hostname: n.hostname,
          pid: n.pid,
          driver: n.driver,
          version: n.version,
          hashSeq: n.hashSeq,
          stateHash: n.stateHash,
          brokenSeq: n.brokenSeq,
          commits: n.commits,
          entries: n.entries,
          conflicts: n.conflicts,
          catchUps: n.catchUps,
          reloads: n.reloads,
          rebuilds: n.rebuilds,
          checkpoints: n.checkpoints,
        };
      });
      // Contracts per provider from the scoped state: a tenant's view holds only its own contracts,
      // so both the counts and (for a tenant) the allocation are its own.
      const per = new Map(
        Object.values(state.providers).map((pr) => [
          pr.id,
          {
            provider: pr.id,
            name: pr.name,
            domain: pr.domain,
            health: pr.health,
            attestation: pr.attestation,
            contracts: { issued: 0, active: 0, released: 0, revoked: 0 },
            allocated: operator ? { ...pr.allocated } : ZERO(),
            capacity: { ...pr.capacity },
          },
        ]),
      );
      for (const c of Object.values(state.contracts)) {
        const row = per.get(c.provider);
        if (!row) continue;
        row.contracts[c.status]++;
        if (!operator) {
          const h = held(c);
          row.allocated.memory += h.memory;
          row.allocated.cpu += h.cpu;
          row.allocated.qubits += h.qubits;
          row.allocated.envelopes += h.envelopes;
        }
      }
      return {
        scope: p.actor.kind,
        ordering: { seq: head.seq, l: head.l, source: 'trace' as const },
        nodes,
        contracts: {
          scope: operator ? ('fleet' as const) : ('own' as const),
          providers: [...per.values()].sort((a, b) => idOrder(a.provider, b.provider)),
        },
        rounds: operator ? rounds : rounds.map((r) => ({ ...r, node: label(r.node) })),
      };
    },
  });
}
