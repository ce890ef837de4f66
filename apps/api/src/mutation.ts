import { createHash } from 'node:crypto';
import {
  type Actor,
  type CommandBody,
  type CommandType,
  canonicalJson,
  entryVisible,
  renderMessage,
  type State,
  type StepResult,
} from '@xdv/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TObject, type TSchema, Type } from 'typebox';
import type { Principal } from './auth.js';
import { ApiError, paramsProblem } from './errors.js';
import type { RouteDoc } from './openapi/codes.js';
import type { IdempotencyStore, LedgerPort } from './ports.js';
import { DryRunQuery, MutationResult, PreviewResult, Problem } from './schemas.js';
import { subjectOf } from './subject.js';
import type { Verifier } from './verifier.js';

// Every mutation is a command: authenticate, validate, translate, then let the core decide.
// Each supports ?dryRun=true and Idempotency-Key.

export interface Deps {
  ledger: LedgerPort;
  idempotency: IdempotencyStore;
  /** Verifies signed commands off the serving thread before admission (absent: admission verifies). */
  verifier?: Verifier;
}

export interface CommandRoute<P extends TSchema, B extends TSchema, C extends CommandType = CommandType> {
  /** The core command this route submits: the OpenAPI document declares the codes it can be refused with. */
  command: C;
  method: 'POST' | 'PUT';
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  body?: B;
  status?: 200 | 201;
  operationId: string;
  build(params: Static<P>, body: Static<B>, actor: Actor): Extract<CommandBody, { type: NoInfer<C> }>;
  /**
   * Ids the response names besides those the command created: a re-registered provider is
   * re-attested, not created, and its caller still learns its id.
   */
  named?(body: Static<B>, state: State): Record<string, string>;
  /** The object an If-Match header is compared against (default: the subject its path names). */
  etag?(params: Static<P>, deps: Deps): unknown;
}

// ETags of objects in the state, by object: valid while the state's seq has not moved (every
// command moves it, and only commands change an object), so a read-heavy resource is hashed once.
// A read also keeps the body it serialised beside the tag (see `sendOne`).
const tags = new WeakMap<object, Representation>();

/** What a read of one object at one seq computed: its ETag and, once sent, its serialised body. */
export interface Representation {
  readonly seq: number;
  readonly tag: string;
  body?: string;
}

function hashTag(obj: unknown): string {
  return `"${createHash('sha256')
    .update(canonicalJson(obj ?? null))
    .digest('hex')
    .slice(0, 32)}"`;
}

/** The ETag of an object of the state at `seq` and its cached body, computed once per seq. */
export function representationOf(obj: object, seq: number): Representation {
  const hit = tags.get(obj);
  if (hit && hit.seq === seq) return hit;
  const r: Representation = { seq, tag: hashTag(obj) };
  tags.set(obj, r);
  return r;
}

/** A strong validator: SHA-256 of the object's canonical JSON; `seq` is the state it was read from. */
export function etagOf(obj: unknown, seq?: number): string {
  if (seq !== undefined && typeof obj === 'object' && obj !== null) return representationOf(obj, seq).tag;
  return hashTag(obj);
}

const responses = {
  200: MutationResult,
  201: MutationResult,
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  412: Problem,
  422: Problem,
  503: Problem,
};

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal)
    throw new ApiError('HV_UNAUTHENTICATED', 'Send an API token: Authorization: Bearer <token>.');
  return req.principal;
}

type NoFields = TObject<Record<never, TSchema>>;

export function registerCommand<
  P extends TSchema = NoFields,
  B extends TSchema = NoFields,
  C extends CommandType = CommandType,
>(app: FastifyInstance, deps: Deps, route: CommandRoute<P, B, C>): void {
  const ok = route.status ?? 200;
  app.route({
    method: route.method,
    url: route.url,
    config: { command: route.command, etag: route.etag !== undefined } satisfies RouteDoc,
    schema: {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      operationId: route.operationId,
      tags: route.tags,
      ...(route.params ? { params: route.params } : {}),
      ...(route.body ? { body: route.body } : {}),
      querystring: DryRunQuery,
      headers: {
        type: 'object',
        properties: {
          'idempotency-key': {
            type: 'string',
            maxLength: 200,
            description: 'retries with the same key return the first response',
          },
          'if-match': { type: 'string', maxLength: 200 },
        },
      },
      security: [{ bearer: [] }],
      response: {
        ...responses,
        200: Type.Union([MutationResult, PreviewResult]),
        ...(ok === 201 ? { 201: MutationResult } : {}),
      },
    },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const p = principalOf(req);
      // Fastify validated params and body against these very schemas before the handler runs.
      const params = req.params as Static<P>;
      const reqBody = (req.body ?? {}) as Static<B>;
      const body = route.build(params, reqBody, p.actor);
      const cmd = { ...body, actor: p.actor } as Parameters<LedgerPort['submit']>[0];
      // The subject's ETag as this request sees it: a preview reports it, a commit with If-Match
      // goes ahead only while it is unchanged. A subject the caller cannot see (a foreign id) is
      // not compared, so it answers like a nonexistent one: with the core's own refusal. Only a
      // preview or an If-Match needs it: every command moves seq, so it is hashed afresh each time.
      const ifMatch = req.headers['if-match'];
      const dry = (req.query as { dryRun?: boolean }).dryRun === true;
      let etag: string | null = null;
      if (dry || typeof ifMatch === 'string') {
        const named = subjectOf(params, deps.ledger.state, p.actor);
        const subject =
          p.actor.kind === 'tenant' && named === undefined
            ? undefined
            : route.etag
              ? route.etag(params, deps)
              : named;
        etag = subject === undefined ? null : etagOf(subject, deps.ledger.state.seq);
      }
      if (typeof ifMatch === 'string' && etag !== null) {
        if (
          ifMatch !== '*' &&
          ifMatch
            .split(',')
            .map((x) => x.trim().replace(/^W\//, ''))
            .indexOf(etag) < 0
        )
          throw new ApiError(
            'HV_PRECONDITION_FAILED',
            `The resource changed (ETag is now ${etag}); fetch it again and retry.`,
          );
      }
      if (dry) {
        const pv = deps.ledger.preview(cmd);
        return reply.code(200).send({
          dryRun: true,
          wouldBe: pv.error ? 'rejected' : 'accepted',
          etag,
          // The same data a committed rejection records, plus the text rendered for a person.
          error: pv.error ? { ...pv.error, detail: renderMessage(pv.error.code, pv.error.params) } : null,
          entries: pv.entries.filter((e) => entryVisible(e, p.actor)),
          capacity: pv.capacity,
          budgets: pv.budgets,
          quota: pv.quota,
          invariants: pv.invariants,
        });
      }
      const key = req.headers['idempotency-key'];
      // Only a request with a key needs its hash (canonicalising a signed report's body costs ~30 µs).
      const requestHash =
        typeof key === 'string'
          ? createHash('sha256')
              .update(`${req.method} ${req.url.split('?')[0]} ${canonicalJson(req.body ?? null)}`)
              .digest('hex')
          : '';
      if (deps.ledger.broken)
        throw new ApiError(
          'HV_TRACE_BROKEN',
          renderMessage('HV_TRACE_BROKEN', { seq: deps.ledger.broken.seq }),
          { params: { seq: deps.ledger.broken.seq } },
        );
      // A signed command's signature is verified on a worker; admission records that verdict.
      await deps.verifier?.admit(deps.ledger.state, cmd);
      // The answer is computed from the step result before the batch commits, so a keyed
      // command's answer is stored in the same transaction as the command itself. `named` reads
      // the state the command produced: the live one for a keyed command, else the committed one,
      // which holds the command by the time `submit` resolves.
      const respond = (
        result: StepResult,
        state: State = deps.ledger.state,
      ): { status: number; body: string } => {
        const head = result.entries[0]!;
        if (result.error) {
          const pr = paramsProblem(result.error.code, result.error.params, req.url.split('?')[0], {
            seq: head.seq,
            l: head.l,
          });
          return { status: pr.status, body: JSON.stringify(pr) };
        }
        return {
          status: ok,
          body: JSON.stringify({
            outcome: 'accepted',
            seq: head.seq,
            l: head.l,
            created: route.named ? { ...route.named(reqBody, state), ...result.created } : result.created,
            entries: result.entries.filter((e) => entryVisible(e, p.actor)),
          }),
        };
      };
      const answer =
        typeof key === 'string'
          ? await deps.ledger.submitOnce(cmd, { principal: p.token.id, key, requestHash, respond })
          : { ...respond(await deps.ledger.submit(cmd)), replayed: false };
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply
        .code(answer.status)
        .type(answer.status >= 400 ? 'application/problem+json' : 'application/json')
        .send(answer.body);
    },
  });
}
