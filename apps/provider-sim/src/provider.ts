import { type Domain, type ProviderRegistration, scenario, sign } from '@xdv/core';
import type { Client } from './client.js';
import { between, chance, phiReading, qReadings } from './noise.js';

// One simulated provider: its own ML-DSA key (from its key seed), a signed attestation, calibration
// renewal, and signed reports on logical time. Faults come from the seeded noise model.

export interface ProviderSpec {
  name: string;
  domain: Domain;
  capacity: { memory?: number; cpu?: number; qubits?: number; envelopes?: number };
  /** Seed of the identity key (a provider keeps its key across restarts). */
  keySeed: number;
  operations?: string[];
  liveTransfer?: boolean;
  firmware?: string;
}

export interface FaultRates {
  /** Per step, in permille. */
  spike: number;
  breach: number;
  hardware: number;
}

export const DEFAULT_RATES: FaultRates = { spike: 12, breach: 10, hardware: 2 };

interface Workload {
  provider: { id: string; health: string; lastReportSeq: number; capacity: { qubits: number } };
  l: number;
  calibrations: Array<{ id: string; from: number; until: number }>;
  contracts: Array<{ id: string; domain: Domain; status: string }>;
  envelopes: Array<{ id: string; contract: string; start: number; end: number; tolerance: number }>;
}

export interface StepEvent {
  provider: string;
  kind: 'calibration' | 'report' | 'spike' | 'breach' | 'hardware-failure' | 'reattested' | 'refused';
  detail: string;
}

export class SimProvider {
  id: string | null = null;

  constructor(
    readonly spec: ProviderSpec,
    private readonly client: Client,
    private readonly noiseSeed: number,
    private readonly rates: FaultRates = DEFAULT_RATES,
    private readonly calibrationValidity = 400,
  ) {}

  registration(): ProviderRegistration {
    return scenario.registration(this.spec.name, this.spec.domain, this.spec.capacity, this.spec.keySeed, {
      operations: this.spec.operations ?? [],
      liveTransfer: this.spec.liveTransfer ?? false,
      ...(this.spec.firmware ? { firmware: this.spec.firmware } : {}),
    });
  }

  /** Register, or re-attest after a restart or a hardware failure. */
  async register(): Promise<string> {
    const registration = this.registration();
    const signature = sign(
      'xdv/provider-registration/v1',
      registration,
      scenario.providerKeys(this.spec.keySeed).secretKey,
    );
    const r = await this.client.post('/v1/providers', { registration, signature });
    this.id = r.created.provider ?? this.id;
    if (!this.id) throw new Error(`registration of ${this.spec.name} returned no provider id`);
    return this.id;
  }

  private async report(kind: 'q' | 'phi' | 'error', report: object): Promise<void> {
    const signature = sign(
      'xdv/provider-report/v1',
      report,
      scenario.providerKeys(this.spec.keySeed).secretKey,
    );
    await this.client.post(`/v1/providers/${this.id}/reports/${kind}`, { report, signature });
  }

  /** One logical-time step: renew calibration, report metrics, and now and then fail. */
  async step(): Promise<StepEvent[]> {
    if (!this.id || this.spec.domain === 'K') return [];
    const events: StepEvent[] = [];
    const w = await this.client.get<Workload>(`/v1/providers/${this.id}/workload`);
    const l = w.l;
    const name = this.spec.name;
    if (w.provider.health !== 'ok') {
      await this.register();
      events.push({
        provider: name,
        kind: 'reattested',
        detail: `${name} re-attested after a hardware failure`,
      });
      return events;
    }
    let seq = w.provider.lastReportSeq;
    const live = w.contracts
      .filter((c) => c.status === 'active' || c.status === 'issued')
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    if (chance(this.noiseSeed, name, l, 'hardware', this.rates.hardware)) {
      await this.report('error', {
        provider: this.id,
        seq: ++seq,
        code: this.spec.domain === 'Q' ? 'Q_ERR_HARDWARE_FAILURE' : 'PHI_ERR_HARDWARE_FAILURE',
        contract: null,
        message: 'simulated hardware fault (control electronics reset)',
      });
      events.push({
        provider: name,
        kind: 'hardware-failure',
        detail: `${name} reported a hardware failure`,
      });
      return events;
    }
    if (this.spec.domain === 'Q') {
      const latest = Math.max(0, ...w.calibrations.map((c) => c.until));
      if (latest <= l + Math.floor(this.calibrationValidity / 4)) {
        await this.client.post(`/v1/providers/${this.id}/calibrations`, {
          from: l,
          until: l + this.calibrationValidity,
        });
        events.push({
          provider: name,
          kind: 'calibration',
          detail: `${name} calibrated for [${l}, ${l + this.calibrationValidity})`,
        });
      }
      const spike = chance(this.noiseSeed, name, l, 'spike', this.rates.spike);
      const qubits = Math.min(8, w.provider.capacity.qubits);
      await this.report('q', {
        provider: this.id,
        seq: ++seq,
        qubits: qReadings(this.noiseSeed, name, l, qubits, spike),
      });
      events.push({ provider: name, kind: 'report', detail: `${name} Q metrics at L ${l}` });
      if (spike && live.length > 0) {
        const victim = live[between(this.noiseSeed, name, l, 'victim', 0, live.length - 1)]!;
        await this.report('error', {
          provider: this.id,
          seq: ++seq,
          code: 'Q_ERR_MEASUREMENT_FAILURE',
          contract: victim.id,
          message: 'decoherence spike during readout',
        });
        events.push({
          provider: name,
          kind: 'spike',
          detail: `${name}: decoherence spike invalidated ${victim.id}`,
        });
      }
    } else {
      const envs = [...w.envelopes].sort((a, b) => (a.id < b.id ? -1 : 1));
      if (envs.length > 0) {
        const breach = chance(this.noiseSeed, name, l, 'breach', this.rates.breach);
        const victim = breach ? between(this.noiseSeed, name, l, 'victim', 0, envs.length - 1) : -1;
        const envelopes = envs.map((e, i) => phiReading(this.noiseSeed, name, l, e.id, i === victim));
        await this.report('phi', { provider: this.id, seq: ++seq, envelopes });
        events.push({ provider: name, kind: 'report', detail: `${name} Φ stability at L ${l}` });
        if (breach)
          events.push({
            provider: name,
            kind: 'breach',
            detail: `${name}: stability breach on ${envs[victim]!.id}`,
          });
      }
    }
    return events;
  }
}
