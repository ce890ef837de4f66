import { clientFor, type XdvClient } from './api.js';
import { type DemoTokens, hasTenants, seedDemo } from './demo.js';
import { DEMO_PROVIDERS } from './fleet.js';
import {
  DEFAULT_RATES,
  type FaultRates,
  type ProviderSpec,
  SimProvider,
  type StepEvent,
} from './provider.js';
import { DemoWorkload } from './workload.js';

export interface SimulatorOptions {
  base: string;
  /** An operator token: the simulator mints one provider token per provider with it. */
  operatorToken: string;
  seed: number;
  providers?: ProviderSpec[];
  rates?: FaultRates;
  /** Seed the demo tenants and VHMs on an empty hypervisor, and drive their workload. */
  demo?: boolean;
  /**
   * Tick the logical clock once per step (tests, and a server whose clock is manual). Otherwise
   * the server's clock source moves L and each step acts at whatever L it finds, once per L.
   */
  driveClock?: boolean;
  log?: (line: string) => void;
}

/**
 * The simulated hardware fleet. Each step lets every provider renew, report and fail on the
 * current L, and (in demo mode) drives the demo tenants' workload. With `driveClock` each step
 * first ticks the clock, so a seed and a fresh database always give the same trace.
 */
export class Simulator {
  readonly providers: SimProvider[] = [];
  private readonly op: XdvClient;
  private workload: DemoWorkload | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  tokens: DemoTokens | null = null;
  /** Ids of the provider tokens this run minted, so a clean stop can revoke them. */
  readonly minted: string[] = [];

  constructor(private readonly opts: SimulatorOptions) {
    this.op = clientFor(opts.base, opts.operatorToken);
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** Mint provider tokens, register every provider, and seed the demo if asked and empty. */
  async setup(): Promise<void> {
    const specs = this.opts.providers ?? DEMO_PROVIDERS;
    const ids: Record<string, string> = {};
    for (const spec of specs) {
      const { secret, token } = await this.op.POST('/v1/tokens', {
        body: { kind: 'provider', provider: spec.name, label: `simulator: ${spec.name}` },
      });
      this.minted.push(token.id);
      const p = new SimProvider(
        spec,
        clientFor(this.opts.base, secret),
        this.opts.seed,
        this.opts.rates ?? DEFAULT_RATES,
      );
      ids[spec.name] = await p.register();
      this.providers.push(p);
    }
    // A first step issues the Q calibrations the demo's contracts need.
    await this.step();
    if (this.opts.demo) {
      if (!(await hasTenants(this.op))) {
        this.tokens = await seedDemo(this.op, (t) => clientFor(this.opts.base, t), ids);
        this.log(
          'demo fleet created: tenants acme and globex, nested VHMs, contracts, bindings, IPC, scheduler work',
        );
      }
      this.workload = new DemoWorkload(this.op, this.opts.seed, ids);
    }
  }

  private lastL = -1;

  /** One logical-time step (nothing when the clock has not moved since the last one). */
  async step(): Promise<StepEvent[]> {
    const { l } = this.opts.driveClock
      ? await this.op.POST('/v1/clock/advance', { body: { ticks: 1 } })
      : await this.op.GET('/v1/clock');
    if (l === this.lastL) return [];
    this.lastL = l;
    const events: StepEvent[] = [];
    for (const p of this.providers) {
      try {
        events.push(...(await p.step()));
      } catch (e) {
        events.push({
          provider: p.spec.name,
          kind: 'refused',
          detail: `${p.spec.name}: ${(e as Error).message}`,
        });
      }
    }
    if (this.workload) for (const n of await this.workload.step(l)) this.log(n);
    for (const e of events) if (e.kind !== 'report') this.log(e.detail);
    return events;
  }

  /** Step every `intervalMs` until stopped (the live demo). Logical time drives everything; the timer only paces it. */
  start(intervalMs: number): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.step()
        .then(() => undefined)
        .catch((e: unknown) => this.log(`simulator step failed: ${(e as Error).message}`));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
    };
    this.timer = setTimeout(loop, intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    for (const token of this.minted)
      await this.op.POST('/v1/tokens/{token}/revoke', { params: { path: { token } } }).catch(() => undefined);
  }
}
