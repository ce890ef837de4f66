import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { Rejection } from '../model/errors.js';
import { ActorSchema, COMMAND_SCHEMAS, type CommandType } from './schemas.js';

// One compiled validator per command type, built once at module load: the hot path is a lookup
// by type and one generated check, with the error list computed only for a command that fails.

type Validator = {
  Check(v: unknown): boolean;
  Errors(v: unknown): Array<{ instancePath: string; message: string }>;
};

const VALIDATORS = Object.fromEntries(
  Object.entries(COMMAND_SCHEMAS).map(([type, schema]) => [
    type,
    Compile(Type.Object({ ...schema.properties, actor: ActorSchema }, { additionalProperties: false })),
  ]),
) as unknown as Record<CommandType, Validator>;

/**
 * The structural error of a command (its shape against the schema of its type), or null. An unknown
 * type is not judged here: the dispatcher refuses it.
 */
export function commandShapeError(cmd: { type: unknown }): string | null {
  const type = cmd.type as CommandType;
  if (typeof type !== 'string' || !Object.hasOwn(VALIDATORS, type)) return null;
  const v = VALIDATORS[type];
  if (v.Check(cmd)) return null;
  // The trace records the command as canonical JSON, where a key holding `undefined` is absent; the
  // verdict and its message are taken on that form, so replaying the recorded command decides alike.
  const recorded: unknown = JSON.parse(JSON.stringify(cmd));
  if (v.Check(recorded)) return null;
  const first = v.Errors(recorded)[0];
  if (!first) return `${type} is malformed.`;
  const where = first.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : type;
  return `${where}: ${first.message}.`;
}

/** Refuse a command whose shape does not match its schema (HV_INVALID_COMMAND, a clean rejection). */
export function checkCommandShape(cmd: { type: unknown }): void {
  const message = commandShapeError(cmd);
  if (message !== null) throw new Rejection('HV_INVALID_COMMAND', message);
}
