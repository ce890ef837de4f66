import { describe, expect, it } from 'vitest';
import { chance, drift, phiReading, qReadings } from '../src/noise.js';

describe('noise model', () => {
  it('is a pure function of seed, source and logical time', () => {
    expect(qReadings(1, 'qpu', 42, 4, false)).toEqual(qReadings(1, 'qpu', 42, 4, false));
    expect(qReadings(1, 'qpu', 42, 4, false)).not.toEqual(qReadings(2, 'qpu', 42, 4, false));
    expect(phiReading(1, 'phi', 9, 'env-1', false)).toEqual(phiReading(1, 'phi', 9, 'env-1', false));
  });

  it('keeps readings in range and integer, and spikes and breaches cross the thresholds', () => {
    for (let l = 0; l < 200; l++) {
      for (const q of qReadings(5, 'qpu', l, 8, false)) {
        expect(Number.isInteger(q.t1) && q.t1 >= 50).toBe(true);
        expect(q.fidelity).toBeGreaterThanOrEqual(9900);
        expect(q.readoutError).toBeLessThanOrEqual(300);
      }
      const p = phiReading(5, 'phi', l, 'env-1', false);
      expect(p.stability).toBeGreaterThanOrEqual(8900);
      expect(p.stability).toBeLessThanOrEqual(10000);
      expect(phiReading(5, 'phi', l, 'env-1', true).stability).toBeLessThan(6000);
    }
    const spiked = qReadings(5, 'qpu', 10, 8, true);
    expect(spiked.some((q) => q.t1 < 50 && q.fidelity < 9900)).toBe(true);
  });

  it('fires faults at about the configured rate, and drifts without floats leaking out', () => {
    let n = 0;
    for (let l = 0; l < 10000; l++) if (chance(3, 'x', l, 'spike', 30)) n++;
    expect(n).toBeGreaterThan(200);
    expect(n).toBeLessThan(400);
    for (let l = 0; l < 500; l++) expect(Number.isInteger(drift(l, 240, 15, 3))).toBe(true);
  });
});
