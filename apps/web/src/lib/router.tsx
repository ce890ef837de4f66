import { useNavigate, useRouterState } from '@tanstack/react-router';
import { useCallback } from 'react';

// Helpers over the route registry (src/routes.tsx) for what every page shares: the replay time.

export { Link, useNavigate } from '@tanstack/react-router';

/** The logical time being inspected (?at=L), or null for the live state. */
export function useAt(): number | null {
  // Read from the location (validated by the root route), not a match: any component can ask.
  return useRouterState({ select: (s) => s.location.search.at ?? null });
}

/** Sets or clears (null) the replay time on the current page. */
export function useSetAt(): (at: number | null) => void {
  const navigate = useNavigate();
  return useCallback(
    (at: number | null) => void navigate({ to: '.', search: (prev) => ({ ...prev, at: at ?? undefined }) }),
    [navigate],
  );
}

/** The current page's search params as the registry types them (every key optional). */
export function usePageSearch() {
  return useRouterState({ select: (s) => s.location.search });
}
