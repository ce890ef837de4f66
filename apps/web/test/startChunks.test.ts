// @vitest-environment node
import { resolve } from 'node:path';
import type { Rolldown } from 'vite';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';

// The production build, in memory: what every page loads before the console can start. Each file
// is a request, and a browser sends six at a time per origin, so on a slow network every six more
// is another round trip (vite.config.ts, startChunks).

const root = resolve(import.meta.dirname, '..');

async function bundle(): Promise<{ html: string; chunks: Map<string, Rolldown.OutputChunk> }> {
  const out = await build({ root, logLevel: 'silent', build: { write: false, sourcemap: false } });
  const outputs = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : []));
  const html = outputs.find((o) => o.fileName === 'index.html');
  const chunks = new Map<string, Rolldown.OutputChunk>();
  for (const o of outputs) if (o.type === 'chunk') chunks.set(o.fileName, o);
  if (html?.type !== 'asset') throw new Error('no index.html in the build');
  return { html: String(html.source), chunks };
}

describe('the chunks every page loads', () => {
  it('are at most eight files, preloaded by index.html, and carry no page and no verification code', async () => {
    const { html, chunks } = await bundle();
    const start = [...html.matchAll(/(?:href|src)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(start.length).toBeGreaterThanOrEqual(4);
    expect(start.length).toBeLessThanOrEqual(8);
    const modules = start.flatMap((f) => Object.keys(chunks.get(f)?.modules ?? {}));
    const src = (p: string) => modules.some((m) => m.replace(/\\/g, '/').endsWith(p));
    // The console and what it imports statically: the router, the data hooks, the overview.
    for (const p of ['/src/boot.tsx', '/src/routes.tsx', '/src/api/data.ts', '/src/views/Overview.tsx'])
      expect(src(p), p).toBe(true);
    // Code-split pages and the signature check stay out of the start.
    for (const p of ['/src/views/vhm/VhmDetail.tsx', '/src/views/Trace.tsx', '/src/lib/headVerify.ts'])
      expect(src(p), p).toBe(false);
    expect(modules.filter((m) => /@noble[\\/]|[\\/]uplot[\\/]/.test(m))).toEqual([]);
    // No stylesheet to wait for: the entry's CSS is inlined in index.html, and none of the other
    // start files brings one (importing it would wait for the stylesheet's round trip).
    const entry = [...chunks.values()].find((c) => c.isEntry)!;
    const css = start
      .filter((f) => f !== entry.fileName)
      .flatMap((f) => [...(chunks.get(f)?.viteMetadata?.importedCss ?? [])]);
    expect(css).toEqual([]);
    expect(html).not.toMatch(/<link rel="stylesheet"/);
    // Every file the entry imports, directly or through its steps, is preloaded (no hidden round trip).
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const i of chunks.get(f)?.imports ?? []) visit(i);
    };
    visit(entry.fileName);
    for (const d of entry.dynamicImports) visit(d);
    expect([...seen].sort()).toEqual([...start].sort());
  }, 60_000);
});
