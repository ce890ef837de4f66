import { render, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { describe, expect, it } from 'vitest';
import { Later } from '../src/components/Later';

// Panels below the fold mount after the first commit, one per commit, in their order: no single
// task inserts and lays out all of them.

function panels(host: HTMLElement) {
  return [...host.querySelectorAll('p')].map((e) => e.textContent);
}

describe('Later', () => {
  it('mounts nothing in the first commit, then every child in order', async () => {
    const { container } = render(
      <Later>
        <p>one</p>
        <p>two</p>
        {null}
        <p>three</p>
      </Later>,
    );
    expect(panels(container)).toEqual([]);
    await screen.findByText('three');
    expect(panels(container)).toEqual(['one', 'two', 'three']);
  });

  it('commits one child at a time', async () => {
    const host = document.body.appendChild(document.createElement('div'));
    // The number of panels in the document at each commit of the tree.
    const atCommit: number[] = [];
    render(
      <Profiler id="later" onRender={() => atCommit.push(host.querySelectorAll('p').length)}>
        <Later>
          <p>one</p>
          <p>two</p>
          <p>three</p>
        </Later>
      </Profiler>,
      { container: host },
    );
    await screen.findByText('three');
    expect(atCommit).toEqual([0, 1, 2, 3]);
  });
});
