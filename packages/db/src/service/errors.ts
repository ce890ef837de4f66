import { type ErrorParams, PROTOCOL_VERSION, type StoreErrorCode } from '@xdv/core';
import { DbError } from '../driver.js';

// The service's failures, each with its stable code (see @xdv/core's STORE_ERROR_CODES).

/** A break in the trace or its seal: the first bad seq and why. */
export type Break = { seq: number; reason: string };

/** Another process committed the same Idempotency-Key first: its caller reads the stored answer. */
export class OnceConflict extends Error {}

export function onceMismatch(): DbError {
  return new DbError(
    'HV_IDEMPOTENCY_MISMATCH',
    'This Idempotency-Key was used with a different request; use a new key.',
  );
}

/** The store holds a trace this release cannot replay: refused at start, before anything is written. */
export class ProtocolMismatch extends Error {
  readonly code: StoreErrorCode = 'HV_PROTOCOL_MISMATCH';
  readonly params: ErrorParams;
  constructor(readonly found: number | null) {
    super(
      found === null
        ? `The database's first trace entry is not a genesis entry, so its protocol is unknown; this server writes protocol ${PROTOCOL_VERSION}. Point XDV_DATA_DIR or DATABASE_URL at this server's own store.`
        : `The database holds a trace written with protocol ${found}; this server reads and writes protocol ${PROTOCOL_VERSION}. ` +
            `Start it with a new data directory (XDV_DATA_DIR) or an empty database, or run the release that wrote protocol ${found} to read the old trace (export it first).`,
    );
    this.name = 'ProtocolMismatch';
    this.params = { expected: PROTOCOL_VERSION, found };
  }
}

export function brokenError(b: { seq: number; reason: string }): DbError {
  return Object.assign(
    new DbError(
      'HV_TRACE_BROKEN',
      `trace broken at seq ${b.seq}: ${b.reason}; writes are refused`,
      undefined,
      {
        seq: b.seq,
      },
    ),
    { seq: b.seq },
  );
}

/** The break to report: the lower seq (the seal's on a tie: it names the attack). */
export function pickBreak(a: Break | null, b: Break | null): Break | null {
  if (!a) return b;
  if (!b) return a;
  return a.seq < b.seq ? a : b;
}

export function flushError(e: unknown): DbError {
  return new DbError('HV_DB_FLUSH_FAILED', `commit failed: ${(e as Error)?.message ?? String(e)}`, e);
}
