import type { Command } from '../model/commands.js';
import type { State } from '../model/state.js';
import { type SignedKind, verify } from './signatures.js';

/** What verifying a signed command means: this signature over this payload, under this key. */
export interface SignatureCheck {
  kind: SignedKind;
  payload: unknown;
  signature: string;
  publicKey: string;
}

/**
 * The signature a command carries and the key it must verify under in this state, or null when the
 * command is not signed (or names no known provider: then it is refused unverified).
 */
export function signatureCheck(state: State, cmd: Command): SignatureCheck | null {
  switch (cmd.type) {
    case 'provider.register':
      return {
        kind: 'xdv/provider-registration/v1',
        payload: cmd.registration,
        signature: cmd.auth?.signature ?? '',
        publicKey: cmd.registration?.publicKey ?? '',
      };
    case 'report.q':
    case 'report.phi':
    case 'report.error': {
      const p = state.providers[cmd.report?.provider];
      if (p === undefined) return null;
      return {
        kind: 'xdv/provider-report/v1',
        payload: cmd.report,
        signature: cmd.auth?.signature ?? '',
        publicKey: p.publicKey,
      };
    }
    default:
      return null;
  }
}

// Verdicts computed before a command reached the core (the API verifies on worker threads, off the
// thread that steps the core), keyed by the very command object, so nothing read back from JSON
// (replay, another process) can carry one. Each is bound to the signature and key it was checked
// with; a key that changed in between is verified again here. A cache of a pure function: the
// verdict, and so every entry and hash, is the same with or without it.
const verdicts = new WeakMap<object, { signature: string; publicKey: string; verified: boolean }>();

/** Record the verdict of `signatureCheck(state, cmd)` computed elsewhere, for `admit` to use. */
export function attachVerdict(cmd: Command, check: SignatureCheck, verified: boolean): void {
  verdicts.set(cmd, { signature: check.signature, publicKey: check.publicKey, verified });
}

/**
 * Admission: verify a signed command once, before it reaches the core, and attach the verdict.
 * The trace keeps signature and verdict; replay trusts the verdict, audit mode calls this again.
 */
export function admit(state: State, cmd: Command): Command {
  switch (cmd.type) {
    case 'provider.register':
    case 'report.q':
    case 'report.phi':
    case 'report.error': {
      const check = signatureCheck(state, cmd);
      const known = verdicts.get(cmd);
      const ok =
        check !== null &&
        (known !== undefined && known.signature === check.signature && known.publicKey === check.publicKey
          ? known.verified
          : verify(check.kind, check.payload, check.signature, check.publicKey));
      return { ...cmd, auth: { signature: cmd.auth?.signature ?? '', verified: ok } } as Command;
    }
    default:
      return cmd;
  }
}
