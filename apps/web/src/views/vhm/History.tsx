import type { ReactNode } from 'react';

/**
 * Ended objects (released bindings, released or revoked contracts) kept out of the way: the panel
 * shows what is live, and the history opens on demand.
 */
export function History({ count, what, children }: { count: number; what: string; children: ReactNode }) {
  if (count === 0) return null;
  return (
    <details className="history">
      <summary>
        History · {count} ended {what}
      </summary>
      {children}
    </details>
  );
}
