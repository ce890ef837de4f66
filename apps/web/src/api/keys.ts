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
  tenants: () => ['tenants'] as const,
  tokens: () => ['tokens'] as const,
  scheduler: () => ['scheduler'] as const,
  series: (provider?: string | null) =>
    provider === undefined ? (['series'] as const) : (['series', provider] as const),
  /** Every trace query (lists, the head, the scheduler's decisions). */
  trace: () => ['trace'] as const,
  traceList: (from: number, type: string, vhm: string, tail: boolean) =>
    ['trace', 'list', from, type, vhm, tail ? 'tail' : 'fixed'] as const,
  traceHead: () => ['trace', 'head'] as const,
  traceDecisions: (at: number | null) => ['trace', 'decisions', at ?? 'live'] as const,
  liveTail: () => ['live-tail'] as const,
  serverVerify: () => ['server-verify'] as const,
  compliance: () => ['compliance'] as const,
  /** The state replayed at L: immutable, so never invalidated by the stream. */
  replay: (at: number | null) => ['replay', at] as const,
  replayDiff: (from: number | undefined, to: number | undefined) => ['replay', 'diff', from, to] as const,
} as const;

/** The roots the stream never invalidates: a past L's state and the principal itself. */
export const STABLE_ROOTS: ReadonlySet<string> = new Set([qk.replay(null)[0], qk.me()[0], qk.readyz()[0]]);
