import type { Client } from './client.js';
import { bindContract, latestCalibration } from './demo.js';
import { between, chance } from './noise.js';

// Demo tenants' activity on logical time: Q jobs that spend decoherence budget (one occasionally
// over budget), Φ transforms inside windows, new contracts when old ones end, scheduler work.

interface Vhm {
  id: string;
  name: string;
  state: string;
  capabilities: string[];
}
interface Contract {
  id: string;
  vhm: string;
  domain: string;
  status: string;
  binding: string | null;
  q: { budget: number } | null;
  consumed: number;
  phi: { start: number; duration: number } | null;
  provider: string;
}

export class DemoWorkload {
  constructor(
    private readonly op: Client,
    private readonly seed: number,
    private readonly providers: Record<string, string>,
  ) {}

  async step(l: number): Promise<string[]> {
    const notes: string[] = [];
    // The demo's operator looks at paused VHMs now and then and resumes them (parents first).
    const paused = (await this.op.get<{ items: Vhm[] }>('/v1/vhms?limit=500&state=paused')).items;
    for (const v of paused) {
      if (!chance(this.seed, v.id, l, 'resume', 80)) continue;
      const r = await this.op.attempt(`/v1/vhms/${v.id}/resume`);
      if (r.ok) notes.push(`operator resumed ${v.name}`);
    }
    const vhms = (await this.op.get<{ items: Vhm[] }>('/v1/vhms?limit=500&state=active')).items;
    const contracts = (await this.op.get<{ items: Contract[] }>('/v1/contracts?limit=500')).items;
    const live = contracts.filter((c) => c.status === 'active');
    for (const v of vhms) {
      const cap = v.capabilities[0]!;
      const mine = live.filter((c) => c.vhm === v.id);
      for (const c of mine.filter((x) => x.domain === 'Q' && x.binding)) {
        if (!chance(this.seed, v.id, l, `job:${c.id}`, 350)) continue;
        const remaining = c.q!.budget - c.consumed;
        // Now and then a job asks for more than is left: the refusal path, live.
        const cost = chance(this.seed, v.id, l, 'greedy', 15)
          ? remaining + 5
          : between(this.seed, v.id, l, 'cost', 1, 6);
        const r = await this.op.attempt(`/v1/bindings/${c.binding}/jobs`, {
          capability: cap,
          cost,
          operations: ['h', 'cx', 'measure'],
        });
        notes.push(r.ok ? `${v.name}: Q job cost ${cost}` : `${v.name}: Q job refused ${r.code}`);
      }
      for (const c of mine.filter((x) => x.domain === 'PHI' && x.binding && x.phi)) {
        const open = l >= c.phi!.start && l < c.phi!.start + c.phi!.duration;
        if (open && chance(this.seed, v.id, l, `tf:${c.id}`, 300)) {
          const r = await this.op.attempt(`/v1/bindings/${c.binding}/transforms`, {
            capability: cap,
            transform: 'rotate',
            impact: between(this.seed, v.id, l, 'impact', 0, 150),
          });
          notes.push(r.ok ? `${v.name}: Φ transform` : `${v.name}: Φ transform refused ${r.code}`);
        }
      }
      // Keep the demo alive: replace a VHM's ended Q or Φ contract (the roots that had one).
      if (['web', 'research'].includes(v.name) && !mine.some((c) => c.domain === 'Q')) {
        const q = v.name === 'web' ? this.providers['qpu-aurora']! : this.providers['qpu-borealis']!;
        const r = await this.tryBind(v, cap, {
          domain: 'Q',
          provider: q,
          q: { qubits: 8, budget: 300, calibration: await latestCalibration(this.op, q) },
        });
        if (r) notes.push(`${v.name}: new Q contract ${r}`);
      }
      if (['batch', 'research'].includes(v.name) && !mine.some((c) => c.domain === 'PHI')) {
        const r = await this.tryBind(v, cap, {
          domain: 'PHI',
          provider: this.providers['phi-lumen']!,
          phi: { start: l + 3, duration: 300, tolerance: 6000 },
        });
        if (r) notes.push(`${v.name}: new Φ window ${r}`);
      }
    }
    await this.op.attempt('/v1/scheduler/tick');
    return notes;
  }

  private async tryBind(v: Vhm, cap: string, body: object): Promise<string | null> {
    try {
      return (await bindContract(this.op, { vhm: v.id, cap }, body)).contract;
    } catch {
      return null;
    }
  }
}
