import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// What each page's chunk pulls in, from the static value imports of the sources (type imports
// are erased; dynamic import() is code-split and not followed). The chart library is loaded only
// when a chart is drawn: uPlot builds Intl formatters as it loads, which loads the locale data,
// tens of milliseconds that must not come before a page can draw.

const SRC = resolve(import.meta.dirname, '../src');
const STATIC = /^\s*import\s+(?!type\s)(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  if (!file.startsWith(SRC)) return seen;
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC)) {
    if (!spec!.startsWith('.')) {
      seen.add(spec!);
      continue;
    }
    const base = resolve(dirname(file), spec!);
    const found = ['', '.ts', '.tsx', '/index.ts']
      .map((x) => base + x)
      .find((f) => existsSync(f) && !f.endsWith('/'));
    if (found && !found.endsWith('.css')) closure(found, seen);
  }
  return seen;
}

const views = readdirSync(join(SRC, 'views'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.tsx'))
  .map((f) => join(SRC, 'views', f));

describe('page chunks', () => {
  it('no page evaluates the chart library with its own code; charts import it when they draw', () => {
    expect(views.filter((v) => closure(v).has('uplot')).map((v) => v.slice(SRC.length + 1))).toEqual([]);
    expect(closure(join(SRC, 'views/Providers.tsx')).has(join(SRC, 'components/Chart.tsx'))).toBe(true);
    expect(readFileSync(join(SRC, 'components/Chart.tsx'), 'utf8')).toContain("import('uplot')");
  });
  it('the fleet table page is not the detail page', () => {
    expect(closure(join(SRC, 'views/ProviderList.tsx')).has(join(SRC, 'views/Providers.tsx'))).toBe(false);
  });
});
