import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verify } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Problem } from '../schemas.js';

// The latest XDV-084 compliance report (written by `npm run cts`), with its signature checked on
// every read: the console shows what the report says and whether it is authentic.

const Verdict = Type.Object({
  ok: Type.Boolean(),
  reason: Type.String(),
  publicKey: Type.Union([Type.String(), Type.Null()]),
});

export function complianceRoutes(app: FastifyInstance, reportPath: string): void {
  app.get('/compliance', {
    schema: {
      summary: 'The latest conformance (XDV-084) report and whether its ML-DSA-65 signature verifies',
      operationId: 'getCompliance',
      tags: ['trace'],
      security: [{ bearer: [] }],
      response: {
        200: Type.Object({
          present: Type.Boolean(),
          path: Type.String(),
          signature: Type.Union([Verdict, Type.Null()]),
          report: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
        }),
        401: Problem,
      },
    },
    handler: async () => {
      const path = resolve(reportPath);
      if (!existsSync(path)) return { present: false, path, signature: null, report: null };
      let file: {
        body?: unknown;
        signature?: { algorithm?: unknown; kind?: unknown; publicKey?: unknown; value?: unknown };
      };
      try {
        file = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        return {
          present: true,
          path,
          signature: { ok: false, reason: 'the report file is not JSON', publicKey: null },
          report: null,
        };
      }
      const sig = file.signature;
      const publicKey = typeof sig?.publicKey === 'string' ? sig.publicKey : null;
      let verdict = { ok: false, reason: 'no ML-DSA-65 compliance-report signature', publicKey };
      if (
        sig?.algorithm === 'ML-DSA-65' &&
        sig.kind === 'xdv/compliance-report/v1' &&
        publicKey &&
        typeof sig.value === 'string'
      ) {
        const ok = verify('xdv/compliance-report/v1', file.body, sig.value, publicKey);
        verdict = {
          ok,
          reason: ok
            ? 'signature verifies over the report body'
            : 'signature does not verify: the report was altered or signed by another key',
          publicKey,
        };
      }
      return {
        present: true,
        path,
        signature: verdict,
        report: (file.body as Record<string, unknown>) ?? null,
      };
    },
  });
}
