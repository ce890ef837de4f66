import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The simulator is an outside provider: it reaches the server only through @xdv/client and never
// imports the core; and the production server does not depend on it at run time.

const root = resolve(import.meta.dirname, '../../..');

function sources(dir: string): Array<[string, string]> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
}

function runtimeDeps(pkg: string): string[] {
  const json = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(json.dependencies ?? {});
}

describe('package boundaries', () => {
  it('the simulator depends on @xdv/client, not on the core', () => {
    expect(runtimeDeps('apps/provider-sim')).toContain('@xdv/client');
    expect(runtimeDeps('apps/provider-sim')).not.toContain('@xdv/core');
    const importing = sources(join(root, 'apps/provider-sim/src')).filter(([, text]) =>
      /from '@xdv\/(core|api|db)/.test(text),
    );
    expect(importing.map(([f]) => f)).toEqual([]);
  });

  it('the server does not depend on the simulator at run time', () => {
    expect(runtimeDeps('apps/api')).not.toContain('@xdv/provider-sim');
    const importing = sources(join(root, 'apps/api/src')).filter(([, text]) =>
      text.includes('@xdv/provider-sim'),
    );
    expect(importing.map(([f]) => f)).toEqual([]);
  });
});
