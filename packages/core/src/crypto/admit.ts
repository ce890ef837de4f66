import type { Command } from '../model/commands.js';
import type { State } from '../model/state.js';
import { verify } from './signatures.js';

/**
 * Admission: verify a signed command once, before it reaches the core, and attach the verdict.
 * The trace keeps signature and verdict; replay trusts the verdict, audit mode calls this again.
 */
export function admit(state: State, cmd: Command): Command {
  switch (cmd.type) {
    case 'provider.register': {
      const ok = verify(
        'xdv/provider-registration/v1',
        cmd.registration,
        cmd.auth?.signature ?? '',
        cmd.registration?.publicKey ?? '',
      );
      return { ...cmd, auth: { signature: cmd.auth?.signature ?? '', verified: ok } };
    }
    case 'report.q':
    case 'report.phi':
    case 'report.error': {
      const p = state.providers[cmd.report?.provider];
      const ok =
        p !== undefined &&
        verify('xdv/provider-report/v1', cmd.report, cmd.auth?.signature ?? '', p.publicKey);
      return { ...cmd, auth: { signature: cmd.auth?.signature ?? '', verified: ok } } as Command;
    }
    default:
      return cmd;
  }
}
