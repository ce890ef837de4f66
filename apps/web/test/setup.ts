import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// The DOM set-up below is for the jsdom tests; a build test runs in Node (no DOM).
if (typeof window !== 'undefined') domSetup();

function domSetup(): void {
  // jsdom has no layout: give scroll containers a viewport so the virtualiser renders a window.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.dataset.testid === 'tree-scroll' ? 600 : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
    configurable: true,
    get(this: HTMLElement) {
      return this.dataset.testid === 'tree-scroll' ? 1000 : 0;
    },
  });

  // findBy* waits up to 5 s: on a loaded 2-core machine a cold first render can take over 1 s.
  configure({ asyncUtilTimeout: 5000 });

  // jsdom has no scrolling; the router restores scroll positions on navigation.
  window.scrollTo = () => {};

  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    sessionStorage.clear();
    window.history.replaceState(null, '', '/');
  });
}
