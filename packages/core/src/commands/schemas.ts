import { type Static, type TSchema, Type } from 'typebox';
import { RIGHTS } from '../model/state.js';

// Every command body, declared once. The TypeScript types (CommandBody, CommandOf<T>), the core's
// structural check at the top of `step`, Fastify's request validation and the OpenAPI document are
// all derived from these schemas. What depends on state (an id exists, a range the provider
// declares, rights) stays in the transitions.

/** The largest quantity the core accepts: every quantity is an integer in declared units. */
export const MAX_QUANTITY = Number.MAX_SAFE_INTEGER;

const Int = (minimum = 0, maximum = MAX_QUANTITY, description?: string) =>
  Type.Integer({ minimum, maximum, ...(description ? { description } : {}) });
/** A non-empty string of at most `max` characters: ids, names. */
const Str = (maxLength = 64, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) });
const Ref = (description: string) => Str(64, description);
const OrNull = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Closed = { additionalProperties: false } as const;

export const DomainSchema = Type.Union([Type.Literal('K'), Type.Literal('Q'), Type.Literal('PHI')]);
export const RightSchema = Type.Enum(RIGHTS);

export const QuotaSchema = Type.Object(
  { vhms: Int(), memory: Int(), cpu: Int(), qubits: Int(), envelopes: Int() },
  { ...Closed, description: 'memory in bytes, cpu in slices, qubits, Φ envelopes' },
);

export const SignedPartSchema = Type.Object(
  { signature: Type.String({ maxLength: 16384 }), verified: Type.Boolean() },
  { ...Closed, description: 'the signature verdict attached at admission' },
);

export const ConfigSchema = Type.Object(
  {
    maxDepth: Int(1, 16),
    agingThreshold: Int(1, 1_000_000, 'ticks a unit may wait before aging raises its priority'),
    agingStep: Int(1, 1000),
    domainPriority: Type.Object({ K: Int(), Q: Int(), PHI: Int() }, Closed),
    vhmEscalation: Int(1, 1000),
    thresholds: Type.Object(
      {
        t1Min: Int(),
        t2Min: Int(),
        fidelityMin: Int(),
        readoutMax: Int(),
        noiseMax: Int(),
        driftMax: Int(),
      },
      Closed,
    ),
  },
  Closed,
);

export const ProviderRegistrationSchema = Type.Object(
  {
    name: Str(64),
    domain: DomainSchema,
    capacity: Type.Object({ memory: Int(), cpu: Int(), qubits: Int(), envelopes: Int() }, Closed),
    publicKey: Type.String({
      minLength: 1,
      maxLength: 8192,
      pattern: '^[0-9a-f]+$',
      description: 'ML-DSA-65, hex',
    }),
    firmware: Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[0-9a-f]+$',
      description: 'firmware measurement, hex',
    }),
    features: Type.Object(
      { liveTransfer: Type.Boolean(), operations: Type.Array(Str(32), { maxItems: 64 }) },
      Closed,
    ),
  },
  Closed,
);

export const QubitMetricsSchema = Type.Object(
  {
    qubit: Int(),
    t1: Int(0, MAX_QUANTITY, 'microseconds'),
    t2: Int(0, MAX_QUANTITY, 'microseconds'),
    fidelity: Int(0, 10000, 'basis points'),
    readoutError: Int(0, 10000, 'basis points'),
  },
  Closed,
);

export const QReportSchema = Type.Object(
  { provider: Ref('provider id'), seq: Int(1), qubits: Type.Array(QubitMetricsSchema, { maxItems: 4096 }) },
  Closed,
);

export const PhiReportSchema = Type.Object(
  {
    provider: Ref('provider id'),
    seq: Int(1),
    envelopes: Type.Array(
      Type.Object(
        {
          envelope: Ref('envelope id'),
          stability: Int(0, 10000),
          noise: Int(0, 10000),
          drift: Int(0, 10000),
          impact: Int(0, 10000),
        },
        Closed,
      ),
      { maxItems: 4096 },
    ),
  },
  Closed,
);

export const ErrorReportSchema = Type.Object(
  {
    provider: Ref('provider id'),
    seq: Int(1),
    code: Str(64, 'a Q_ERR_* or PHI_ERR_* code'),
    contract: OrNull(Ref('contract id')),
    message: Str(500),
  },
  Closed,
);

const vhm = Ref('VHM id');
const capability = Ref('the capability this action uses');
const contract = Ref('contract id');
const binding = Ref('binding id');

/** A command body: its `type` literal and its fields. */
function command<T extends string, P extends Record<string, TSchema>>(
  type: T,
  props: P,
  description?: string,
) {
  return Type.Object(
    { type: Type.Literal(type), ...props } as { type: ReturnType<typeof Type.Literal<T>> } & P,
    { ...Closed, ...(description ? { description } : {}) },
  );
}

/** Every command type and the schema of its body. */
export const COMMAND_SCHEMAS = {
  genesis: command('genesis', { config: ConfigSchema }),
  'clock.advance': command('clock.advance', { ticks: Int(1, 1_000_000) }),
  'firmware.trust': command('firmware.trust', {
    measurement: Type.String({ pattern: '^[0-9a-f]{16,128}$', description: '16–128 lowercase hex digits' }),
  }),
  'tenant.create': command('tenant.create', { name: Str(64), quota: QuotaSchema }),
  'tenant.setQuota': command('tenant.setQuota', { tenant: Ref('tenant id'), quota: QuotaSchema }),
  'provider.register': command('provider.register', {
    registration: ProviderRegistrationSchema,
    auth: SignedPartSchema,
  }),
  'calibration.issue': command('calibration.issue', {
    provider: Ref('provider id'),
    from: Int(0, MAX_QUANTITY, 'L'),
    until: Int(0, MAX_QUANTITY, 'L'),
  }),
  'vhm.create': command('vhm.create', {
    tenant: Ref('tenant id'),
    name: Str(64),
    quota: QuotaSchema,
    parent: OrNull(Ref('parent VHM id')),
    capability: OrNull(Ref('the parent’s SPAWN_NESTED capability')),
  }),
  'vhm.validate': command('vhm.validate', { vhm }),
  'vhm.activate': command('vhm.activate', { vhm }),
  'vhm.pause': command('vhm.pause', { vhm }),
  'vhm.resume': command('vhm.resume', { vhm }),
  'vhm.terminate': command('vhm.terminate', { vhm }),
  'vhm.release': command('vhm.release', { vhm }),
  'vhm.setSchedule': command('vhm.setSchedule', { vhm, weight: Int(1, 10000), maxQueued: Int(1, 100000) }),
  'process.spawn': command('process.spawn', { vhm, capability, name: Str(64) }),
  'process.exit': command('process.exit', { vhm, capability, process: Ref('process id') }),
  'cap.issue': command('cap.issue', { vhm, rights: Type.Array(RightSchema, { minItems: 1, maxItems: 64 }) }),
  'cap.derive': command('cap.derive', {
    vhm,
    capability: Ref('the parent capability'),
    rights: Type.Array(RightSchema, { minItems: 1, maxItems: 64 }),
  }),
  'cap.revoke': command('cap.revoke', { vhm, capability: Ref('capability id') }),
  'contract.allocate': command('contract.allocate', {
    vhm,
    capability,
    domain: DomainSchema,
    provider: Ref('provider id'),
    k: Type.Optional(
      Type.Object(
        {
          // Optional: when left out the core places the range (lowest free address that fits) and
          // routes no interrupt vector; operators and tenants may still pin them.
          base: Type.Optional(Int(0, MAX_QUANTITY, 'bytes')),
          size: Int(1, MAX_QUANTITY, 'bytes'),
          cpu: Int(0, MAX_QUANTITY, 'slices'),
          irqs: Type.Optional(Type.Array(Int(0, 255), { maxItems: 16 })),
        },
        Closed,
      ),
    ),
    q: Type.Optional(
      Type.Object({ qubits: Int(1, 1_000_000), budget: Int(1), calibration: Ref('calibration id') }, Closed),
    ),
    phi: Type.Optional(
      Type.Object(
        {
          start: Int(0, MAX_QUANTITY, 'L'),
          duration: Int(1, 1_000_000_000, 'ticks'),
          tolerance: Int(0, 10000, 'basis points'),
        },
        Closed,
      ),
    ),
  }),
  'contract.activate': command('contract.activate', { vhm, capability, contract }),
  'contract.release': command('contract.release', { vhm, capability, contract }),
  'contract.revoke': command('contract.revoke', { contract, reason: Str(200) }),
  'binding.request': command('binding.request', { vhm, capability, contract }),
  'binding.validate': command('binding.validate', { vhm, capability, binding }),
  'binding.activate': command('binding.activate', { vhm, capability, binding }),
  'binding.release': command('binding.release', { vhm, capability, binding }),
  'q.job': command('q.job', {
    vhm,
    capability,
    binding,
    cost: Int(1, 1_000_000_000, 'budget units'),
    operations: Type.Array(Str(32), { maxItems: 64 }),
  }),
  'phi.transform': command('phi.transform', {
    vhm,
    capability,
    binding,
    transform: Str(32),
    impact: Int(0, 10000, 'basis points'),
  }),
  'report.q': command('report.q', { report: QReportSchema, auth: SignedPartSchema }),
  'report.phi': command('report.phi', { report: PhiReportSchema, auth: SignedPartSchema }),
  'report.error': command('report.error', { report: ErrorReportSchema, auth: SignedPartSchema }),
  'snapshot.take': command('snapshot.take', {
    vhm,
    capability,
    include: Type.Array(DomainSchema, { maxItems: 3 }),
  }),
  'vhm.migrate': command('vhm.migrate', {
    vhm,
    capability,
    target: Ref('target provider id'),
    qPolicy: Type.Union([Type.Literal('reinit'), Type.Literal('live')]),
    phiPolicy: Type.Optional(Type.Union([Type.Literal('reinit'), Type.Literal('live')])),
    transferContracts: Type.Array(Ref('contract id'), { maxItems: 64 }),
  }),
  'ipc.open': command('ipc.open', {
    a: vhm,
    capabilityA: capability,
    b: vhm,
    capabilityB: capability,
    rights: Type.Array(Type.Union([Type.Literal('MSG'), Type.Literal('PHI_SHARE')]), {
      minItems: 1,
      maxItems: 2,
      uniqueItems: true,
    }),
  }),
  'ipc.close': command('ipc.close', { ipc: Ref('IPC contract id') }),
  'sched.submit': command('sched.submit', {
    vhm,
    capability,
    process: Ref('process id'),
    domain: DomainSchema,
    contract: OrNull(contract),
    priority: Int(0, 1000),
    quanta: Int(1, 1000),
  }),
  'sched.tick': command('sched.tick', {}),
  'alert.acknowledge': command('alert.acknowledge', {
    alert: Ref('alert id'),
    note: Str(500, 'what the operator found or did'),
  }),
  'fault.inject': command('fault.inject', {
    kind: Type.Union([
      Type.Literal('decoherence_spike'),
      Type.Literal('instability'),
      Type.Literal('capability_revocation'),
      Type.Literal('contract_invalidation'),
    ]),
    target: Ref('the object the fault hits'),
    amount: Int(0, 1_000_000_000),
  }),
};

export type CommandSchemas = typeof COMMAND_SCHEMAS;
export type CommandType = keyof CommandSchemas;
/** One command body: the union of every command's schema type. */
export type CommandBody = { [T in CommandType]: Static<CommandSchemas[T]> }[CommandType];
export type CommandBodyOf<T extends CommandType> = Static<CommandSchemas[T]>;
export const COMMAND_TYPES = Object.keys(COMMAND_SCHEMAS) as CommandType[];

/** Who issues a command. The API authenticates; the core authorises. */
export const ActorSchema = Type.Union([
  Type.Object({ kind: Type.Literal('operator') }),
  Type.Object({
    kind: Type.Literal('tenant'),
    tenant: Ref('tenant id'),
    role: Type.Union([Type.Literal('admin'), Type.Literal('viewer')]),
  }),
  Type.Object({ kind: Type.Literal('provider'), name: Str(64) }),
]);
