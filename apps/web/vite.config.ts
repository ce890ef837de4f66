import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/** Write .br and .gz next to each text asset so a static server with preCompressed can send them. */
function precompress(): Plugin {
  return {
    name: 'xdv-precompress',
    apply: 'build',
    closeBundle() {
      const dir = join(import.meta.dirname, 'dist');
      const walk = (d: string): string[] =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
        );
      for (const f of walk(dir).filter((x) => /\.(js|css|html|svg|json)$/.test(x))) {
        const buf = readFileSync(f);
        if (buf.length < 1024) continue;
        writeFileSync(`${f}.br`, brotliCompressSync(buf));
        writeFileSync(`${f}.gz`, gzipSync(buf, { level: 9 }));
      }
    },
  };
}

/**
 * The entry's stylesheet inlined into index.html: a <link rel="stylesheet"> blocks the first paint
 * for a round trip; ~4.6 KB gzip of CSS in the document does not (the CSP allows inline styles).
 * Code-split views keep their own CSS files, loaded with their chunk.
 */
export function inlineEntryCss(): Plugin {
  return {
    name: 'xdv-inline-entry-css',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return html;
        return html.replace(
          /<link rel="stylesheet"[^>]*href="\/([^"]+\.css)"[^>]*>/g,
          (tag, file: string) => {
            const asset = bundle[file];
            if (asset?.type !== 'asset') return tag;
            const css =
              typeof asset.source === 'string' ? asset.source : new TextDecoder().decode(asset.source);
            return `<style>${css}</style>`;
          },
        );
      },
    },
  };
}

/**
 * Preload links for what the entry imports dynamically, and everything those chunks import
 * statically: src/main.tsx imports the console in steps (to evaluate it in separate tasks), and
 * without these the chunks would be requested only once the entry has run, a round trip later.
 * Code-split pages (imported dynamically by those chunks) are not preloaded.
 */
export function preloadEntryImports(): Plugin {
  return {
    name: 'xdv-preload-entry-imports',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const { bundle, chunk } = ctx;
        if (!bundle || !chunk) return html;
        const files = new Set<string>();
        const visit = (file: string) => {
          const c = bundle[file];
          if (files.has(file) || c?.type !== 'chunk') return;
          files.add(file);
          for (const i of c.imports) visit(i);
        };
        for (const d of chunk.dynamicImports) visit(d);
        const links = [...files]
          .filter((f) => f.endsWith('.js') && !html.includes(`/${f}"`))
          .map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`)
          .join('');
        return html.replace('</head>', `${links}</head>`);
      },
    },
  };
}

/**
 * The entry's scripts fetched at low priority. They never block the first paint (module scripts
 * run after parsing; the static shell in index.html paints without them), but Chrome fetches them
 * at High, which page-load models read as render-blocking; low also keeps them behind anything the
 * document itself needs.
 */
export function lowPriorityEntryScripts(): Plugin {
  return {
    name: 'xdv-low-priority-entry-scripts',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html) =>
        html.replace(
          /<(script type="module"|link rel="modulepreload")(?![^>]*fetchpriority)/g,
          '<$1 fetchpriority="low"',
        ),
    },
  };
}

export default defineConfig({
  plugins: [react(), inlineEntryCss(), preloadEntryImports(), lowPriorityEntryScripts(), precompress()],
  server: { proxy: { '/v1': 'http://127.0.0.1:8090' } },
  build: { outDir: 'dist', target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 600 },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.tsx', 'test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
  },
});
