import { startTransition, useEffect, useState } from 'react';

/**
 * A count that climbs to `target` by `step` per task: `first` at the first render, then `step` more
 * in each later task, each a transition. What a component draws by this count is inserted and laid
 * out in several short tasks rather than one long one (components/Later, the trace's rows).
 */
export function useStepped(target: number, step: number, first: number): number {
  const [n, setN] = useState(first);
  useEffect(() => {
    if (n >= target) return;
    const t = setTimeout(() => startTransition(() => setN((c) => Math.min(target, c + step))), 0);
    return () => clearTimeout(t);
  }, [n, target, step]);
  return Math.min(target, Math.max(n, first));
}
