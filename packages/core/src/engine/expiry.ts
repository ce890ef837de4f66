import { endContract } from '../transitions/resources.js';
import type { Ctx } from './context.js';

/** Close every Φ coherence window whose end has been reached (XDV-023 §5.3): reclaim and log. */
export function expireWindows(ctx: Ctx): void {
  const s = ctx.state;
  while (s.phiExpiry.length > 0 && s.phiExpiry[0]![0] <= s.l) {
    const [, id] = s.phiExpiry[0]!;
    const c = s.contracts[id]!;
    if (c.status !== 'issued' && c.status !== 'active') {
      s.phiExpiry.shift();
      continue;
    }
    // endContract removes the entry from phiExpiry.
    endContract(ctx, c, 'released', 'coherence window expired');
  }
}
