import type { RouteOptions } from 'fastify';

// The methods each route path answers, so a known path asked with another method is told 405 with
// an Allow header, and only an unknown path 404. Filled from the onRoute hook.

export class MethodTable {
  readonly #routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  add(route: RouteOptions): void {
    if (route.url.includes('*')) return;
    let r = this.#routes.get(route.url);
    if (!r) {
      const source = route.url
        .split('/')
        .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      r = { pattern: new RegExp(`^${source}/?$`), methods: new Set() };
      this.#routes.set(route.url, r);
    }
    for (const m of [route.method].flat()) r.methods.add(m);
  }

  /** The methods the path answers, sorted; empty when no route has this path. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const r of this.#routes.values()) if (r.pattern.test(path)) for (const m of r.methods) out.add(m);
    return [...out].sort();
  }
}
