import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { Plugin, Rolldown } from 'vite';
import { defineConfig } from 'vitest/config';

type ChunkingContext = Parameters<
  Extract<Rolldown.CodeSplittingGroup['name'], (...a: never[]) => unknown>
>[1];

/**
 * Reached from the console only through `@xdv/core`'s index, and executed only by the pages that
 * verify or replay (hash chain, ML-DSA signatures): left to the bundler, which puts them with those
 * pages (the bundler knows what is tree-shaken; a module graph walk does not).
 */
const VERIFY_ONLY = /node_modules\/@noble\/|packages\/core\/dist\/(trace\/(canonical|hash)|replay\/)/;

/**
 * The chunks every page loads: seven files instead of twenty. Left to itself the bundler gives each
 * set of importers its own shared chunk (the router's link, the data hooks, the clock…), and the
 * browser fetches them six at a time per origin: on a slow network each round of six is another
 * round trip before the console can start. Grouped here by the step that loads them: what the entry
 * (`main.tsx`) imports itself, React DOM (its first step), and the console (`boot.tsx`, its second
 * step, with everything it imports statically); the rest of the seven are the entry, the bundler's
 * runtime and a one-line facade per step. The steps stay separate chunks, so they are still
 * evaluated in separate tasks; code-split pages are left as they were. The module map is computed
 * once per build (`vite build`; the dev server does not bundle).
 */
export function startChunks(): Rolldown.CodeSplittingGroup[] {
  let groups: Map<string, string> | null = null;
  const build = (ctx: ChunkingContext): Map<string, string> => {
    const entry = ctx.getModuleInfo(resolve(import.meta.dirname, 'src/main.tsx'));
    if (!entry) throw new Error('startChunks: src/main.tsx is not in the module graph');
    const out = new Map<string, string>();
    const claim = (root: string, name: string, self: boolean) => {
      const todo = self ? [root] : [...(ctx.getModuleInfo(root)?.importedIds ?? [])];
      for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
        // Stylesheets stay with the entry, whose CSS index.html inlines (inlineEntryCss): in a
        // group they would become a stylesheet that importing the console waits for.
        if (out.has(id) || id === entry.id || /\.css($|\?)/.test(id)) continue;
        if (VERIFY_ONLY.test(id.replace(/\\/g, '/'))) continue;
        out.set(id, name);
        todo.push(...(ctx.getModuleInfo(id)?.importedIds ?? []));
      }
    };
    claim(entry.id, 'start', false);
    const [reactDom, boot] = ['react-dom/client', '/src/boot.tsx'].map((end) =>
      entry.dynamicallyImportedIds.find((id) => id.replace(/\\/g, '/').replace(/\.js$/, '').endsWith(end)),
    );
    if (!reactDom || !boot)
      throw new Error('startChunks: main.tsx no longer imports react-dom/client and ./boot');
    claim(reactDom, 'react', true);
    claim(boot, 'console', true);
    return out;
  };
  // One group per chunk, in the order the entry loads them: a group takes its modules' static
  // imports with it, so the earlier step's group must claim first (higher priority).
  return ['start', 'react', 'console'].map((name, i) => ({
    name: (id: string, ctx: ChunkingContext) => {
      groups ??= build(ctx);
      return groups.get(id) === name ? name : null;
    },
    debugName: name,
    priority: 3 - i,
  }));
}

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
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: { output: { codeSplitting: { groups: startChunks() } } },
  },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.tsx', 'test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
  },
});
