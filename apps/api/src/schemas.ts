import { COMMAND_SCHEMAS, type CommandSchemas, type CommandType, ERROR_CODES, RIGHTS } from '@xdv/core';
import type { FastifyTypeProvider } from 'fastify';
import { type Static, type TObject, type TOptional, type TSchema, Type } from 'typebox';

// Request and response schemas, declared once in code and published as OpenAPI 3.1.

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z]+-[0-9]+$' });
export const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const Domain = Type.Union([Type.Literal('K'), Type.Literal('Q'), Type.Literal('PHI')]);
export const Right = Type.Union(RIGHTS.map((r) => Type.Literal(r)));
const Hex = Type.String({ pattern: '^[0-9a-f]+$', maxLength: 16384 });

export const Quota = Type.Object(
  {
    vhms: Type.Optional(Count),
    memory: Type.Optional(Count),
    cpu: Type.Optional(Count),
    qubits: Type.Optional(Count),
    envelopes: Type.Optional(Count),
  },
  { additionalProperties: false, description: 'memory in bytes, cpu in slices, qubits, Φ envelopes' },
);
const FullQuota = Type.Object({ vhms: Count, memory: Count, cpu: Count, qubits: Count, envelopes: Count });

/**
 * RFC 9457 problem details: the body of every error answer, and the one Problem schema of the
 * OpenAPI document (each operation narrows its `code`, apps/api/src/openapi/problems.ts).
 */
export const Problem = Type.Object(
  {
    type: Type.String({ format: 'uri', description: 'a URI naming the problem type, one per code' }),
    title: Type.String({ description: 'the code again, for readers that show only the title' }),
    status: Type.Integer({ minimum: 400, maximum: 599, description: 'the HTTP status' }),
    code: Type.String({ enum: [...ERROR_CODES], description: 'stable error code' }),
    detail: Type.String({ description: 'what happened and what would make the request succeed' }),
    instance: Type.Optional(Type.String({ description: 'the path of the request' })),
    params: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'structured data of a rejection or store error (ids, quantities, states, a reason token); detail is rendered from it',
      }),
    ),
    seq: Type.Optional(
      Type.Integer({ description: 'a refused command: the seq of the trace entry that records it' }),
    ),
    l: Type.Optional(Type.Integer({ description: 'a refused command: the logical time it was refused at' })),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'a request that failed schema validation: where and why',
      }),
    ),
  },
  {
    additionalProperties: true,
    description:
      'RFC 9457 problem details. `code` is stable (act on it, never on `detail`); `detail` is the text for a person, rendered from `code` and `params`.',
  },
);

export const Entry = Type.Object(
  {
    seq: Type.Integer(),
    l: Type.Integer(),
    type: Type.String(),
    tenant: Type.Union([Type.String(), Type.Null()]),
    vhm: Type.Union([Type.String(), Type.Null()]),
    domain: Type.Union([Domain, Type.Null()]),
    capability: Type.Union([Type.String(), Type.Null()]),
    contract: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Object({}, { additionalProperties: true }),
    outcome: Type.Union([Type.Literal('accepted'), Type.Literal('rejected'), Type.Literal('effect')]),
    prev: Type.String(),
    hash: Type.String(),
    text: Type.String({ description: 'the exact canonical JSON that was hashed' }),
  },
  { additionalProperties: false },
);

export const MutationResult = Type.Object({
  outcome: Type.Literal('accepted'),
  seq: Type.Integer({ description: 'seq of the command entry' }),
  l: Type.Integer(),
  created: Type.Record(Type.String(), Type.String(), { description: 'ids created, by kind' }),
  entries: Type.Array(Entry),
});

const Delta = Type.Object({}, { additionalProperties: true });
export const PreviewResult = Type.Object({
  dryRun: Type.Literal(true),
  wouldBe: Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]),
  etag: Type.Union([Type.String(), Type.Null()], {
    description:
      "the ETag of the command's subject (the VHM, contract or binding its path names) as previewed; send it as If-Match to commit only what was previewed",
  }),
  error: Type.Union([
    Type.Object({
      code: Type.String({ description: 'stable error code' }),
      params: Type.Record(Type.String(), Type.Unknown(), { description: 'structured data of the refusal' }),
      detail: Type.String({ description: 'the text for a person, rendered from code and params' }),
    }),
    Type.Null(),
  ]),
  entries: Type.Array(Entry),
  capacity: Type.Array(Delta),
  budgets: Type.Array(Delta),
  quota: Type.Array(Delta),
  invariants: Type.Object({ checked: Type.Integer(), violations: Type.Array(Delta) }),
});

/** A record of the state, passed through as stored (plain JSON); documented loosely but completely typed in @xdv/core. */
export function entity(description: string, props: Record<string, TSchema>) {
  return Type.Object(props, { additionalProperties: true, description });
}

export const Tenant = entity('A tenant with its quota and what its root VHMs have carved', {
  id: Id,
  name: Type.String(),
  quota: FullQuota,
  carved: FullQuota,
});
export const Vhm = entity('A Virtual Hybrid Machine', {
  id: Id,
  tenant: Id,
  name: Type.String(),
  parent: Type.Union([Id, Type.Null()]),
  depth: Type.Integer(),
  state: Type.String(),
  quota: FullQuota,
  used: FullQuota,
  carved: FullQuota,
  children: Type.Array(Type.String()),
});
export const Provider = entity('A K host, Q or Φ hardware provider', {
  id: Id,
  name: Type.String(),
  domain: Domain,
  attestation: Type.String(),
  health: Type.String(),
});
export const Contract = entity('A domain resource contract', {
  id: Id,
  vhm: Id,
  tenant: Id,
  domain: Domain,
  provider: Id,
  status: Type.String(),
  consumed: Count,
});
export const Binding = entity('A domain binding and its lifecycle history', {
  id: Id,
  vhm: Id,
  contract: Id,
  domain: Domain,
  state: Type.String(),
});
export const Capability = entity('A capability in a VHM namespace', {
  id: Id,
  vhm: Id,
  parent: Type.Union([Id, Type.Null()]),
  rights: Type.Array(Type.String()),
  revoked: Type.Boolean(),
});
export const Generic = entity('A state record (see @xdv/core model/state.ts)', { id: Id });

export function page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

export const DryRunQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ description: 'preview the effect; commit nothing' })),
});

export const Cap = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'the capability this action uses',
});
export const Signature = Hex;
export { FullQuota, Hex };

type PropsOf<T extends CommandType> = CommandSchemas[T]['properties'];
type Flat<X> = { [K in keyof X]: X[K] };

/**
 * A route body as a projection of the core's own command schema: no `type`, without the fields the
 * path fills (`omit`), with `optional` fields the route defaults, and `with` fields replaced (a
 * partial quota, a signature in place of the verdict). Nothing is re-declared.
 */
export function bodyOf<
  T extends CommandType,
  const O extends keyof PropsOf<T> = never,
  const P extends keyof PropsOf<T> = never,
  R extends Record<string, TSchema> = Record<never, TSchema>,
>(
  type: T,
  spec: { omit?: readonly O[]; optional?: readonly P[]; with?: R; description?: string } = {},
): TObject<
  Flat<
    { [K in Exclude<keyof PropsOf<T>, 'type' | O | P | keyof R>]: PropsOf<T>[K] } & {
      [K in Exclude<P, keyof R>]: TOptional<Extract<PropsOf<T>[K], TSchema>>;
    } & R
  >
> {
  const props: Record<string, TSchema> = {};
  const omit = (spec.omit ?? []) as readonly string[];
  const optional = (spec.optional ?? []) as readonly string[];
  for (const [k, s] of Object.entries(COMMAND_SCHEMAS[type].properties as Record<string, TSchema>)) {
    if (k === 'type' || omit.includes(k)) continue;
    props[k] = optional.includes(k) ? Type.Optional(s) : s;
  }
  Object.assign(props, spec.with ?? {});
  return Type.Object(props, {
    additionalProperties: false,
    ...(spec.description ? { description: spec.description } : {}),
  }) as never;
}

/**
 * TypeBox's type provider for the request side only: `req.params`, `req.query` and `req.body` are
 * typed from the route's schemas (no casts); replies stay as loosely typed as the documented
 * state records they pass through (fully typed in @xdv/core), and are still serialised by schema.
 */
export interface RequestTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: unknown;
}
