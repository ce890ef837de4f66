import { describe, expect, it } from 'vitest';
import { NOT_A_PROBLEM, unwrap, XdvProblem } from '../src/index.js';

describe('XdvProblem', () => {
  it('carries the problem document of an error answer', () => {
    const response = new Response(null, { status: 404, statusText: 'Not Found' });
    const p = XdvProblem.fromResponse(response, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'HV_NOT_FOUND',
      detail: 'vhm vhm-9 does not exist',
      params: { id: 'vhm-9', kind: 'vhm' },
    });
    expect(p).toBeInstanceOf(Error);
    expect([p.status, p.code, p.title, p.detail]).toEqual([
      404,
      'HV_NOT_FOUND',
      'Not Found',
      'vhm vhm-9 does not exist',
    ]);
    expect(p.params).toEqual({ id: 'vhm-9', kind: 'vhm' });
    expect(p.message).toBe('HV_NOT_FOUND: vhm vhm-9 does not exist');
  });

  it('names a body that is no problem document by its own code, with the status and the text', () => {
    const p = XdvProblem.fromResponse(
      new Response(null, { status: 502, statusText: 'Bad Gateway' }),
      'upstream down',
    );
    expect([p.status, p.code, p.title]).toEqual([502, NOT_A_PROBLEM, 'Bad Gateway']);
    expect(p.detail).toContain('upstream down');
    expect(p.params).toEqual({});
  });

  it('unwrap returns the data of a success and throws the problem of a failure', () => {
    expect(unwrap({ data: { l: 3 }, response: new Response(null, { status: 200 }) })).toEqual({ l: 3 });
    expect(() =>
      unwrap({
        error: { type: 'about:blank', title: 'Conflict', status: 409, code: 'HV_CONFLICT', detail: 'stale' },
        response: new Response(null, { status: 409 }),
      }),
    ).toThrow(XdvProblem);
  });
});
