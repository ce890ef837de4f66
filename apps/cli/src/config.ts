import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Unreachable, UsageError } from './errors.js';

// Named contexts (a server URL and a token) in one YAML file, written 0600 because it holds tokens.
// XDV_URL and XDV_TOKEN override the current context, so a script needs no file at all.

export interface ContextEntry {
  url: string;
  token: string;
}
export interface ConfigFile {
  current: string | null;
  contexts: Record<string, ContextEntry>;
}

export function configPath(env: Record<string, string | undefined>): string {
  if (env.XDV_CONFIG) return env.XDV_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'xdv', 'config.yaml');
}

export function loadConfig(path: string): ConfigFile {
  if (!existsSync(path)) return { current: null, contexts: {} };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path} is not valid YAML (${(e as Error).message}); fix or remove it`);
  }
  const o = (doc ?? {}) as Partial<ConfigFile>;
  const contexts: Record<string, ContextEntry> = {};
  for (const [name, c] of Object.entries(o.contexts ?? {}))
    if (c && typeof c.url === 'string' && typeof c.token === 'string')
      contexts[name] = { url: c.url, token: c.token };
  return { current: typeof o.current === 'string' ? o.current : null, contexts };
}

export function saveConfig(path: string, cfg: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, stringify(cfg), { mode: 0o600 });
  // writeFileSync keeps the mode of a file that already existed: tighten it every time.
  chmodSync(path, 0o600);
}

export interface Target {
  url: string;
  token: string;
  context: string | null;
}

/** The server and token a command uses: --context, else the current context; XDV_URL/XDV_TOKEN win. */
export function resolveTarget(env: Record<string, string | undefined>, context?: string): Target {
  const cfg = loadConfig(configPath(env));
  const name = context ?? cfg.current;
  if (context && !cfg.contexts[context])
    throw new UsageError(`no context named ${context}; see \`xdv context list\``);
  const c = name ? cfg.contexts[name] : undefined;
  const url = env.XDV_URL || c?.url;
  const token = env.XDV_TOKEN || c?.token;
  if (!url) throw new Unreachable('no server configured: run `xdv login URL`, or set XDV_URL and XDV_TOKEN');
  if (!token) throw new Unreachable(`no token for ${url}: run \`xdv login ${url}\`, or set XDV_TOKEN`);
  return { url: url.replace(/\/+$/, ''), token, context: name ?? null };
}
