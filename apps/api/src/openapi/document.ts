import type { SwaggerOptions } from '@fastify/swagger';
import type { OperationCodes } from './codes.js';
import { CURATED } from './curated.js';
import { DESCRIPTIONS, TAGS } from './descriptions.js';
import { addExamples } from './examples.js';
import { declareProblems } from './problems.js';
import type { OpenApiDocument, Operation } from './types.js';

// The OpenAPI 3.1 document's frame (info, servers, tags, security) and the one transform that
// completes what the route schemas declare: problem+json errors with per-operation codes,
// descriptions and examples. Routes stay as they are; this is the only place the document is shaped.

export function swaggerOptions(version: string, codes: OperationCodes): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'XDV Domain Hypervisor API',
        version,
        summary: 'Control plane of the XDV Domain Hypervisor (XDV-083)',
        description:
          'Every mutation is a command decided by the deterministic core and recorded in the hash-chained trace, accepted or refused. Errors are RFC 9457 `application/problem+json` with a stable `code`; each operation declares the codes it can answer with. Authenticate with `Authorization: Bearer <token>`; the first operator token is printed once when the server first starts.',
        contact: { name: 'XDV control plane maintainers', url: 'https://xdv.dev' },
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: [
        {
          url: '{origin}',
          description: 'an XDV server (`npm start` listens on http://localhost:8080)',
          variables: {
            origin: { default: 'http://localhost:8080', description: 'scheme, host and port of the server' },
          },
        },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token (operator, tenant admin or viewer, provider), in this header only.',
          },
        },
      },
      security: [{ bearer: [] }],
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    },
    transformObject: (documents) => {
      if (!('openapiObject' in documents)) return documents.swaggerObject;
      const doc = documents.openapiObject as OpenApiDocument;
      declareProblems(doc, codes);
      describe(doc);
      addExamples(doc, CURATED);
      return doc as typeof documents.openapiObject;
    },
  };
}

/** Each operation's description: the route's own, else the table's. */
function describe(doc: OpenApiDocument): void {
  for (const item of Object.values(doc.paths ?? {}))
    for (const op of Object.values(item) as Operation[])
      if (!op.description && op.operationId && DESCRIPTIONS[op.operationId])
        op.description = DESCRIPTIONS[op.operationId];
}
