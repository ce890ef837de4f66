import { screen } from '@testing-library/react';
import { run, scenario } from '@xdv/core';
import { describe, expect, it } from 'vitest';
import { EntryDetail } from '../src/views/Trace';
import { renderWithClient } from './helpers';

describe('trace entry detail', () => {
  it('renders a rejected entry’s reason from its recorded code and params (the trace holds no text)', () => {
    const { results } = run([
      scenario.genesisCmd(),
      { type: 'clock.advance', ticks: 0, actor: scenario.OPERATOR },
    ]);
    const e = results[1]!.entries[0]!;
    expect(e.outcome).toBe('rejected');
    expect(e.text).not.toContain('must be at least');
    renderWithClient(<EntryDetail e={e} />);
    expect(screen.getByText('HV_INVALID_COMMAND')).toBeTruthy();
    expect(screen.getByText('ticks must be at least 1.')).toBeTruthy();
  });
});
