// The first thing a person reads after `npm start`, printed last so no log line buries it: where
// the console is, which token signs in as whom, and what is running.

import type { DemoTokens } from '@xdv/provider-sim';

export interface BannerInput {
  /** Label/value lines about the server (URL, docs, store, node key). */
  facts: Array<[string, string]>;
  url: string;
  /** The first operator token, when this start created it. */
  operatorToken: string | null;
  /** The operator token came from XDV_BOOTSTRAP_TOKEN (the caller already has it). */
  bootstrapFromEnv: boolean;
  /** The demo tenants' tokens, when this start seeded the demo; null when it was seeded before. */
  tenantTokens: DemoTokens | null;
  /** The simulated providers are running. */
  demo: boolean;
  /** Why the simulated providers could not start, if they could not. */
  simError?: string | null;
  /** LOG_LEVEL as set (null: request logs are kept out of the terminal). */
  logLevel: string | null;
  dataDir: string | null;
}

function aligned(rows: Array<[string, string]>, indent: string): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width + 2)}${v}`);
}

export function banner(b: BannerInput): string {
  const out: string[] = ['', `XDV Domain Hypervisor is running${b.demo ? ' with the demo fleet' : ''}.`, ''];
  out.push(
    ...aligned(
      b.facts.map(([k, v]) => [`${k}:`, v]),
      '  ',
    ),
    '',
  );
  const tokens: Array<[string, string]> = [];
  if (b.operatorToken) tokens.push(['operator', b.operatorToken]);
  if (b.tenantTokens) {
    tokens.push(['acme admin', `${b.tenantTokens.acme}   (tenant acme: web and its nested VHMs, batch)`]);
    tokens.push(['acme viewer', `${b.tenantTokens.acmeViewer}   (tenant acme, read only)`]);
    tokens.push(['globex admin', `${b.tenantTokens.globex}   (tenant globex: research, research-sim)`]);
  }
  if (tokens.length > 0) {
    out.push(
      `Open ${b.url} and sign in with a token. They are shown once: keep them. Each browser tab`,
      'signs in on its own, so use one tab (or a private window) per principal:',
      ...aligned(tokens, '  '),
      '',
    );
  }
  if (!b.operatorToken)
    out.push(
      b.bootstrapFromEnv
        ? 'Operator token: the one in XDV_BOOTSTRAP_TOKEN.'
        : 'Tokens were printed at the first start on this data directory. Mint more with an operator token\n' +
            '(POST /v1/tokens), or with the server stopped: node apps/api/dist/main.js token create (see --help).',
      '',
    );
  if (b.simError) out.push(`The simulated providers could not start: ${b.simError}`);
  if (b.demo)
    out.push(
      'Simulated providers (two K hosts, two Q, one Φ) report on the logical clock and the demo tenants',
      'run their workload, so faults and alerts show up on their own.',
    );
  out.push(
    b.logLevel
      ? `Logs at LOG_LEVEL=${b.logLevel} follow below.`
      : 'Request logs stay out of the terminal; LOG_LEVEL=info npm start shows them.',
  );
  out.push(
    b.dataDir
      ? `Ctrl-C stops; the next npm start continues the same trace from ${b.dataDir}.`
      : 'Ctrl-C stops; the next npm start continues the same trace.',
    '',
  );
  return out.join('\n');
}
