import { Children, type ReactNode } from 'react';
import { useStepped } from '../lib/stepped';

/**
 * Children mounted after the first commit, one at a time, each in a later task and a transition:
 * React renders each in slices that yield to the browser, and each is committed (DOM inserted, laid
 * out) on its own, so no single task holds them all; what is above them has painted first, and
 * their requests go out after the ones of the content shown first. For panels below the fold: they
 * appear in order, below what is already drawn, so nothing drawn moves.
 */
export function Later({ children }: { children: ReactNode }) {
  const items = Children.toArray(children);
  return items.slice(0, useStepped(items.length, 1, 0));
}
