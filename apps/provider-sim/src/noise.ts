import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

// A seeded, deterministic noise model over logical time. Every draw is a hash of (seed, source,
// L, what), so the same seed gives the same readings whatever the order they are asked in.

export function draw(seed: number, source: string, l: number, what: string): number {
  const h = sha256(utf8ToBytes(`${seed}|${source}|${l}|${what}`));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/** Integer in [lo, hi]. */
export function between(
  seed: number,
  source: string,
  l: number,
  what: string,
  lo: number,
  hi: number,
): number {
  return lo + (draw(seed, source, l, what) % (hi - lo + 1));
}

/** True with probability permille/1000. */
export function chance(seed: number, source: string, l: number, what: string, permille: number): boolean {
  return draw(seed, source, l, what) % 1000 < permille;
}

/** A slow drift in [-amp, amp] with the given period in L, as an integer triangle wave (no floats in decisions). */
export function drift(l: number, period: number, amp: number, phase: number): number {
  const t = (l + phase) % period;
  const half = period / 2;
  return Math.round(((t < half ? t : period - t) / half) * 2 * amp - amp);
}

export interface QReading {
  qubit: number;
  t1: number;
  t2: number;
  fidelity: number;
  readoutError: number;
}

/** Q metrics per qubit at L. A decoherence spike collapses T1/T2 and fidelity on one qubit. */
export function qReadings(
  seed: number,
  source: string,
  l: number,
  qubits: number,
  spike: boolean,
): QReading[] {
  const out: QReading[] = [];
  for (let q = 0; q < qubits; q++) {
    const k = `${source}:q${q}`;
    const d = drift(l, 240, 15, q * 37);
    const hit = spike && q === between(seed, source, l, 'spike-qubit', 0, qubits - 1);
    out.push({
      qubit: q,
      t1: hit ? between(seed, k, l, 't1s', 8, 30) : 110 + d + between(seed, k, l, 't1', -8, 8),
      t2: hit ? between(seed, k, l, 't2s', 4, 20) : 80 + d + between(seed, k, l, 't2', -6, 6),
      fidelity: hit ? between(seed, k, l, 'fs', 9400, 9800) : 9955 + between(seed, k, l, 'f', -30, 30),
      readoutError: hit ? between(seed, k, l, 'rs', 350, 700) : 120 + between(seed, k, l, 'r', -40, 60),
    });
  }
  return out;
}

export interface PhiReading {
  envelope: string;
  stability: number;
  noise: number;
  drift: number;
  impact: number;
}

/** Φ metrics per envelope at L. A breach drops the stability index far below any tolerance. */
export function phiReading(
  seed: number,
  source: string,
  l: number,
  envelope: string,
  breach: boolean,
): PhiReading {
  const k = `${source}:${envelope}`;
  return {
    envelope,
    stability: breach
      ? between(seed, k, l, 'sb', 2000, 5000)
      : 9300 + drift(l, 180, 200, 11) + between(seed, k, l, 's', -150, 150),
    noise: breach ? between(seed, k, l, 'nb', 1600, 3000) : 300 + between(seed, k, l, 'n', 0, 400),
    drift: 200 + Math.abs(drift(l, 300, 150, 3)) + between(seed, k, l, 'd', 0, 100),
    impact: between(seed, k, l, 'i', 0, 200),
  };
}
