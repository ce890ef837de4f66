export { advanceClock, createTenant, genesis, setTenantQuota, trustFirmware } from './admin.js';
export {
  activateBinding,
  releaseBindingCmd as releaseBinding,
  requestBinding,
  validateBinding,
} from './bindings.js';
export {
  deriveCapability,
  issueCapability,
  revokeCapabilityCmd as revokeCapability,
} from './capabilities.js';
export { activateContract, allocateContract, releaseContract, revokeContract } from './contracts.js';
export { runPhiTransform, runQJob } from './execution.js';
export { injectFault } from './faults.js';
export { closeIpc, openIpc } from './ipc.js';
export { migrateVhm } from './migration.js';
export { exitProcess, spawnProcess } from './processes.js';
export { issueCalibration, registerProvider, reportError, reportPhi, reportQ } from './providers.js';
export { submitUnit, tick } from './scheduler.js';
export { takeSnapshot } from './snapshots.js';
export { createVhm, releaseVhm, setSchedule, terminateVhm, transitionVhm } from './vhms.js';
