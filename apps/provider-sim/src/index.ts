export { type Attempt, attempt, clientFor } from './api.js';
export { bindContract, type ContractRequest, type DemoTokens, seedDemo, type VhmRef } from './demo.js';
export { DEMO_PROVIDERS } from './fleet.js';
export { providerKeys, seedHex } from './keys.js';
export { between, chance, drift, phiReading, qReadings } from './noise.js';
export {
  DEFAULT_RATES,
  type Domain,
  type FaultRates,
  type ProviderSpec,
  SimProvider,
  type StepEvent,
} from './provider.js';
export { Simulator, type SimulatorOptions } from './simulator.js';
export { DemoWorkload } from './workload.js';
