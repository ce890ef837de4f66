import { type ErrorCode, type ErrorParams, type FaultReason, isErrorCode } from '../model/errors.js';
import { RIGHTS } from '../model/state.js';
import type { Json } from '../trace/canonical.js';

// The text a person reads for an error: one template per code, a function of the error's params
// (it may branch on their `reason` token). Used only at the edge (the API's problem+json `detail`,
// the console), never by `step`: the trace records the code and params, so rewording a template
// changes no hash. Each template says what happened and, where there is one, what to do next.

export type MessageTemplate = (params: ErrorParams) => string;
/** One template per declared code: the compiler refuses a table that misses one. */
export type MessageTemplates = { readonly [C in ErrorCode]: MessageTemplate };

/** A param as text: lists joined by commas, a missing one as `undefined` (a test catches that). */
function s(v: Json | undefined): string {
  if (Array.isArray(v)) return v.map(s).join(', ');
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** `a`, `a or b`, `a, b or c`. */
function or(v: Json | undefined): string {
  if (!Array.isArray(v)) return s(v);
  const items = v.map(s);
  return items.length <= 1 ? s(items[0]) : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** `[start, end)` from a two-element list. */
function range(v: Json | undefined): string {
  return Array.isArray(v) ? `[${s(v[0])}, ${s(v[1])})` : s(v);
}

function dom(v: Json | undefined): string {
  return v === 'PHI' ? 'Φ' : s(v);
}

const KIND: Record<string, string> = {
  binding: 'Binding',
  capability: 'Capability',
  contract: 'Contract',
  envelope: 'Envelope',
  ipc: 'IPC contract',
  live_envelope: 'Live Φ envelope',
  process: 'Process',
  provider: 'Provider',
  q_contract: 'Q contract',
  tenant: 'Tenant',
  valid_capability: 'Valid capability',
  vhm: 'VHM',
};

const kind = (v: Json | undefined): string => (typeof v === 'string' ? (KIND[v] ?? v) : 'Resource');

const ACTIONS: Record<string, string> = {
  advance_clock: 'advance the logical clock',
  change_tenant_quotas: 'change tenant quotas',
  create_tenants: 'create tenants',
  drive_scheduler: 'drive the scheduler',
  inject_faults: 'inject faults',
  revoke_contracts: 'revoke contracts',
  start_trace: 'start a trace',
  trust_firmware: 'trust a firmware measurement',
};

const UNITS: Record<string, string> = {
  cpu: 'CPU slices',
  envelopes: 'envelopes',
  memory: 'bytes of memory',
  qubits: 'qubits',
  vhms: 'VHMs',
};
const unit = (v: Json | undefined): string => (typeof v === 'string' ? (UNITS[v] ?? v) : s(v));

const CONTRACT_SHAPE: Record<string, string> = {
  K: 'A K contract needs k: { base, size, cpu, irqs }.',
  PHI: 'A Φ contract needs phi: { start, duration, tolerance }.',
  Q: 'A Q contract needs q: { qubits, budget, calibration }.',
};

const DECLARES: Record<string, string> = { K: 'memory and cpu', PHI: 'envelopes', Q: 'qubits' };

function invalidCommand(p: ErrorParams): string {
  const f = s(p.field);
  switch (p.reason) {
    case 'schema':
      if (typeof p.field === 'string' && /^rights\.\d+$/.test(p.field) && p.keyword === 'enum')
        return `${f} is not a known right; the rights are ${RIGHTS.join(', ')}.`;
      switch (p.keyword) {
        case 'minimum':
          return `${f} must be at least ${s(p.limit)}.`;
        case 'maximum':
          return `${f} must be at most ${s(p.limit)}.`;
        case 'maxLength':
          return `${f} must be at most ${s(p.limit)} characters.`;
        case 'minLength':
          return `${f} must be at least ${s(p.limit)} characters.`;
        case 'maxItems':
          return `${f} must be a list of at most ${s(p.limit)}.`;
        case 'minItems':
          return `${f} must be a list of at least ${s(p.limit)}.`;
        case 'type':
          return `${f} must be ${p.schemaType === 'integer' ? 'an integer' : `of type ${s(p.schemaType)}`}.`;
        case 'required':
          return `The ${s(p.type)} command needs ${s(p.required)}${p.field === p.type ? '' : ` in ${f}`}.`;
        case 'boolean':
          return `${f} is not a field of the ${s(p.type)} command; remove it.`;
      }
      return p.field === p.type
        ? `The ${s(p.type)} command is malformed (${s(p.keyword)}: a field is missing or not allowed); check it against the OpenAPI document.`
        : `${f} does not match the ${s(p.type)} command's schema (${s(p.keyword)}); check it against the OpenAPI document.`;
    case 'unresolved_ref':
      return `${f} refers to ${p.ref === null ? 'something that is not a "<step>.<kind>" reference' : `"${s(p.ref)}"`}, which no earlier accepted step of the plan created; refer only to an earlier step's created ids (e.g. "0.vhm").`;
    case 'integer_range':
      return `${f} must be an integer between ${s(p.min)} and ${s(p.max)}.`;
    case 'minimum':
      return `${f} must be at least ${s(p.min)}.`;
    case 'basis_points':
      return `${f} is in basis points (${s(p.min)}–${s(p.max)}).`;
    case 'non_empty_string':
      return `${f} must be a non-empty string of at most ${s(p.max)} characters.`;
    case 'object':
      return `${f} must be an object.`;
    case 'one_of':
      return `${f} must be one of ${s(p.allowed)}.`;
    case 'non_empty_list':
      return `${f} must be a non-empty list.`;
    case 'non_empty_subset':
      return `${f} must be a non-empty list of ${or(p.allowed)}.`;
    case 'unknown_right':
      return `${f} is not a known right; the rights are ${RIGHTS.join(', ')}.`;
    case 'list_max':
      return `${f} must be a list of at most ${s(p.max)}.`;
    case 'hex':
      return `${f} must be lowercase hex.`;
    case 'hex_digits':
      return `${f} must be ${s(p.min)}–${s(p.max)} lowercase hex digits.`;
    case 'name_format':
      return `${f} must be lowercase letters, digits and dashes, starting with a letter or digit.`;
    case 'parent_tenant':
      return 'A nested VHM belongs to its parent’s tenant; leave tenant out or name the parent’s.';
    case 'required':
      if (p.field === 'contract') return `A ${dom(p.domain)} unit needs its contract.`;
      return (typeof p.domain === 'string' && CONTRACT_SHAPE[p.domain]) || `${f} is required.`;
    case 'domain_capacity':
      return `A ${dom(p.domain)} provider declares only ${typeof p.domain === 'string' ? DECLARES[p.domain] : s(p.domain)}.`;
    case 'after_field':
      return `${f} must be after ${s(p.after)}.`;
    case 'after_current_l':
      return `${f} must be after the current L (${s(p.l)}).`;
    case 'unknown_command':
      return typeof p.type === 'string'
        ? `Unknown command type ${p.type}.`
        : 'The command has no type; name one of the documented command types.';
    default:
      return `${f} is invalid (${s(p.reason)}).`;
  }
}

function lifecycle(p: ErrorParams): string {
  const id = s(p.id);
  switch (p.reason) {
    case 'genesis_exists':
      return 'The trace already has a genesis entry.';
    case 'namespace_closed':
      return `${id} is ${s(p.state)}; its capability namespace is closed.`;
    case 'parent_inactive':
      return `Parent ${id} is ${s(p.state)}; a nested VHM runs only inside an active parent.`;
    case 'ended':
      return `${id} is ${s(p.state)}; it can no longer change.`;
    case 'already':
      if (p.kind === 'process') return `Process ${id} has already exited.`;
      return `${id} is already ${s(p.state)}.`;
  }
  if (typeof p.action === 'string')
    return `${id} is ${s(p.state)}; ${p.action.slice(p.action.indexOf('.') + 1)} needs it to be ${or(p.needed)}.`;
  return `${kind(p.kind)} ${id} is ${s(p.state)}; it must be ${or(p.needed)} for this action.`;
}

function hardware(domain: string): MessageTemplate {
  return (p) => {
    const who = typeof p.provider === 'string' ? p.provider : `The ${domain} hardware`;
    switch (p.stage) {
      case 'job':
        return `${who} reported a hardware failure; the job was not executed.`;
      case 'contract':
        return `${who} reported a hardware failure; choose another provider.`;
      default:
        return `${who} reported a hardware failure; new bindings on it are refused until it re-attests.`;
    }
  };
}

export const MESSAGES: MessageTemplates = {
  // ---- rejections (recorded in the trace as code + params)
  HV_INVALID_COMMAND: invalidCommand,
  HV_FORBIDDEN: (p) => {
    switch (p.reason) {
      case 'operator_only':
        return `Only an operator may ${typeof p.action === 'string' ? (ACTIONS[p.action] ?? p.action) : s(p.action)}.`;
      case 'viewer_read_only':
        return 'A tenant viewer token cannot change anything; use a tenant admin token.';
      case 'provider_only':
        return `Only provider ${s(p.provider)} itself or an operator may do this.`;
      default:
        return 'This principal may not do this.';
    }
  },
  HV_NOT_FOUND: (p) => {
    if (p.kind === 'resource' || p.id === undefined) return 'No such resource.';
    if (p.id === null) return `The command names no ${kind(p.kind).toLowerCase()}; give its id.`;
    if (p.host !== undefined) return `${kind(p.kind)} ${s(p.id)} is not hosted on ${s(p.host)}.`;
    if (p.vhm !== undefined) return `${kind(p.kind)} ${s(p.id)} does not exist in ${s(p.vhm)}.`;
    return `${kind(p.kind)} ${s(p.id)} does not exist.`;
  },
  HV_LIFECYCLE_INVALID: lifecycle,
  HV_DEPTH_EXCEEDED: (p) =>
    `Nesting is limited to depth ${s(p.max)}; ${s(p.parent)} is at depth ${s(p.depth)}.`,
  HV_QUOTA_EXCEEDED: (p) => {
    const r = s(p.resource);
    switch (p.scope) {
      case 'parent':
        return `Parent ${s(p.id)} has too little free ${r} to carve this nested VHM (${s(p.requested)} requested, ${s(p.available)} free).`;
      case 'tenant':
        return `Tenant ${s(p.id)} has no ${r} quota left for this VHM (${s(p.requested)} requested, ${s(p.available)} left).`;
      case 'tenant_quota':
        return `Tenant ${s(p.id)} already holds ${s(p.held)} ${r}, more than the new quota of ${s(p.quota)}; release VHMs first.`;
      default:
        return `${s(p.id)} has no ${r} quota left for this contract (${s(p.requested)} requested, ${s(p.available)} left).`;
    }
  },
  HV_CAPACITY_EXCEEDED: (p) => {
    switch (p.reason) {
      case 'range_outside':
        return p.contract !== undefined
          ? `${s(p.contract)}'s range ${range(p.range)} does not fit in ${s(p.provider)}'s ${s(p.limit)} bytes.`
          : `Range ${range(p.range)} lies outside ${s(p.provider)}'s ${s(p.limit)} bytes.`;
      case 'no_contiguous_range':
        return `${s(p.provider)} has no free range of ${s(p.requested)} bytes; ask for less, or another host.`;
      case 'below_allocated':
        return `New ${s(p.resource)} capacity ${s(p.requested)} is below the ${s(p.allocated)} already allocated on ${s(p.provider)}.`;
      default:
        return `${s(p.provider)} has ${s(p.available)} ${unit(p.resource)} free; ${s(p.requested)} requested.`;
    }
  },
  HV_CAP_INVALID: (p) => `Capability ${s(p.capability)} does not exist in ${s(p.vhm)}.`,
  HV_CAP_REVOKED: (p) =>
    p.reason === 'already'
      ? `Capability ${s(p.capability)} is already revoked.`
      : `Capability ${s(p.capability)} was revoked; use or derive a valid one.`,
  HV_CAP_FOREIGN: (p) =>
    p.reason === 'parent_root'
      ? `Capability ${s(p.capability)} belongs to parent ${s(p.parent)}; nested ${s(p.vhm)} has its own capability root, so use one of its capabilities.`
      : `Capability ${s(p.capability)} is not in ${s(p.vhm)}'s namespace.`,
  HV_CAP_RIGHTS: (p) =>
    `Capability ${s(p.capability)} lacks the ${s(p.right)} right; derive or issue one in ${s(p.vhm)} that has it.`,
  HV_CAP_ESCALATION: (p) =>
    `A derived capability cannot add rights: ${s(p.capability)} lacks ${s(p.missing)}.`,
  HV_CONTRACT_FOREIGN: (p) =>
    `Contract ${s(p.contract)} belongs to ${s(p.owner)}, not ${s(p.vhm)}; contracts are VHM-scoped.`,
  HV_CONTRACT_INVALID: (p) =>
    p.reason === 'activate_first'
      ? `${s(p.contract)} is ${s(p.state)}; activate the contract before the binding.`
      : `${s(p.contract)} is ${s(p.state)}; it must be ${or(p.needed)}.`,
  HV_DOMAIN_MISMATCH: (p) => {
    if (p.reason === 'calibration')
      return `Calibration contracts are issued by Q providers only; ${s(p.provider)} is a ${dom(p.found)} provider.`;
    if (p.binding !== undefined)
      return `${s(p.binding)} binds a ${dom(p.found)} contract, not ${dom(p.needed)}.`;
    if (p.contract !== undefined)
      return `${s(p.contract)} is a ${dom(p.found)} contract, not ${dom(p.needed)}.`;
    return `${s(p.provider)} is a ${dom(p.found)} provider, not ${dom(p.needed)}.`;
  },
  HV_MEMORY_OVERLAP: (p) => {
    if (p.reason === 'moving_ranges') return `Two of the moving ranges overlap (${s(p.contracts)}).`;
    if (p.reason === 'unavailable')
      return `Range ${range(p.range)} on ${s(p.provider)} is unavailable to you; choose another base.`;
    if (p.contract !== undefined)
      return `${s(p.contract)}'s range ${range(p.range)} overlaps ${range(p.clash)} on ${s(p.provider)}.`;
    return `Range ${range(p.range)} overlaps ${range(p.clash)} already held on ${s(p.provider)}.`;
  },
  HV_IRQ_CONFLICT: (p) => `Interrupt vector ${s(p.irq)} on ${s(p.provider)} is already routed.`,
  HV_WINDOW_OVERLAP: (p) =>
    p.reason === 'unavailable'
      ? `The coherence window ${range(p.window)} on ${s(p.provider)} is unavailable to you; choose another window or provider.`
      : `The window overlaps ${s(p.contract)}'s ${range(p.window)} on ${s(p.provider)}; open an IPC contract with PHI_SHARE between the two VHMs to share it.`,
  HV_PROVIDER_UNATTESTED: (p) => {
    switch (p.reason) {
      case 'migration_target':
        return `${s(p.provider)} is not an attested, healthy host (attestation ${s(p.attestation)}, health ${s(p.health)}).`;
      case 'binding':
        return `${s(p.provider)} is not attested; binding refused.`;
      default:
        return `Provider ${s(p.provider)} is not attested.`;
    }
  },
  HV_SIGNATURE_INVALID: (p) =>
    `The ML-DSA-65 signature on this ${s(p.subject)} does not verify; nothing was recorded.`,
  HV_ATTESTATION_MISMATCH: (p) =>
    p.reason === 'domain'
      ? `Provider ${s(p.provider)} is registered for domain ${s(p.domain)}.`
      : `Provider ${s(p.provider)} is registered with a different identity key.`,
  HV_FIRMWARE_UNTRUSTED: (p) =>
    `Firmware measurement ${s(p.measurement).slice(0, 16)}… is not on the trusted list; an operator must trust it first.`,
  HV_NO_CLONE: (p) =>
    p.domain === 'PHI'
      ? 'Φ envelope internals cannot be snapshotted (XDV-033). Snapshot K only.'
      : 'Q container state cannot be snapshotted: that would clone it (XDV-032). Snapshot K only.',
  HV_MIGRATION_UNSUPPORTED: (p) => {
    const phi = p.domain === 'PHI';
    switch (p.reason) {
      case 'transfer_contract_missing':
        return `Live ${phi ? 'Φ' : 'Q'} migration needs a transfer contract naming ${s(p.contract)}.`;
      case 'k_always_moves':
        return `${s(p.contract)} is a K contract; K contracts always move, so do not name it in transferContracts.`;
      case 'not_bound':
        return `${s(p.contract)} has no active binding, so there is no live state to transfer; drop it from transferContracts.`;
      case 'policy_reinit':
        return `${s(p.contract)} is named for live transfer but ${s(p.policy)} is reinit; set ${s(p.policy)} to live or drop ${s(p.contract)}.`;
      case 'stability_unproven':
        return `${s(p.envelope)}'s stability ${p.stability === null ? 'has not been reported yet' : `is ${s(p.stability)} bp`}, below its tolerance of ${s(p.tolerance)} bp, so a live move cannot guarantee it; migrate with phiPolicy reinit.`;
      default:
        return phi
          ? `${s(p.provider)} cannot move Φ envelopes live; migrate with phiPolicy reinit.`
          : `${s(p.provider)} cannot transfer Q state coherently; migrate with qPolicy reinit.`;
    }
  },
  HV_IPC_INVALID: (p) => `An IPC contract joins two different VHMs; both sides are ${s(p.vhm)}.`,
  HV_SCHED_QUOTA: (p) => `${s(p.vhm)} already has ${s(p.queued)} units queued (quota ${s(p.max)}).`,
  HV_CONFLICT: (p) => {
    switch (p.reason) {
      case 'firmware_trusted':
        return 'That measurement is already trusted.';
      case 'tenant_name_taken':
        return `A tenant named ${s(p.name)} already exists.`;
      case 'nested_name_taken':
        return `${s(p.parent)} already has a nested VHM named ${s(p.name)}.`;
      case 'contract_bound':
        return `${s(p.contract)} is already bound by ${s(p.binding)}; a contract has one binding.`;
      case 'report_replayed':
        return `Report ${s(p.seq)} is not newer than report ${s(p.last)} from ${s(p.provider)}: replayed reports are refused.`;
      default:
        return 'The request conflicts with the current state; fetch it again and retry.';
    }
  },
  Q_ERR_RESOURCE_UNAVAILABLE: (p) =>
    `${s(p.provider)} has ${s(p.available)} qubits free; ${s(p.requested)} requested.`,
  Q_ERR_CALIBRATION_INVALID: (p) =>
    p.reason === 'not_of_provider'
      ? `Calibration ${s(p.calibration)} is not a calibration contract of ${s(p.provider)}.`
      : `Calibration ${s(p.calibration)} is valid over [${s(p.from)}, ${s(p.until)}); L is ${s(p.l)}.${p.stage === 'job' ? ' The job was not executed.' : ''}`,
  Q_ERR_DECOHERENCE_EXCEEDED: (p) =>
    `Job cost ${s(p.cost)} exceeds the remaining budget ${s(p.remaining)}; contract ${s(p.contract)} is invalidated.`,
  Q_ERR_GATE_UNSUPPORTED: (p) => `${s(p.provider)} does not support ${s(p.operations)}.`,
  Q_ERR_HARDWARE_FAILURE: hardware('Q'),
  Q_ERR_MEASUREMENT_FAILURE: () => 'The Q hardware reported a measurement failure.',
  PHI_ERR_COHERENCE_TIMEOUT: (p) =>
    p.reason === 'window_closed'
      ? `The window [${s(p.start)}, ${s(p.end)}) has already closed at L ${s(p.l)}.`
      : `L ${s(p.l)} is outside the coherence window [${s(p.start)}, ${s(p.end)}); envelope ${s(p.envelope)} is invalidated.`,
  PHI_ERR_ENVELOPE_INVALID: () => 'The Φ envelope is invalid.',
  PHI_ERR_STABILITY_BREACH: () => 'The Φ envelope’s stability went beyond its tolerance.',
  PHI_ERR_TRANSFORM_UNSUPPORTED: (p) => `${s(p.provider)} does not support the ${s(p.transform)} transform.`,
  PHI_ERR_HARDWARE_FAILURE: hardware('Φ'),
  // ---- the API's own (the API may pass a more specific detail)
  HV_UNAUTHENTICATED: () => 'Send an API token: Authorization: Bearer <token>.',
  HV_BAD_REQUEST: () => 'The request is malformed; check it against the OpenAPI document (/openapi.json).',
  HV_NOT_ACCEPTABLE: () => 'This resource does not serve the media type asked for in Accept.',
  HV_METHOD_NOT_ALLOWED: () => 'This route does not accept that method.',
  HV_ROUTE_NOT_FOUND: () => 'No such route; the OpenAPI document (/openapi.json) lists them.',
  HV_PAYLOAD_TOO_LARGE: () => 'The request body is larger than the limit.',
  HV_URI_TOO_LONG: () => 'The URL is too long.',
  HV_UNSUPPORTED_MEDIA_TYPE: () => 'Send application/json.',
  HV_RATE_LIMITED: () => 'Too many requests for this token; slow down and retry after the Retry-After delay.',
  HV_PRECONDITION_FAILED: (p) =>
    typeof p.etag === 'string'
      ? `The resource changed (ETag is now ${p.etag}); fetch it again and retry.`
      : 'The resource changed; fetch it again and retry.',
  HV_IDEMPOTENCY_MISMATCH: () => 'This Idempotency-Key was used with a different request; use a new key.',
  HV_UNAVAILABLE: () => 'The service is not ready yet; retry shortly.',
  HV_INTERNAL: () => 'Internal error; the request id in the logs identifies it.',
  // ---- the trace store's
  HV_TRACE_BROKEN: (p) =>
    typeof p.seq === 'number'
      ? `The trace is broken at seq ${p.seq}; writes are refused until an operator restores it.`
      : 'The trace is broken; writes are refused until an operator restores it.',
  HV_LEDGER_CLOSED: () => 'The server is shutting down; nothing was applied. Retry in a moment.',
  HV_DB_FLUSH_FAILED: () => 'The trace store could not commit; nothing was applied. Retry.',
  HV_CONFLICT_RETRIES: () => 'Too many concurrent writers; the command was not applied. Retry.',
  HV_IDEMPOTENCY_LOST: () => 'The idempotency record could not be stored; retry with the same key.',
  HV_DB_CONFIG: () => 'The database is misconfigured; the server log says how.',
  HV_PROTOCOL_MISMATCH: (p) =>
    p.found === null || p.found === undefined
      ? `The database's trace has no genesis entry, so its protocol is unknown; this server writes protocol ${s(p.expected)}. Point it at its own store.`
      : `The database holds a trace written with protocol ${s(p.found)}; this server reads and writes protocol ${s(p.expected)}. Start it with a new store, or run the release that wrote protocol ${s(p.found)} to read the old trace.`,
};

/**
 * The text for an error, from its code and params. `templates` swaps the wording (a test rewords
 * every template to show no hash depends on it); an unknown code renders as the code itself.
 */
export function renderMessage(
  code: string,
  params: ErrorParams = {},
  templates: MessageTemplates = MESSAGES,
): string {
  return isErrorCode(code) ? templates[code](params) : code;
}

/** One template per fault reason: the compiler refuses a table that misses one. */
export type FaultTemplates = { readonly [R in FaultReason]: MessageTemplate };

export const FAULT_MESSAGES: FaultTemplates = {
  decoherence_exceeded: (p) =>
    `Job cost ${s(p.cost)} exceeded the remaining decoherence budget ${s(p.remaining)} of ${s(p.contract)}; the contract is revoked.`,
  outside_window: (p) =>
    `Transform at L ${s(p.l)} was outside the window [${s(p.start)}, ${s(p.end)}) of ${s(p.envelope)}; the envelope is invalidated.`,
  stability_breach: (p) =>
    `Stability ${s(p.stability)} bp fell below the tolerance ${s(p.tolerance)} bp of ${s(p.contract)}.`,
  provider_report: (p) => `${s(p.provider)} reported ${s(p.code)}: ${s(p.report)}`,
  hardware_failure: (p) =>
    `${s(p.provider)} reported a hardware failure: new bindings on it are refused until it re-attests.`,
  operator_revoked: (p) => `Revoked by operator: ${s(p.note)}`,
  vhm_escalation: (p) => `${s(p.count)} domain faults in ${s(p.vhm)}: VHM paused for operator attention.`,
  injected_spike: (p) => `Injected decoherence spike consumed ${s(p.amount)} of ${s(p.contract)}'s budget.`,
  injected_spike_exceeded: (p) =>
    `Injected decoherence spike of ${s(p.amount)} exceeded the remaining budget ${s(p.remaining)} of ${s(p.contract)}.`,
  injected_instability: (p) =>
    `Injected instability: stability ${s(p.stability)} bp below tolerance ${s(p.tolerance)} bp of ${s(p.contract)}.`,
  injected_revocation: (p) => `Capability ${s(p.capability)} revoked during execution by fault injection.`,
  injected_invalidation: (p) => `Contract ${s(p.contract)} invalidated by fault injection.`,
};

/** The text of a fault, from its params' `reason` token (an unknown one renders as the token). */
export function renderFault(params: ErrorParams, templates: FaultTemplates = FAULT_MESSAGES): string {
  const r = params.reason;
  return typeof r === 'string' && Object.hasOwn(templates, r) ? templates[r as FaultReason](params) : s(r);
}
