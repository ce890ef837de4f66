// Every query key the console uses, in one place. The live stream invalidates by these roots
// (api/live.ts), so a key renamed here is renamed for its reader and its invalidation together.

export const qk = {
  me: () => ['me'] as const,
  overview: () => ['overview'] as const,
  clock: () => ['clock'] as const,
  readyz: () => ['readyz'] as const,
  cluster: () => ['cluster'] as const,
  vhms: () => ['vhms'] as const,
  /** A VHM and everything under it (capabilities, processes, snapshots, activity). */
  vhm: (id: string) => ['vhm', id] as const,
  vhmCaps: (id: string | undefined) => ['vhm', id, 'caps'] as const,
  vhmProcesses: (id: string) => ['vhm', id, 'processes'] as const,
  vhmSnapshots: (id: string) => ['vhm', id, 'snapshots'] as const,
  vhmActivity: (id: string) => ['vhm', id, 'activity'] as const,
  contracts: (vhm?: string) => (vhm === undefined ? (['contracts'] as const) : (['contracts', vhm] as const)),
  bindings: (vhm?: string) => (vhm === undefined ? (['bindings'] as const) : (['bindings', vhm] as const)),
  providers: () => ['providers'] as const,
  calibrations: () => ['calibrations'] as const,
  ipc: () => ['ipc'] as const,
  migrations: () => ['migrations'] as const,
  faults: () => ['faults'] as const,
  alerts: () => ['alerts'] as const,
  alertGroups: () => ['alerts', 'groups'] as const,
  /** The attention strip: what needs a person now (follows VHM, resource, provider and report entries). */
  attention: () => ['attention'] as const,
  /** The fleet table of providers with per-qubit health. */
  fleet: () => ['fleet'] as const,
  providerUsage: (provider: string) => ['providers', provider, 'usage'] as const,
  tenants: () => ['tenants'] as const,
  tokens: () => ['tokens'] as const,
  scheduler: () => ['scheduler'] as const,
  series: (provider?: string | null) =>
    provider === undefined ? (['series'] as const) : (['series', provider] as const),
  /** One chart's range; the range's end is read at fetch time (api/fleetHealth.ts). */
  seriesRange: (provider: string, ticks: number | null, at: number | null) =>
    ['series', provider, ticks, at] as const,
  /** Every trace query (lists, the tail, the head, the scheduler's decisions). */
  trace: () => ['trace'] as const,
  /** A filtered or older trace page: entries are immutable, so it is read once. */
  traceList: (from: number, type: string, vhm: string) => ['trace', 'list', from, type, vhm] as const,
  /** The unfiltered newest trace page, appended to live by the stream (api/traceCache.ts). */
  traceTail: () => ['trace', 'tail'] as const,
  traceHead: () => ['trace', 'head'] as const,
  /** Every scheduler-decisions read: derived from the trace, so refetched (not appended) on a decision. */
  traceDecisionsAll: () => ['trace', 'decisions'] as const,
  traceDecisions: (at: number | null) => ['trace', 'decisions', at ?? 'live'] as const,
  /** The stream's most recent entries (api/live.ts). */
  liveTail: () => ['live-tail'] as const,
  serverVerify: () => ['server-verify'] as const,
  compliance: () => ['compliance'] as const,
  /** The state replayed at L: immutable, so never invalidated by the stream. */
  replay: (at: number | null) => ['replay', at] as const,
  replayDiff: (from: number | undefined, to: number | undefined) => ['replay', 'diff', from, to] as const,
} as const;

/** The roots the stream never invalidates: a past L's state and the principal itself. */
export const STABLE_ROOTS: ReadonlySet<string> = new Set([qk.replay(null)[0], qk.me()[0], qk.readyz()[0]]);
