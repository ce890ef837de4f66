import { expect } from 'vitest';
import {
  type Actor,
  type CommandBody,
  type ErrorCode,
  type ErrorParams,
  renderMessage,
} from '../src/index.js';
import type { World } from './world.js';

/** Every rejection the suite asserted, with the params the core produced (for the template test). */
export const SEEN_REJECTIONS: Array<{ code: ErrorCode; params: ErrorParams }> = [];

/**
 * Assert a deterministic rejection: the code, a recorded entry of data only (actor, code, command,
 * params: no rendered text), and no change to the domain state. Returns the params.
 */
export function rejects(w: World, actor: Actor, body: CommandBody, code: ErrorCode): ErrorParams {
  const before = w.domainHash();
  const seq = w.state.seq;
  const r = w.as(actor, body);
  expect(r.error?.code, JSON.stringify(r.error)).toBe(code);
  expect(r.entries).toHaveLength(1);
  const e = r.entries[0]!;
  expect(e.outcome).toBe('rejected');
  expect(e.payload.code).toBe(code);
  expect(Object.keys(e.payload)).toEqual(['actor', 'code', 'command', 'params']);
  expect(e.payload.params).toEqual(r.error!.params);
  expect(e.seq).toBe(seq + 1);
  expect(w.domainHash()).toBe(before);
  expect(w.violations()).toEqual([]);
  SEEN_REJECTIONS.push({ code, params: r.error!.params });
  return r.error!.params;
}

/** The message a person reads for a step's error. */
export function messageOf(r: { error: { code: string; params: ErrorParams } | null }): string {
  return r.error ? renderMessage(r.error.code, r.error.params) : '';
}
