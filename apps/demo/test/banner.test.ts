import { describe, expect, it } from 'vitest';
import { type BannerInput, banner } from '../src/banner.js';

const base: BannerInput = {
  facts: [['Console', 'http://127.0.0.1:8080/']],
  url: 'http://127.0.0.1:8080/',
  operatorToken: null,
  bootstrapFromEnv: false,
  tenantTokens: null,
  demo: true,
  logLevel: null,
  dataDir: './data',
};

describe('banner', () => {
  it('on a later start names no token, says where they went and how to mint more', () => {
    const text = banner(base);
    expect(text).not.toMatch(/xdv_/);
    expect(text).toContain('Tokens were printed at the first start on this data directory.');
    expect(text.trimEnd().endsWith('continues the same trace from ./data.')).toBe(true);
  });

  it('points to XDV_BOOTSTRAP_TOKEN when the operator token came from it', () => {
    expect(banner({ ...base, bootstrapFromEnv: true })).toContain(
      'Operator token: the one in XDV_BOOTSTRAP_TOKEN.',
    );
  });

  it('says why the simulated providers are not running, and that logs follow when LOG_LEVEL is set', () => {
    const text = banner({
      ...base,
      demo: false,
      simError: 'HV_TRACE_BROKEN: writes are refused',
      logLevel: 'info',
    });
    expect(text).toContain('XDV Domain Hypervisor is running.');
    expect(text).toContain('The simulated providers could not start: HV_TRACE_BROKEN: writes are refused');
    expect(text).not.toContain('report on the logical clock');
    expect(text).toContain('Logs at LOG_LEVEL=info follow below.');
  });
});
