import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveRejectionCodes, OUTPUT, render } from '../scripts/rejection-codes.mjs';
import { parseEntry, REJECTIONS_BY_COMMAND, TRANSITIONS } from '../src/index.js';

// The per-command rejection codes feed the OpenAPI document's per-operation `code` enums: the table
// must be what the source says today, and it must cover every refusal the golden trace records.

describe('REJECTIONS_BY_COMMAND', () => {
  it('is the generator’s output for the current source (run scripts/rejection-codes.mjs when stale)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(render(deriveRejectionCodes()));
  });

  it('names every command type', () => {
    expect(Object.keys(REJECTIONS_BY_COMMAND).sort()).toEqual(Object.keys(TRANSITIONS).sort());
  });

  it('holds every code the golden trace refused each command type with', () => {
    const file = new URL('./golden/protocol-2.trace', import.meta.url);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(1);
    let refusals = 0;
    for (const line of lines) {
      const e = parseEntry(line.slice(65), line.slice(0, 64));
      if (e.outcome !== 'rejected' || !Object.hasOwn(REJECTIONS_BY_COMMAND, e.type)) continue;
      refusals++;
      const code = (e.payload as { code: string }).code;
      expect(
        REJECTIONS_BY_COMMAND[e.type as keyof typeof REJECTIONS_BY_COMMAND],
        `${e.type} ${code}`,
      ).toContain(code);
    }
    expect(refusals).toBeGreaterThan(40);
  });
});
