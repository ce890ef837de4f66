import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CTS_DEVELOPMENT_SEED, keyPairFromSeed, verify } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Problem } from '../schemas.js';

// The latest XDV-084 compliance report (written by `npm run cts`), with its signature checked on
// every read: the console shows what the report says and whether it is authentic.

const Verdict = Type.Object({
  ok: Type.Boolean(),
  reason: Type.String(),
  publicKey: Type.Union([Type.String(), Type.Null()]),
  developmentKey: Type.Boolean({
    description:
      "signed with the suite's published development key: proves the report is intact, not who ran it",
  }),
});

let devKey: string | null = null;
/** The development key's public half, derived once (ML-DSA key generation takes milliseconds). */
function developmentPublicKey(): string {
  devKey ??= keyPairFromSeed(CTS_DEVELOPMENT_SEED).publicKey;
  return devKey;
}

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
          writtenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
            description: 'when the report file was written (its modification time)',
          }),
          signature: Type.Union([Verdict, Type.Null()]),
          report: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
        }),
        401: Problem,
      },
    },
    handler: async () => {
      const path = resolve(reportPath);
      if (!existsSync(path)) return { present: false, path, writtenAt: null, signature: null, report: null };
      const writtenAt = statSync(path).mtime.toISOString();
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
          writtenAt,
          signature: {
            ok: false,
            reason: 'the report file is not JSON',
            publicKey: null,
            developmentKey: false,
          },
          report: null,
        };
      }
      const sig = file.signature;
      const publicKey = typeof sig?.publicKey === 'string' ? sig.publicKey : null;
      const developmentKey = publicKey !== null && publicKey === developmentPublicKey();
      let verdict = {
        ok: false,
        reason: 'no ML-DSA-65 compliance-report signature',
        publicKey,
        developmentKey,
      };
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
          developmentKey,
        };
      }
      return {
        present: true,
        path,
        writtenAt,
        signature: verdict,
        report: (file.body as Record<string, unknown>) ?? null,
      };
    },
  });
}
