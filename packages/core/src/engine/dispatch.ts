import type { Command, CommandType } from '../model/commands.js';
import { reject } from '../model/errors.js';
import { advanceClock, createTenant, genesis, setTenantQuota, trustFirmware } from '../transitions/admin.js';
import { acknowledgeAlert } from '../transitions/alerts.js';
import {
  activateBinding,
  releaseBindingCmd,
  requestBinding,
  validateBinding,
} from '../transitions/bindings.js';
import { deriveCapability, issueCapability, revokeCapabilityCmd } from '../transitions/capabilities.js';
import {
  activateContract,
  allocateContract,
  releaseContract,
  revokeContract,
} from '../transitions/contracts.js';
import { runPhiTransform, runQJob } from '../transitions/execution.js';
import { injectFault } from '../transitions/faults.js';
import { closeIpc, openIpc } from '../transitions/ipc.js';
import { migrateVhm } from '../transitions/migration.js';
import { exitProcess, spawnProcess } from '../transitions/processes.js';
import {
  issueCalibration,
  registerProvider,
  reportError,
  reportPhi,
  reportQ,
} from '../transitions/providers.js';
import { submitUnit, tick } from '../transitions/scheduler.js';
import { takeSnapshot } from '../transitions/snapshots.js';
import { createVhm, releaseVhm, setSchedule, terminateVhm, transitionVhm } from '../transitions/vhms.js';
import type { Ctx } from './context.js';
import type { TransitionResult } from './outcome.js';

type Handler = (ctx: Ctx, cmd: never) => unknown;

/** Every command type and the transition that decides it. */
export const TRANSITIONS: { [T in CommandType]: Handler } = {
  genesis,
  'clock.advance': advanceClock,
  'firmware.trust': trustFirmware,
  'tenant.create': createTenant,
  'tenant.setQuota': setTenantQuota,
  'provider.register': registerProvider,
  'calibration.issue': issueCalibration,
  'vhm.create': createVhm,
  'vhm.validate': transitionVhm,
  'vhm.activate': transitionVhm,
  'vhm.pause': transitionVhm,
  'vhm.resume': transitionVhm,
  'vhm.terminate': terminateVhm,
  'vhm.release': releaseVhm,
  'vhm.setSchedule': setSchedule,
  'process.spawn': spawnProcess,
  'process.exit': exitProcess,
  'cap.issue': issueCapability,
  'cap.derive': deriveCapability,
  'cap.revoke': revokeCapabilityCmd,
  'contract.allocate': allocateContract,
  'contract.activate': activateContract,
  'contract.release': releaseContract,
  'contract.revoke': revokeContract,
  'binding.request': requestBinding,
  'binding.validate': validateBinding,
  'binding.activate': activateBinding,
  'binding.release': releaseBindingCmd,
  'q.job': runQJob,
  'phi.transform': runPhiTransform,
  'report.q': reportQ,
  'report.phi': reportPhi,
  'report.error': reportError,
  'snapshot.take': takeSnapshot,
  'vhm.migrate': migrateVhm,
  'ipc.open': openIpc,
  'ipc.close': closeIpc,
  'sched.submit': submitUnit,
  'sched.tick': tick,
  'fault.inject': injectFault,
  'alert.acknowledge': acknowledgeAlert,
};

export function dispatch(ctx: Ctx, cmd: Command): TransitionResult {
  const handler = Object.hasOwn(TRANSITIONS, cmd.type) ? TRANSITIONS[cmd.type as CommandType] : undefined;
  if (!handler)
    reject('HV_INVALID_COMMAND', {
      field: 'type',
      reason: 'unknown_command',
      type: typeof cmd.type === 'string' ? cmd.type : null,
    });
  return (handler(ctx, cmd as never) as TransitionResult) ?? undefined;
}
