import type { Query } from '../driver.js';

/**
 * Keyed answers (Idempotency-Key), written in the transaction of the batch that executed their
 * commands. An expired answer under the same key is replaced; a live one makes the insert fail,
 * which aborts the batch (another writer executed that key first).
 */
export interface AnswerRow {
  principal: string;
  key: string;
  requestHash: string;
  status: number;
  body: string;
  ttlSeconds: number;
}

export async function writeAnswers(q: Query, rows: readonly AnswerRow[]): Promise<void> {
  for (const r of rows) {
    await q.query(
      'DELETE FROM "idempotency_keys" WHERE "principal" = $1 AND "key" = $2 AND "expires_at" <= now()',
      [r.principal, r.key],
      'xdv_answer_expire',
    );
    await q.query(
      `INSERT INTO "idempotency_keys" ("principal","key","request_hash","status","body","expires_at")
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [r.principal, r.key, r.requestHash, r.status, r.body, r.ttlSeconds],
      'xdv_answer_insert',
    );
  }
}

/** Another process committed the same Idempotency-Key first (the batch's answer insert conflicted). */
export function isOnceConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; message?: string };
  return (
    err?.code === '23505' &&
    (err.constraint === 'idempotency_keys_principal_key_pk' || /idempotency_keys/.test(err.message ?? ''))
  );
}

/** Another writer appended at the same seq first. */
export function isSeqConflict(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string; message?: string };
  return err?.code === '23505' && (err.constraint === 'trace_pkey' || /trace_pkey/.test(err.message ?? ''));
}
