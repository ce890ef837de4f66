import type { Command } from '@xdv/core';
import type { HeldLock } from '@xdv/db';

// The clock source (XDV-082 §4.3): the only thing that moves logical time in a running server.
// Every `tickMs` of wall time it submits one `clock.advance` tick, recorded in the trace like any
// command, so replay stays deterministic. With several API processes on one PostgreSQL exactly
// one ticks: the holder of an advisory lock; when it dies its session ends and another takes over.

export interface ClockLedger {
  submit(cmd: Command): Promise<{ error: { code: string } | null }>;
  tryClockLock(): Promise<HeldLock | null>;
  readonly broken: { seq: number } | null;
}

export interface ClockStatus {
  /** Wall-clock milliseconds per tick; 0 means ticks come only from the operator API. */
  tickMs: number;
  /** True when this process is the one that ticks. */
  ticking: boolean;
}

const TICK: Command = { type: 'clock.advance', ticks: 1, actor: { kind: 'operator' } };

export class ClockSource {
  private lock: HeldLock | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ledger: ClockLedger,
    readonly tickMs: number,
    private readonly log: (msg: string, err?: unknown) => void = () => {},
  ) {}

  get status(): ClockStatus {
    return { tickMs: this.tickMs, ticking: this.lock !== null && !this.lock.lost };
  }

  start(): void {
    if (this.tickMs <= 0 || this.timer || this.stopped) return;
    // Each tick is scheduled after the previous one finished: a slow commit never piles ticks up.
    const loop = () => {
      this.running = this.tick().then(() => {
        this.running = null;
        if (!this.stopped) this.timer = setTimeout(loop, this.tickMs);
      });
    };
    this.timer = setTimeout(loop, this.tickMs);
  }

  /** One attempt: take (or keep) the clock, then tick once. Exported for tests. */
  async tick(): Promise<boolean> {
    try {
      if (this.lock?.lost) {
        this.log('clock source: lost the clock lock; trying to take it again');
        this.lock = null;
      }
      if (!this.lock) {
        this.lock = await this.ledger.tryClockLock();
        if (this.lock) this.log('clock source: this process now ticks the logical clock');
      }
      if (!this.lock || this.ledger.broken) return false;
      const r = await this.ledger.submit(TICK);
      return r.error === null;
    } catch (e) {
      this.log('clock source: tick failed', e);
      return false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.lock?.release();
    this.lock = null;
  }
}
