import { ERROR_CODES, renderMessage } from '@xdv/core';
import { DbError } from '@xdv/db';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError, errorHandler, statusOf } from '../src/errors.js';

// One status per declared code (the compiler checks the table is complete; this checks its values),
// and store errors answer with their own code and a rendered detail instead of a bare 500.

describe('error codes and statuses', () => {
  it('gives every declared code an HTTP error status', () => {
    for (const code of ERROR_CODES) {
      const s = statusOf(code);
      expect(s, code).toBeGreaterThanOrEqual(400);
      expect(s, code).toBeLessThan(600);
    }
    expect(statusOf('NOT_A_CODE')).toBe(500);
  });

  it('maps store errors to their codes, renders detail from their params, and keeps driver text out', async () => {
    const app = Fastify({ logger: false });
    app.setErrorHandler(errorHandler);
    app.get('/broken', async () => {
      throw new DbError('HV_TRACE_BROKEN', 'trace broken at seq 7: hash mismatch', undefined, { seq: 7 });
    });
    app.get('/flush', async () => {
      throw new DbError(
        'HV_DB_FLUSH_FAILED',
        'commit failed: relation "trace" secret detail',
        new Error('x'),
      );
    });
    app.get('/api', async () => {
      throw new ApiError('HV_PRECONDITION_FAILED', 'The resource changed; fetch it again and retry.');
    });
    const broken = await app.inject({ method: 'GET', url: '/broken' });
    expect(broken.statusCode).toBe(503);
    expect(broken.json()).toMatchObject({
      code: 'HV_TRACE_BROKEN',
      detail: renderMessage('HV_TRACE_BROKEN', { seq: 7 }),
      params: { seq: 7 },
    });
    const flush = await app.inject({ method: 'GET', url: '/flush' });
    expect(flush.statusCode).toBe(503);
    expect(flush.json().code).toBe('HV_DB_FLUSH_FAILED');
    expect(flush.body).not.toContain('secret');
    const api = await app.inject({ method: 'GET', url: '/api' });
    expect(api.statusCode).toBe(412);
    expect(api.json().code).toBe('HV_PRECONDITION_FAILED');
    await app.close();
  });
});
