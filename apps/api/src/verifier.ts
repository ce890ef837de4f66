import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { attachVerdict, type Command, type SignatureCheck, type State, signatureCheck } from '@xdv/core';

// ML-DSA-65 verification (~1.4 ms of pure JS) on worker threads, so the thread that serves HTTP
// and steps the core does not stop for it. The verdict rides with the command object into the
// core's admission (`attachVerdict`), which then does not verify again: each signature is verified
// exactly once. With no workers, admission verifies inline as before.

// The worker is this source text, so it runs the same from src (tests) and dist; it loads the core
// by the URL the main thread resolved.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.core).then(({ verify }) => {
  parentPort.on('message', (job) => {
    let ok = false;
    try { ok = verify(job.kind, job.payload, job.signature, job.publicKey); } catch {}
    parentPort.postMessage({ id: job.id, ok });
  });
});
`;

interface Lane {
  worker: Worker;
  /** Verifications sent to this worker and not answered yet, by job id. */
  waiting: Map<number, (ok: boolean | null) => void>;
}

export class Verifier {
  private readonly lanes: Lane[] = [];
  private next = 0;
  private closed = false;

  /** `size` workers (0: none, admission verifies inline); started on first use. */
  constructor(readonly size: number) {}

  /** Verify the command's signature off this thread and attach the verdict for admission. */
  async admit(state: State, cmd: Command): Promise<void> {
    if (this.size === 0) return;
    const check = signatureCheck(state, cmd);
    if (check === null) return;
    const ok = await this.verify(check);
    if (ok !== null) attachVerdict(cmd, check, ok);
  }

  /** The verdict, or null when no worker could give one (closing, or a worker died): then admission verifies. */
  verify(check: SignatureCheck): Promise<boolean | null> {
    if (this.closed) return Promise.resolve(null);
    if (this.lanes.length === 0) this.start();
    // The least busy worker: verifications cost about the same, so this is round robin under load.
    let lane = this.lanes[0]!;
    for (const l of this.lanes) if (l.waiting.size < lane.waiting.size) lane = l;
    const id = ++this.next;
    return new Promise((resolve) => {
      lane.waiting.set(id, resolve);
      lane.worker.postMessage({ id, ...check });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const lanes = this.lanes.splice(0);
    await Promise.all(lanes.map((l) => l.worker.terminate()));
    for (const l of lanes) this.abandon(l);
  }

  private start(): void {
    const core = import.meta.resolve('@xdv/core');
    for (let i = 0; i < this.size; i++) {
      const lane: Lane = {
        worker: new Worker(WORKER, { eval: true, workerData: { core } }),
        waiting: new Map(),
      };
      lane.worker.unref();
      lane.worker.on('message', (m: { id: number; ok: boolean }) => {
        const done = lane.waiting.get(m.id);
        lane.waiting.delete(m.id);
        done?.(m.ok);
      });
      // A worker that fails leaves the pool; what it held is verified by admission instead.
      const gone = () => {
        const i = this.lanes.indexOf(lane);
        if (i >= 0) this.lanes.splice(i, 1);
        this.abandon(lane);
        if (this.lanes.length === 0) this.closed = true;
      };
      lane.worker.on('error', gone);
      lane.worker.on('exit', gone);
      this.lanes.push(lane);
    }
  }

  private abandon(lane: Lane): void {
    for (const done of lane.waiting.values()) done(null);
    lane.waiting.clear();
  }
}

/** Default pool: one worker per core (XDV_VERIFY_WORKERS overrides; 0 verifies inline). */
export function defaultVerifierSize(): number {
  return availableParallelism();
}
