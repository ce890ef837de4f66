export { ApiProblem, Client } from './client.js';
export { bindContract, type DemoTokens, seedDemo } from './demo.js';
export { DEMO_PROVIDERS } from './fleet.js';
export { between, chance, drift, phiReading, qReadings } from './noise.js';
export {
  DEFAULT_RATES,
  type FaultRates,
  type ProviderSpec,
  SimProvider,
  type StepEvent,
} from './provider.js';
export { Simulator, type SimulatorOptions } from './simulator.js';
export { DemoWorkload } from './workload.js';
