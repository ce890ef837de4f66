import {
  type ErrorReport,
  type PhiReport,
  type ProviderRegistration,
  type QReport,
  ReportSequence,
  signRegistration,
  signReport,
} from '@xdv/client';
import type { XdvClient } from './api.js';
import { providerKeys } from './keys.js';
import { between, chance, phiReading, qReadings } from './noise.js';

// One simulated provider: its own ML-DSA key (from its key seed), a signed attestation, calibration
// renewal, and signed reports on logical time. Faults come from the seeded noise model.

export type Domain = ProviderRegistration['domain'];

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

export interface StepEvent {
  provider: string;
  kind: 'calibration' | 'report' | 'spike' | 'breach' | 'hardware-failure' | 'reattested' | 'refused';
  detail: string;
}

export class SimProvider {
  id: string | null = null;

  constructor(
    readonly spec: ProviderSpec,
    private readonly client: XdvClient,
    private readonly noiseSeed: number,
    private readonly rates: FaultRates = DEFAULT_RATES,
    private readonly calibrationValidity = 400,
  ) {}

  registration(): ProviderRegistration {
    const c = this.spec.capacity;
    return {
      name: this.spec.name,
      domain: this.spec.domain,
      capacity: {
        memory: c.memory ?? 0,
        cpu: c.cpu ?? 0,
        qubits: c.qubits ?? 0,
        envelopes: c.envelopes ?? 0,
      },
      publicKey: providerKeys(this.spec.keySeed).publicKey,
      firmware: this.spec.firmware ?? 'f1f2f3f4f5f6f7f8a1a2a3a4a5a6a7a8',
      features: { liveTransfer: this.spec.liveTransfer ?? false, operations: this.spec.operations ?? [] },
    };
  }

  /** Register, or re-attest after a restart or a hardware failure. */
  async register(): Promise<string> {
    const body = signRegistration(this.registration(), providerKeys(this.spec.keySeed).secretKey);
    const r = await this.client.POST('/v1/providers', { body });
    this.id = r.created.provider ?? this.id;
    if (!this.id) throw new Error(`registration of ${this.spec.name} returned no provider id`);
    return this.id;
  }

  private signed<R extends QReport | PhiReport | ErrorReport>(report: R): { report: R; signature: string } {
    return signReport(report, providerKeys(this.spec.keySeed).secretKey);
  }

  private async reportQ(report: QReport): Promise<void> {
    const params = { path: { provider: report.provider } };
    await this.client.POST('/v1/providers/{provider}/reports/q', { params, body: this.signed(report) });
  }

  private async reportPhi(report: PhiReport): Promise<void> {
    const params = { path: { provider: report.provider } };
    await this.client.POST('/v1/providers/{provider}/reports/phi', { params, body: this.signed(report) });
  }

  private async reportError(report: ErrorReport): Promise<void> {
    const params = { path: { provider: report.provider } };
    await this.client.POST('/v1/providers/{provider}/reports/error', { params, body: this.signed(report) });
  }

  /** One logical-time step: renew calibration, report metrics, and now and then fail. */
  async step(): Promise<StepEvent[]> {
    if (!this.id || this.spec.domain === 'K') return [];
    const events: StepEvent[] = [];
    const w = await this.client.GET('/v1/providers/{provider}/workload', {
      params: { path: { provider: this.id } },
    });
    // Fields of the provider the OpenAPI document leaves open (it declares id, name, domain, health).
    const provider = w.provider as typeof w.provider & {
      lastReportSeq: number;
      capacity: { qubits: number };
    };
    const l = w.l;
    const name = this.spec.name;
    if (provider.health !== 'ok') {
      await this.register();
      events.push({
        provider: name,
        kind: 'reattested',
        detail: `${name} re-attested after a hardware failure`,
      });
      return events;
    }
    const seq = new ReportSequence(provider.lastReportSeq);
    const live = w.contracts
      .filter((c) => c.status === 'active' || c.status === 'issued')
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    if (chance(this.noiseSeed, name, l, 'hardware', this.rates.hardware)) {
      await this.reportError({
        provider: this.id,
        seq: seq.next(),
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
      const latest = Math.max(0, ...w.calibrations.map((c) => c.until as number));
      if (latest <= l + Math.floor(this.calibrationValidity / 4)) {
        await this.client.POST('/v1/providers/{provider}/calibrations', {
          params: { path: { provider: this.id } },
          body: { from: l, until: l + this.calibrationValidity },
        });
        events.push({
          provider: name,
          kind: 'calibration',
          detail: `${name} calibrated for [${l}, ${l + this.calibrationValidity})`,
        });
      }
      const spike = chance(this.noiseSeed, name, l, 'spike', this.rates.spike);
      const qubits = Math.min(8, provider.capacity.qubits);
      await this.reportQ({
        provider: this.id,
        seq: seq.next(),
        qubits: qReadings(this.noiseSeed, name, l, qubits, spike),
      });
      events.push({ provider: name, kind: 'report', detail: `${name} Q metrics at L ${l}` });
      if (spike && live.length > 0) {
        const victim = live[between(this.noiseSeed, name, l, 'victim', 0, live.length - 1)]!;
        await this.reportError({
          provider: this.id,
          seq: seq.next(),
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
        await this.reportPhi({ provider: this.id, seq: seq.next(), envelopes });
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
