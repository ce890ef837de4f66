import { describe, expectTypeOf, it } from 'vitest';
import { createXdvClient } from '../src/index.js';

// Type-level checks (vitest typechecks these with tsc in `npm run typecheck`; at run time they only
// build the calls, never send them).

describe('typed calls', () => {
  it('narrow a mutation to its committed answer, or to the preview when the call asks for a dry run', () => {
    const xdv = createXdvClient({ baseUrl: 'http://127.0.0.1:9' });
    const commit = () => xdv.POST('/v1/vhms/{vhm}/pause', { params: { path: { vhm: 'vhm-1' } } });
    const preview = () =>
      xdv.POST('/v1/vhms/{vhm}/pause', { params: { path: { vhm: 'vhm-1' }, query: { dryRun: true } } });
    expectTypeOf<Awaited<ReturnType<typeof commit>>>().toHaveProperty('created');
    expectTypeOf<Awaited<ReturnType<typeof preview>>>().toHaveProperty('dryRun');
    expectTypeOf<Awaited<ReturnType<typeof preview>>['dryRun']>().toEqualTypeOf<true>();
    const clock = () => xdv.GET('/v1/clock');
    expectTypeOf<Awaited<ReturnType<typeof clock>>['l']>().toEqualTypeOf<number>();
  });
});
