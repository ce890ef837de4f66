import { expect } from 'vitest';
import type { Actor, CommandBody, ErrorCode } from '../src/index.js';
import type { World } from './world.js';

/** Assert a deterministic rejection: the code, a recorded entry, and no change to the domain state. */
export function rejects(w: World, actor: Actor, body: CommandBody, code: ErrorCode): string {
  const before = w.domainHash();
  const seq = w.state.seq;
  const r = w.as(actor, body);
  expect(r.error?.code, r.error?.message).toBe(code);
  expect(r.entries).toHaveLength(1);
  expect(r.entries[0]!.outcome).toBe('rejected');
  expect(r.entries[0]!.payload.code).toBe(code);
  expect(r.entries[0]!.seq).toBe(seq + 1);
  expect(w.domainHash()).toBe(before);
  expect(w.violations()).toEqual([]);
  return r.error!.message;
}
