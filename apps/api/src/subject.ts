import type { Actor, State } from '@xdv/core';

// The object a command acts on, for If-Match: the ETag a preview reports and a commit compares.

/**
 * The subject named by a command's path parameters: a binding (with its contract, whose budget a
 * job consumes), a contract, or a VHM. Undefined when the path names none of these, or when the
 * object is not the caller's (a foreign id must answer exactly like a nonexistent one, so it is
 * left to the core's own refusal instead of being compared).
 */
export function subjectOf(params: unknown, state: State, actor: Actor): unknown {
  const p = (params ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  let vhm: string | undefined;
  let value: unknown;
  const b = str('binding');
  const c = str('contract');
  const v = str('vhm');
  if (b !== undefined) {
    const binding = state.bindings[b];
    if (!binding) return undefined;
    vhm = binding.vhm;
    value = { binding, contract: state.contracts[binding.contract] ?? null };
  } else if (c !== undefined) {
    const contract = state.contracts[c];
    if (!contract) return undefined;
    vhm = contract.vhm;
    value = contract;
  } else if (v !== undefined) {
    const x = state.vhms[v];
    if (!x) return undefined;
    vhm = x.id;
    value = x;
  } else return undefined;
  if (actor.kind === 'tenant' && state.vhms[vhm]?.tenant !== actor.tenant) return undefined;
  return value;
}
