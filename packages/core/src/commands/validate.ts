import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { type ErrorParams, Rejection } from '../model/errors.js';
import type { Json } from '../trace/canonical.js';
import { ActorSchema, COMMAND_SCHEMAS, type CommandType } from './schemas.js';

// One compiled validator per command type, built once at module load: the hot path is a lookup
// by type and one generated check, with the error list computed only for a command that fails.

type Validator = {
  Check(v: unknown): boolean;
  Errors(v: unknown): Array<{
    instancePath: string;
    keyword: string;
    message: string;
    params: Record<string, unknown>;
  }>;
};

const VALIDATORS = Object.fromEntries(
  Object.entries(COMMAND_SCHEMAS).map(([type, schema]) => [
    type,
    Compile(Type.Object({ ...schema.properties, actor: ActorSchema }, { additionalProperties: false })),
  ]),
) as unknown as Record<CommandType, Validator>;

/**
 * The structural error of a command (its shape against the schema of its type), as rejection
 * params, or null. Data only, never the validator's prose: the field (a dotted path, or the command
 * type when the object itself is wrong) and the JSON Schema keyword it broke, both stable across
 * validator releases. An unknown type is not judged here: the dispatcher refuses it.
 */
export function commandShapeError(cmd: { type: unknown }): ErrorParams | null {
  const type = cmd.type as CommandType;
  if (typeof type !== 'string' || !Object.hasOwn(VALIDATORS, type)) return null;
  const v = VALIDATORS[type];
  if (v.Check(cmd)) return null;
  // The trace records the command as canonical JSON, where a key holding `undefined` is absent; the
  // verdict is taken on that form, so replaying the recorded command decides alike.
  const recorded: unknown = JSON.parse(JSON.stringify(cmd));
  if (v.Check(recorded)) return null;
  const first = v.Errors(recorded)[0];
  const field = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : type;
  const keyword = first?.keyword ?? 'schema';
  // The schema's own data, when it says what would have been right: a bound, a type, the fields
  // that are missing. Keys in canonical order.
  const p = first?.params ?? {};
  const out: Record<string, Json> = { field, keyword };
  if (typeof p.limit === 'number') out.limit = p.limit;
  out.reason = 'schema';
  if (Array.isArray(p.requiredProperties))
    out.required = p.requiredProperties.filter((x) => typeof x === 'string');
  if (typeof p.type === 'string') out.schemaType = p.type;
  out.type = type;
  return out;
}

/** Refuse a command whose shape does not match its schema (HV_INVALID_COMMAND, a clean rejection). */
export function checkCommandShape(cmd: { type: unknown }): void {
  const params = commandShapeError(cmd);
  if (params !== null) throw new Rejection('HV_INVALID_COMMAND', params);
}
