// The demo's own settings (the server's are read by @xdv/api's configFromEnv).

export interface DemoOptions {
  /** Seed the demo fleet on an empty hypervisor and run the simulated providers. */
  demo: boolean;
  /** Noise seed of the simulated providers. */
  seed: number;
  /** Wall-clock pause between simulator steps. */
  simIntervalMs: number;
  /** LOG_LEVEL as given; unset, the terminal shows warnings and errors only. */
  logLevel: string | null;
}

export const DEMO_ENV_HELP = `Demo (npm start):
  XDV_DEMO             1 to seed the demo fleet and run the simulated providers (npm start sets 1;
                       default 0: the server alone)
  XDV_SEED             noise seed of the simulated providers (default 1)
  XDV_SIM_INTERVAL_MS  wall-clock pause between simulator steps (default 1000)
  LOG_LEVEL            unset: request logs stay out of the terminal (warnings and errors only);
                       info or debug: every request, one line each on a terminal, JSON otherwise`;

function int(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
}

export function demoOptions(env: NodeJS.ProcessEnv = process.env): DemoOptions {
  return {
    demo: env.XDV_DEMO === '1' || env.XDV_DEMO === 'true',
    seed: int('XDV_SEED', env.XDV_SEED, 1),
    simIntervalMs: int('XDV_SIM_INTERVAL_MS', env.XDV_SIM_INTERVAL_MS, 1000),
    logLevel: env.LOG_LEVEL || null,
  };
}
