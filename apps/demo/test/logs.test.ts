import { describe, expect, it } from 'vitest';
import { prettyLine } from '../src/logs.js';

describe('terminal log lines', () => {
  it('turn a request log into one short line with method, URL, status and time', () => {
    const t = Date.UTC(2026, 11, 6, 3, 4, 5, 67);
    expect(
      prettyLine(
        JSON.stringify({
          level: 30,
          time: t,
          reqId: 'req-7',
          res: { statusCode: 201 },
          responseTime: 3.25,
          msg: 'request completed',
        }),
      ),
    ).toBe('03:04:05.067 INFO  [req-7] → 201 3.3 ms\n');
    expect(
      prettyLine(
        JSON.stringify({ level: 40, time: t, msg: 'simulator step failed', err: { message: 'boom' } }),
      ),
    ).toBe('03:04:05.067 WARN  simulator step failed (boom)\n');
  });

  it('pass a line that is not JSON through unchanged', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
  });
});
