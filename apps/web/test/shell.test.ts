import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IndexHtmlTransformContext, IndexHtmlTransformHook } from 'vite';
import { describe, expect, it } from 'vitest';
import { inlineEntryCss, lowPriorityEntryScripts, preloadEntryImports } from '../vite.config';

// The first paint waits for neither a stylesheet nor the script: the entry CSS is inlined into
// index.html at build time, and index.html carries a static shell React replaces.

describe('first paint', () => {
  it('inlines the entry stylesheet into the document and leaves other tags alone', () => {
    const hook = inlineEntryCss().transformIndexHtml as { handler: IndexHtmlTransformHook };
    const html =
      '<head><link rel="stylesheet" crossorigin href="/assets/index-abc.css"><link rel="icon" href="data:,"></head>';
    const bundle = {
      'assets/index-abc.css': { type: 'asset', source: '.a{color:red}' },
    } as unknown as IndexHtmlTransformContext['bundle'];
    const out = hook.handler.call({} as never, html, { path: '/index.html', filename: 'index.html', bundle });
    expect(out).toBe('<head><style>.a{color:red}</style><link rel="icon" href="data:,"></head>');
  });

  it('fetches the entry scripts at low priority: they never block the first paint', () => {
    const hook = lowPriorityEntryScripts().transformIndexHtml as { handler: IndexHtmlTransformHook };
    const html =
      '<script type="module" crossorigin src="/assets/index-a.js"></script><link rel="modulepreload" crossorigin href="/assets/ui-b.js"><link rel="icon" href="data:,">';
    const out = hook.handler.call({} as never, html, { path: '/index.html', filename: 'index.html' });
    expect(out).toBe(
      '<script type="module" fetchpriority="low" crossorigin src="/assets/index-a.js"></script><link rel="modulepreload" fetchpriority="low" crossorigin href="/assets/ui-b.js"><link rel="icon" href="data:,">',
    );
  });

  it('preloads what the entry imports in steps, and their imports, but not the code-split pages', () => {
    const hook = preloadEntryImports().transformIndexHtml as { handler: IndexHtmlTransformHook };
    const html =
      '<head><script type="module" crossorigin src="/assets/index-a.js"></script><link rel="modulepreload" crossorigin href="/assets/theme-t.js"></head>';
    const chunk = (imports: string[], dynamicImports: string[] = []) => ({
      type: 'chunk',
      imports,
      dynamicImports,
    });
    const bundle = {
      'assets/index-a.js': chunk(['assets/theme-t.js'], ['assets/react-dom-r.js', 'assets/boot-b.js']),
      'assets/theme-t.js': chunk([]),
      'assets/react-dom-r.js': chunk(['assets/react-x.js']),
      'assets/boot-b.js': chunk(
        ['assets/react-dom-r.js', 'assets/react-x.js', 'assets/theme-t.js'],
        ['assets/Trace-p.js'],
      ),
      'assets/react-x.js': chunk([]),
      'assets/Trace-p.js': chunk(['assets/react-x.js']),
    } as unknown as IndexHtmlTransformContext['bundle'];
    const out = hook.handler.call({} as never, html, {
      path: '/index.html',
      filename: 'index.html',
      bundle,
      chunk: bundle!['assets/index-a.js'] as IndexHtmlTransformContext['chunk'],
    });
    expect(out).toBe(
      '<head><script type="module" crossorigin src="/assets/index-a.js"></script><link rel="modulepreload" crossorigin href="/assets/theme-t.js">' +
        '<link rel="modulepreload" crossorigin href="/assets/react-dom-r.js"><link rel="modulepreload" crossorigin href="/assets/react-x.js"><link rel="modulepreload" crossorigin href="/assets/boot-b.js"></head>',
    );
  });

  it('index.html paints a top bar and a skeleton inside #root before any script', () => {
    const html = readFileSync(resolve(import.meta.dirname, '../index.html'), 'utf8');
    const root = html.slice(html.indexOf('<div id="root">'), html.indexOf('<script'));
    expect(root).toContain('class="topbar"');
    expect(root).toContain('XDV <span>View</span>');
    expect(root).toContain('class="skeleton"');
  });
});
