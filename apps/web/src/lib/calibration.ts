import type { Calibration } from '@xdv/core';

/** A Q contract's calibration at L `now`: valid in [from, until), as the core checks before a job. */
export interface CalibrationStatus {
  valid: boolean;
  /** Why a job cannot run now, or null. */
  reason: string | null;
  /** "valid L 100–600 (480 ticks left)" and the like. */
  text: string;
}

export function calibrationStatus(cal: Calibration | undefined, id: string, now: number): CalibrationStatus {
  if (!cal)
    return {
      valid: false,
      reason: `Calibration ${id} is not known to this console.`,
      text: `calibration ${id}`,
    };
  const span = `L ${cal.from}–${cal.until}`;
  if (now < cal.from)
    return {
      valid: false,
      reason: `Calibration ${id} is valid from L ${cal.from}; the current L is ${now}.`,
      text: `${id} valid ${span} (not yet)`,
    };
  if (now >= cal.until)
    return {
      valid: false,
      reason: `Calibration ${id} expired at L ${cal.until}: a job would be refused before execution. Allocate a contract on a current calibration.`,
      text: `${id} expired at L ${cal.until}`,
    };
  return { valid: true, reason: null, text: `${id} valid ${span} (${cal.until - now} ticks left)` };
}
