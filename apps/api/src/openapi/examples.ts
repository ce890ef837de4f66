import type { JsonSchema, OpenApiDocument, Operation } from './types.js';

// Examples for every request body, path parameter and success response that has none: built from
// the schema itself (so they validate, which the OpenAPI linters check), with ids that look like the
// core's (`vhm-1`, `cap-1`) picked from the field's name. Routes and CURATED can give better ones.

/** The id prefix the core uses for what a field names. */
const ID_KIND: Record<string, string> = {
  vhm: 'vhm',
  a: 'vhm',
  b: 'vhm',
  parent: 'vhm',
  capability: 'cap',
  capabilityA: 'cap',
  capabilityB: 'cap',
  root: 'cap',
  contract: 'contract',
  binding: 'binding',
  provider: 'provider',
  target: 'provider',
  tenant: 'tenant',
  process: 'proc',
  calibration: 'cal',
  ipc: 'ipc',
  envelope: 'env',
  container: 'qc',
  token: 'tok',
  snapshot: 'snap',
  migration: 'mig',
  fault: 'fault',
  alert: 'alert',
  unit: 'unit',
};

/** Header parameters, by name. */
const HEADER_EXAMPLES: Record<string, string> = {
  'if-match': '"9c1185a5c5e9fc54612808977ee8f548"',
  'idempotency-key': 'deploy-2026-12-06-0001',
  'last-event-id': '42',
};

const MAX_DEPTH = 8;

function idFor(name: string): string {
  const kind = ID_KIND[name] ?? (/^[a-z]+$/.test(name) ? name : 'vhm');
  return `${kind}-1`;
}

function stringFor(s: JsonSchema, name: string): string {
  const pattern = typeof s.pattern === 'string' ? s.pattern : '';
  if (pattern === '^[a-z]+-[0-9]+$') return idFor(name);
  const hex = /^\^\[0-9a-f\](?:\+|\{(\d+)(?:,\d*)?\})\$$/.exec(pattern);
  if (hex) {
    const min = Number(hex[1] ?? (typeof s.minLength === 'number' ? s.minLength : 32));
    return 'a1b2c3d4e5f60718'.repeat(Math.ceil(min / 16) + 1).slice(0, Math.max(min, 2));
  }
  if (HEADER_EXAMPLES[name]) return HEADER_EXAMPLES[name];
  if (s.format === 'date-time') return '2026-12-06T03:00:00.000Z';
  if (s.format === 'uri') return 'https://xdv.dev/problems/hv-not-found';
  const base = name ? name.replace(/[^a-zA-Z0-9]/g, '') || 'text' : 'text';
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : 200;
  return base.padEnd(min, 'x').slice(0, max);
}

function numberFor(s: JsonSchema): number {
  const min = typeof s.minimum === 'number' ? s.minimum : 0;
  const max = typeof s.maximum === 'number' ? s.maximum : Number.MAX_SAFE_INTEGER;
  return Math.min(Math.max(min, 1), max);
}

/** An instance of the schema (JSON Schema 2020-12 as @fastify/swagger emits it). */
export function exampleOf(s: JsonSchema | undefined, name = '', depth = 0): unknown {
  if (!s || depth > MAX_DEPTH) return null;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const branches = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (branches) {
    const pick = branches.find((b) => b.type !== 'null') ?? branches[0];
    return exampleOf(pick, name, depth + 1);
  }
  if (Array.isArray(s.allOf)) {
    return Object.assign({}, ...(s.allOf as JsonSchema[]).map((p) => exampleOf(p, name, depth + 1)));
  }
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? s.type[0]) : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      for (const [k, p] of Object.entries(props))
        if (required.has(k) || depth === 0) out[k] = exampleOf(p, k, depth + 1);
      return out;
    }
    case 'array': {
      if (s.maxItems === 0) return [];
      const n = typeof s.minItems === 'number' ? Math.max(1, s.minItems) : 1;
      return Array.from({ length: n }, () => exampleOf(s.items as JsonSchema, name, depth + 1));
    }
    case 'string':
      return stringFor(s, name);
    case 'integer':
    case 'number':
      return numberFor(s);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** Request and response examples a person would write, by operation: they win over generated ones. */
export type CuratedExamples = Record<string, { request?: unknown; response?: unknown }>;

/** Fill in every missing example of the document. */
export function addExamples(doc: OpenApiDocument, curated: CuratedExamples): void {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item) as Operation[]) {
      const mine = (op.operationId && curated[op.operationId]) || {};
      for (const p of op.parameters ?? [])
        if (p.example === undefined) p.example = exampleOf(p.schema, p.name);
      for (const media of Object.values(op.requestBody?.content ?? {}))
        if (media.example === undefined && !media.examples)
          media.example = mine.request !== undefined ? mine.request : exampleOf(media.schema);
      for (const [status, res] of Object.entries(op.responses)) {
        if (!/^2/.test(status)) continue;
        for (const media of Object.values(res.content ?? {}))
          if (media.example === undefined && !media.examples)
            media.example = mine.response !== undefined ? mine.response : exampleOf(media.schema);
      }
    }
  }
}
