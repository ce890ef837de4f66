import type { CuratedExamples } from './examples.js';

// Examples a person would write: requests of the usual path, from tenant to Q job (the README's
// "Getting started with automation" walks the same calls), and the bodies that are not JSON.
// Others are generated from the schemas.

export const CURATED: CuratedExamples = {
  createTenant: {
    request: { name: 'acme', quota: { vhms: 4, memory: 1048576, cpu: 16, qubits: 8, envelopes: 1 } },
  },
  createToken: { request: { kind: 'tenant', tenant: 'tenant-1', role: 'admin', label: 'acme automation' } },
  createVhm: { request: { name: 'lab', quota: { vhms: 1, memory: 65536, cpu: 2, qubits: 4 } } },
  issueCalibration: { request: { from: 0, until: 100000 } },
  allocateContract: {
    request: {
      capability: 'cap-1',
      domain: 'Q',
      provider: 'provider-2',
      q: { qubits: 2, budget: 100, calibration: 'cal-1' },
    },
  },
  activateContract: { request: { capability: 'cap-1' } },
  requestBinding: { request: { capability: 'cap-1', contract: 'contract-1' } },
  validateBinding: { request: { capability: 'cap-1' } },
  activateBinding: { request: { capability: 'cap-1' } },
  runQJob: { request: { capability: 'cap-1', cost: 10, operations: ['h', 'cx', 'measure'] } },
  applyPhiTransform: { request: { capability: 'cap-1', transform: 'rotate', impact: 3 } },
  advanceClock: { request: { ticks: 10 } },
  readyz: { response: { ready: true, seq: 42 } },
  metrics: {
    response:
      '# HELP process_cpu_user_seconds_total Total user CPU time spent in seconds.\n# TYPE process_cpu_user_seconds_total counter\nprocess_cpu_user_seconds_total 0.42\n',
  },
  streamTrace: {
    response:
      'id: 42\nevent: entry\ndata: {"seq":42,"l":7,"type":"q.job","outcome":"accepted","hash":"…"}\n\nevent: clock\ndata: {"l":8}\n\n',
  },
  exportTrace: {
    response:
      '{"kind":"xdv-trace-bundle","version":1,"protocol":2,"entries":42,"exportedAt":"2026-12-06T03:00:00.000Z"}\n{"seq":1,"hash":"…","text":"…"}\n',
  },
};
