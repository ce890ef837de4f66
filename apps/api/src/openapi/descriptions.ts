// The prose of the OpenAPI document: what each tag is, and for each operation what it does, who may
// call it and what it decides. A route's own `description` wins over this table; a test fails when
// an operation has neither.

export const TAGS: Record<string, string> = {
  vhms: 'Virtual Hybrid Machines: create (root or nested), lifecycle requested → validated → active ⇄ paused → terminated → released.',
  processes: 'Processes inside a VHM, the units the scheduler arbitrates.',
  capabilities:
    'Per-VHM capabilities and their rights; derive with fewer rights, revoke a derivation subtree.',
  contracts: 'K, Q and Φ resource contracts (XDV-023): allocate, activate, release, revoke.',
  bindings: 'Domain bindings (XDV-083 §5): requested → validated → active → released.',
  execution: 'Q jobs (charged to the decoherence budget) and Φ transforms (inside the coherence window).',
  snapshots: 'K-only snapshots: Q and Φ state is never cloned.',
  migrations: 'VHM migration between K hosts; Q reinitialised and Φ terminated unless moved live.',
  ipc: 'IPC contracts: the only sanctioned exception to isolation, between two named VHMs.',
  plan: 'Batch dry run: a sequence of commands previewed as one on a copy of the state, nothing committed.',
  scheduler: 'The deterministic scheduler (XDV-082): per-VHM weights and queue quotas, units, ticks.',
  providers: 'K hosts and Q/Φ hardware providers: ML-DSA-65 signed registration, attestation, calibrations.',
  reports: 'Signed provider reports: Q metrics, Φ stability, hardware errors.',
  tenants: 'Tenants and their quotas (operator).',
  tokens: 'API tokens: minted and revoked by operators, stored hashed, shown once.',
  faults: 'Faults, escalations and threshold alerts; fault injection for drills (operator).',
  clock: 'The logical clock L: only the clock source moves it.',
  trace: 'The hash-chained trace of every decision: read, stream, verify, export.',
  replay: 'State at any logical time, replayed from the trace; invariants; the dashboard overview.',
  cluster: 'API processes sharing one database, and the conformance report.',
  ops: 'Liveness, readiness and Prometheus metrics (no token).',
};

const COMMAND =
  'Decided by the deterministic core and recorded in the trace, accepted or refused. `?dryRun=true` previews the effect (entries, capacity, budgets, quota, invariants) and commits nothing; an `Idempotency-Key` makes retries safe.';

export const DESCRIPTIONS: Record<string, string> = {
  healthz: 'Answers 200 while the process serves HTTP. No token.',
  readyz:
    'Answers 200 with the committed seq once the store is open and the hash chain is intact; otherwise 503 with `reason` (starting, or the seq where the trace broke). No token.',
  metrics:
    'Prometheus text exposition: request latencies, commit batches, trace size, SSE clients. No token.',
  whoAmI:
    'The principal behind the bearer token: its kind (operator, tenant admin or viewer, provider), tenant and token id. Use it to check a token.',
  listTokens:
    'Every API token with its kind, label, last use and expiry. Operator only; secrets are never shown.',
  createToken:
    'Mints a token for an operator, a tenant (admin or viewer) or a provider. The secret is in this response only: store it. Operator only.',
  revokeToken:
    'The token stops authenticating at once. Operator only; the token in use cannot revoke itself.',
  listTenants: 'Tenants with their quotas and what their root VHMs have carved. A tenant sees only itself.',
  createTenant: `Creates a tenant with a quota of VHMs, memory bytes, CPU slices, qubits and Φ envelopes. Operator only. ${COMMAND}`,
  getTenant: 'One tenant with its quota and use. Another tenant’s id answers 404 like a missing one.',
  setTenantQuota: `Replaces a tenant’s quota; it cannot drop below what its VHMs already carved. Operator only. ${COMMAND}`,
  advanceClock: `Moves L forward by a number of ticks (when the server ticks manually, XDV_TICK_MS=0). Operator only. ${COMMAND}`,
  trustFirmware: `Adds a firmware measurement to the trusted list; from then on only providers with trusted firmware attest. Operator only. ${COMMAND}`,
  listFaults:
    'Faults and escalations (decoherence exceeded, window missed, stability breach, hardware failure), scoped to the principal.',
  listAlertGroups:
    'Alerts grouped by provider and subject with a severity, firing and critical first; a group is acknowledged when its newest firing alert is. Scoped to the principal.',
  getAttention:
    'What needs a person now: VHMs paused by fault escalation, Q and Φ providers with no recent report or degraded, unacknowledged firing alerts. Each item names its subject and the action that resolves it.',
  acknowledgeAlert: `An operator acknowledges an alert with a note; the acknowledgement is an \`alert.acknowledged\` trace entry. ${COMMAND}`,
  listFleet:
    'The provider fleet as one table: domain, health, attestation, calibration, capacity in use and active contracts. A tenant sees only its own allocation on shared providers.',
  providerUsage:
    'The live contracts on a provider and the VHMs that hold them. A tenant sees only its own; a provider it cannot see answers like one that does not exist.',
  listAlerts:
    'Threshold alerts raised from provider reports (T1, T2, fidelity, readout error, stability), scoped to the principal.',
  injectFault: `Injects a fault for a drill: a decoherence spike, an instability, a capability revocation or a contract invalidation. Operator only. ${COMMAND}`,
  getScheduler:
    'Per-VHM weights and queue quotas and the queued units; each arbitration decision is a trace entry.',
  submitUnit: `Queues a scheduling unit for a process of the VHM, within its queue quota. Needs a capability with the SCHEDULE right. ${COMMAND}`,
  schedulerTick: `Runs one arbitration round: domain priority, priority, submission L and process id, with deterministic aging. Operator only. ${COMMAND}`,
  listVhms:
    'VHMs visible to the principal, filterable by tenant, state, parent (`root` for top level) and name; each carries parent, depth and children.',
  createVhm: `Creates a VHM in state requested, carved from the tenant’s quota (root) or from its parent’s (nested, with the parent’s SPAWN_NESTED capability). Its root capability is created with it and named in \`created.capability\`. ${COMMAND}`,
  getVhm:
    'One VHM with its quota, use, carved quota and children. Sends an ETag; use it with If-Match on its actions.',
  validateVhm: `requested → validated: checks the VHM against its quota and parent. ${COMMAND}`,
  activateVhm: `validated → active: the VHM can now hold contracts and bindings. ${COMMAND}`,
  pauseVhm: `active → paused: no job, transform or new binding until it resumes. ${COMMAND}`,
  resumeVhm: `paused → active. ${COMMAND}`,
  terminateVhm: `Terminates the VHM and every nested VHM (children first, in id order), releasing all bindings, contracts, containers and envelopes. ${COMMAND}`,
  releaseVhm: `terminated → released: returns its quota to the tenant or parent; the VHM stays as a tombstone, its id never reused. ${COMMAND}`,
  setVhmSchedule: `Sets the VHM’s scheduler weight and the most units it may have queued. ${COMMAND}`,
  listProcesses: 'The VHM’s processes and their state.',
  spawnProcess: `Starts a process in an active VHM. Needs a capability with the PROCESS right. ${COMMAND}`,
  exitProcess: `Ends a process; its queued units are dropped. Needs a capability with the PROCESS right. ${COMMAND}`,
  listCapabilities: 'The VHM’s capabilities as a derivation forest: rights, parent and whether revoked.',
  issueCapability: `Issues a new root capability with the given rights in the VHM’s own namespace (a parent’s capability is never valid in a child). ${COMMAND}`,
  deriveCapability: `Derives a capability holding a subset of the source’s rights; asking for more is refused (HV_CAP_ESCALATION). ${COMMAND}`,
  revokeCapability: `Revokes the capability and every capability derived from it. ${COMMAND}`,
  listSnapshots: 'The VHM’s K snapshots: contract metadata and K state, never Q or Φ internals.',
  takeSnapshot: `Takes a K-only snapshot; asking for Q or Φ state is refused (HV_NO_CLONE). Needs the SNAPSHOT right. ${COMMAND}`,
  listMigrations: 'Migrations with their source and target hosts and what happened to each Q and Φ contract.',
  migrateVhm: `K contracts move. A Q container moves live only with qPolicy live, a provider that supports coherence-preserving transfer and its contract named in transferContracts; a Φ envelope only with phiPolicy live, a provider that supports it, its contract named, a last stability reading at or above its tolerance, and its coherence window renegotiated to [L, end). A contract named that cannot be moved live refuses the whole migration. Needs the MIGRATE right. ${COMMAND}`,
  listContracts:
    'Resource contracts visible to the principal, with their domain, provider, status and consumed budget.',
  getContract: 'One contract. Sends an ETag; use it with If-Match on its actions.',
  allocateContract: `K needs BIND_K and { base, size, cpu, irqs }; Q needs ALLOC_Q and { qubits, budget, calibration }; Φ needs ALLOC_PHI and { start, duration, tolerance }. Capacity, quota, memory ranges, IRQs and coherence windows are checked; the contract is issued. ${COMMAND}`,
  activateContract: `issued → active: a binding can activate only on an active contract. ${COMMAND}`,
  releaseContract: `Releases the contract and its binding, returning capacity and quota; an issued one is withdrawn and recorded as revoked. ${COMMAND}`,
  revokeContract: `Revokes a contract: its binding is released and a fault recorded. Operator only. ${COMMAND}`,
  listBindings: 'Domain bindings visible to the principal with their lifecycle history.',
  getBinding: 'One binding with its history. Sends an ETag; use it with If-Match on its actions.',
  requestBinding: `Requests a binding for one of the VHM’s own contracts (state requested). Needs BIND_K, ALLOC_Q or ALLOC_PHI for the contract’s domain. ${COMMAND}`,
  validateBinding: `requested → validated: a valid capability, a valid contract of the same VHM and an attested, healthy provider. ${COMMAND}`,
  activateBinding: `validated → active on an active contract: a Q binding gets its exclusive container, a Φ binding its envelope. ${COMMAND}`,
  releaseBinding: `Releases the binding and its container or envelope. ${COMMAND}`,
  runQJob: `Runs a Q job on an active Q binding with a valid calibration; its cost is charged to the decoherence budget. A job over budget is refused, invalidates the contract and escalates a fault (Q_ERR_DECOHERENCE_EXCEEDED). Needs EXECUTE_Q. ${COMMAND}`,
  applyPhiTransform: `Applies a Φ transform inside the envelope’s coherence window; outside it, the transform is refused and the envelope invalidated (PHI_ERR_COHERENCE_TIMEOUT). Needs EXECUTE_PHI. ${COMMAND}`,
  listIpc: 'IPC contracts visible to the principal, open and closed.',
  openIpc: `Opens an IPC contract between two different VHMs, each side naming a capability with the IPC right. ${COMMAND}`,
  closeIpc: `Closes an IPC contract. ${COMMAND}`,
  listProviders: 'K hosts and Q/Φ hardware providers with capacity, attestation and health.',
  registerProvider: `Registers (or re-attests) a provider: the registration’s canonical JSON, prefixed with the domain-separation string, signed with ML-DSA-65 by the provider’s identity key (see the README’s provider signing section). Call it with the provider’s own token. ${COMMAND}`,
  getProvider: 'One provider with its capacity, allocation, attestation and health.',
  providerWorkload:
    'What a provider hosts now: its calibrations, live Q contracts and live Φ envelopes. That provider’s token or an operator.',
  listCalibrations: 'Q calibration contracts with their provider and validity [from, until) in logical time.',
  issueCalibration: `Issues a Q calibration contract valid over [from, until) in logical time; Q contracts and jobs need a valid one. The Q provider itself or an operator. ${COMMAND}`,
  postQReport: `A signed Q metrics report (T1, T2, gate fidelity, readout error per qubit); each report’s seq must exceed the provider’s last. Becomes a trace entry and a time series, and may raise alerts. ${COMMAND}`,
  postPhiReport: `A signed Φ stability report per envelope; a stability below the envelope’s tolerance terminates it and escalates. ${COMMAND}`,
  postErrorReport: `A signed error report with a Q_ERR_* or PHI_ERR_* code; a hardware failure marks the provider unhealthy until it re-attests. ${COMMAND}`,
  listTrace:
    'Trace entries in seq order after a seq, with the head; a tenant sees only entries filed under it.',
  verifyTrace:
    'Re-verifies the whole store now: every hash, link and decision from genesis, every signed head and checkpoint, and the node’s head file. Operator only.',
  traceHead:
    'The newest signed trace head {seq, l, hash}, signed with ML-DSA-65, and the public key that signed it. Operator only.',
  exportTrace:
    'The trace as a self-contained NDJSON bundle (header, node keys, signed heads and checkpoints, every entry), verifiable offline. Operator only.',
  streamTrace:
    'Server-Sent Events of the entries the principal may see (id = seq), resuming after Last-Event-ID with no gap and no duplicate; `clock` events tell L moved.',
  replayState:
    'The state at logical time L, replayed from the trace through the same core, scoped to the principal.',
  replayDiff: 'What changed between two logical times: objects created, changed and removed.',
  checkInvariants:
    'Checks every invariant (isolation, conservation, lifecycle, aliasing, capabilities) on the live state now.',
  overview:
    'Dashboard overview: VHMs by state, capacity against allocation per provider, open alerts and faults, the trace head.',
  getCluster:
    'Nodes are the API processes sharing this database (one with embedded PGlite), ordered by node id. Tenants see node health but not node internals, and only their own contracts; commit rounds are seq ranges and counts.',
  getCompliance:
    'The latest XDV-084 conformance report (written by `npm run cts`) and whether its ML-DSA-65 signature verifies.',
  getClock:
    'Only the clock source moves L: one tick every tickMs of wall time (or operator ticks when tickMs is 0). Windows, calibration validity, aging and budgets are in ticks; multiply by tickMs for a wall-clock estimate.',
  providerSeries:
    'Metric time series of a provider over logical time: Q t1, t2, fidelity and readoutError per qubit; Φ stability, noise, drift and impact per envelope.',
};
