import { describe, expect, it } from 'vitest';
import { admit, attachVerdict, signatureCheck, verify } from '../src/index.js';
import { emptyState } from '../src/model/state.js';
import { registerCmd, registration } from '../src/scenario/builder.js';

// Admission verifies a signed command once. A verdict computed before the command reached the core
// (the API's worker threads) is used instead of verifying again, only for that very command object
// and only for the signature and key it was computed with.

const verdictOf = (cmd: ReturnType<typeof admit>) =>
  (cmd as { auth?: { verified?: boolean } }).auth?.verified;

describe('admission with a verdict computed elsewhere', () => {
  const reg = registration('qpu-a', 'Q', { qubits: 8 }, 7);
  const signed = () => registerCmd(reg, 7);

  it('verifies a signed command itself when no verdict is attached', () => {
    expect(verdictOf(admit(emptyState(), signed()))).toBe(true);
    const forged = { ...signed(), auth: { signature: 'ab'.repeat(10), verified: true } };
    expect(verdictOf(admit(emptyState(), forged))).toBe(false);
  });

  it('uses the attached verdict for the same command, signature and key (no second verification)', () => {
    const s = emptyState();
    const cmd = signed();
    const check = signatureCheck(s, cmd)!;
    expect(verify(check.kind, check.payload, check.signature, check.publicKey)).toBe(true);
    // A verdict that differs from what verification gives shows which one admission used.
    attachVerdict(cmd, check, false);
    expect(verdictOf(admit(s, cmd))).toBe(false);
  });

  it('ignores a verdict for another key, and one lost in a JSON round trip (replay, another process)', () => {
    const s = emptyState();
    const cmd = signed();
    const check = signatureCheck(s, cmd)!;
    attachVerdict(cmd, { ...check, publicKey: '00'.repeat(8) }, false);
    expect(verdictOf(admit(s, cmd))).toBe(true);
    const other = signed();
    attachVerdict(other, signatureCheck(s, other)!, false);
    expect(verdictOf(admit(s, JSON.parse(JSON.stringify(other))))).toBe(true);
  });

  it('has no signature to check for an unsigned command or a report from an unknown provider', () => {
    const s = emptyState();
    expect(signatureCheck(s, { type: 'clock.advance', ticks: 1, actor: { kind: 'operator' } })).toBeNull();
    const report = {
      type: 'report.error',
      report: { provider: 'prov-404', seq: 1, code: 'Q_ERR_DECOHERENCE', detail: {} },
      auth: { signature: '00', verified: true },
      actor: { kind: 'operator' },
    } as unknown as Parameters<typeof admit>[1];
    expect(signatureCheck(s, report)).toBeNull();
    expect(verdictOf(admit(s, report))).toBe(false);
  });
});
