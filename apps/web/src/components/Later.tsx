import { type ReactNode, startTransition, useEffect, useState } from 'react';

/**
 * Children mounted after the first commit, in a transition: React renders them in slices that
 * yield to the browser (no long task), after what is above them has painted, and their requests go
 * out after the ones of the content that is shown first. For panels below the fold.
 */
export function Later({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(false);
  useEffect(() => startTransition(() => setShown(true)), []);
  return shown ? children : null;
}
