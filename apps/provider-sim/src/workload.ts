import { attempt, type XdvClient } from './api.js';
import { bindContract, type ContractRequest, latestCalibration } from './demo.js';
import { between, chance } from './noise.js';

// Demo tenants' activity on logical time: Q jobs that spend decoherence budget (one occasionally
// over budget), Φ transforms inside windows, new contracts when old ones end, scheduler work.

interface Vhm {
  id: string;
  name: string;
  capabilities: string[];
}
// The contract fields the workload reads beyond those the OpenAPI document declares.
interface Contract {
  id: string;
  vhm: string;
  domain: string;
  status: string;
  binding: string | null;
  q: { budget: number } | null;
  consumed: number;
  phi: { start: number; duration: number } | null;
}

export class DemoWorkload {
  constructor(
    private readonly op: XdvClient,
    private readonly seed: number,
    private readonly providers: Record<string, string>,
  ) {}

  async step(l: number): Promise<string[]> {
    const notes: string[] = [];
    // The demo's operator looks at paused VHMs now and then and resumes them (parents first).
    const paused = await this.vhms('paused');
    for (const v of paused) {
      if (!chance(this.seed, v.id, l, 'resume', 80)) continue;
      const r = await attempt(this.op.POST('/v1/vhms/{vhm}/resume', { params: { path: { vhm: v.id } } }));
      if (r.ok) notes.push(`operator resumed ${v.name}`);
    }
    const vhms = await this.vhms('active');
    const contracts = (await this.op.GET('/v1/contracts', { params: { query: { limit: 500 } } }))
      .items as unknown as Contract[];
    const live = contracts.filter((c) => c.status === 'active');
    for (const v of vhms) {
      const capability = v.capabilities[0]!;
      const mine = live.filter((c) => c.vhm === v.id);
      for (const c of mine.filter((x) => x.domain === 'Q' && x.binding)) {
        if (!chance(this.seed, v.id, l, `job:${c.id}`, 350)) continue;
        const remaining = c.q!.budget - c.consumed;
        // Now and then a job asks for more than is left: the refusal path, live.
        const cost = chance(this.seed, v.id, l, 'greedy', 15)
          ? remaining + 5
          : between(this.seed, v.id, l, 'cost', 1, 6);
        const r = await attempt(
          this.op.POST('/v1/bindings/{binding}/jobs', {
            params: { path: { binding: c.binding! } },
            body: { capability, cost, operations: ['h', 'cx', 'measure'] },
          }),
        );
        notes.push(r.ok ? `${v.name}: Q job cost ${cost}` : `${v.name}: Q job refused ${r.code}`);
      }
      for (const c of mine.filter((x) => x.domain === 'PHI' && x.binding && x.phi)) {
        const open = l >= c.phi!.start && l < c.phi!.start + c.phi!.duration;
        if (open && chance(this.seed, v.id, l, `tf:${c.id}`, 300)) {
          const r = await attempt(
            this.op.POST('/v1/bindings/{binding}/transforms', {
              params: { path: { binding: c.binding! } },
              body: {
                capability,
                transform: 'rotate',
                impact: between(this.seed, v.id, l, 'impact', 0, 150),
              },
            }),
          );
          notes.push(r.ok ? `${v.name}: Φ transform` : `${v.name}: Φ transform refused ${r.code}`);
        }
      }
      // Keep the demo alive: replace a VHM's ended Q or Φ contract (the roots that had one).
      if (['web', 'research'].includes(v.name) && !mine.some((c) => c.domain === 'Q')) {
        const q = v.name === 'web' ? this.providers['qpu-aurora']! : this.providers['qpu-borealis']!;
        const r = await this.tryBind(v, capability, {
          domain: 'Q',
          provider: q,
          q: { qubits: 8, budget: 300, calibration: await latestCalibration(this.op, q) },
        });
        if (r) notes.push(`${v.name}: new Q contract ${r}`);
      }
      if (['batch', 'research'].includes(v.name) && !mine.some((c) => c.domain === 'PHI')) {
        const r = await this.tryBind(v, capability, {
          domain: 'PHI',
          provider: this.providers['phi-lumen']!,
          phi: { start: l + 3, duration: 300, tolerance: 6000 },
        });
        if (r) notes.push(`${v.name}: new Φ window ${r}`);
      }
    }
    await attempt(this.op.POST('/v1/scheduler/tick'));
    return notes;
  }

  private async vhms(state: 'active' | 'paused'): Promise<Vhm[]> {
    const page = await this.op.GET('/v1/vhms', { params: { query: { limit: 500, state } } });
    return page.items as unknown as Vhm[];
  }

  private async tryBind(v: Vhm, cap: string, body: ContractRequest): Promise<string | null> {
    try {
      return (await bindContract(this.op, { vhm: v.id, cap }, body)).contract;
    } catch {
      return null;
    }
  }
}
