import { isXdvProblem, type XdvProblem } from '@xdv/client';
import type { Io } from './io.js';

// Exit codes are the CLI's contract with scripts: 0 done, 1 refused by the hypervisor, 2 bad usage,
// 3 unreachable or not authenticated.
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in how the CLI was called: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The server could not be reached, or no credentials are configured: exit 3. */
export class Unreachable extends Error {
  override name = 'Unreachable';
}

/** A refusal already printed in full (a plan that would be refused): exit 1. */
export class Refused extends Error {
  override name = 'Refused';
}

/** The exit code of a problem the server answered. */
export function exitOf(p: XdvProblem): ExitCode {
  if (p.status === 401 || p.status >= 500 || p.code === 'HV_UNAUTHENTICATED') return EXIT.unreachable;
  // A malformed request is how the CLI was called (a value of the wrong type, a bad id).
  if (p.code === 'HV_BAD_REQUEST' || p.code === 'HV_ROUTE_NOT_FOUND' || p.code === 'HV_METHOD_NOT_ALLOWED')
    return EXIT.usage;
  return EXIT.refused;
}

/**
 * What would make a refused command succeed, from the problem's structured params (never from its
 * prose): the missing right and how to get it, what was requested against what is available.
 */
export function hints(code: string, params: Record<string, unknown>): string[] {
  const out: string[] = [];
  const p = params;
  if (typeof p.right === 'string')
    out.push(
      `missing right: ${p.right} — derive a capability that has it from one that does: xdv cap derive ${p.vhm ?? 'VHM'} --from CAP --rights ${p.right} (or use the VHM's root capability)`,
    );
  if (p.missing !== undefined)
    out.push(
      `missing rights: ${JSON.stringify(p.missing)} — a derived capability can only narrow its parent's rights`,
    );
  if (typeof p.requested === 'number' && typeof p.available === 'number')
    out.push(
      `requested ${p.requested}${typeof p.resource === 'string' ? ` ${p.resource}` : ''}, available ${p.available}${typeof p.id === 'string' ? ` (${p.id})` : typeof p.provider === 'string' ? ` (${p.provider})` : ''} — ask for at most ${p.available}${p.scope === 'tenant' || p.scope === 'parent' ? ', or raise the quota' : ''}`,
    );
  if (code === 'HV_LIFECYCLE_INVALID' && typeof p.state === 'string')
    out.push(
      `current state: ${p.state}${typeof p.expected === 'string' ? `; this needs ${p.expected}` : ''}`,
    );
  if (code === 'HV_NOT_FOUND') out.push('check the id with `xdv get` (ids of other tenants are not visible)');
  if (code === 'HV_FORBIDDEN')
    out.push('this needs another principal (an operator, or the tenant’s admin): `xdv context use`');
  return out;
}

/** Print an error the way every command does, and return its exit code. */
export function report(io: Io, e: unknown): ExitCode {
  if (isXdvProblem(e)) {
    io.err(`error: ${e.code}: ${e.detail}\n`);
    for (const h of hints(e.code, e.params)) io.err(`  hint: ${h}\n`);
    if (e.code === 'HV_UNAUTHENTICATED' || e.status === 401)
      io.err('  hint: log in with `xdv login URL`, or set XDV_TOKEN\n');
    return exitOf(e);
  }
  if (e instanceof UsageError) {
    io.err(`error: ${e.message}\n`);
    return EXIT.usage;
  }
  if (e instanceof Unreachable) {
    io.err(`error: ${e.message}\n`);
    return EXIT.unreachable;
  }
  if (e instanceof Refused) return EXIT.refused;
  throw e;
}
