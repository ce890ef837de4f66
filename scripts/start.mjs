// Runs the hypervisor core on a deterministic demo scenario, verifies the trace by replay, and
// prints what happened. (The API server and console replace this once they exist.)
import { checkAll, emptyState, replay, scenario, stateHash, step } from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';

const { OPERATOR, genesisCmd, quotaOf, registerCmd, registration, tenantAdmin } = scenario;
const s = emptyState();
const entries = [];
const run = (cmd) => {
  const r = step(s, cmd, { hasher: nodeSha256 });
  entries.push(...r.entries);
  console.log(
    `L${String(s.l).padStart(3)}  ${cmd.type.padEnd(18)} ${r.error ? `rejected ${r.error.code}` : 'accepted'}`,
  );
  return r;
};
const id = (r, key) =>
  r.entries
    .slice(1)
    .map((e) => e.payload[key])
    .find((v) => typeof v === 'string');
run(genesisCmd());
const t = id(
  run({
    type: 'tenant.create',
    name: 'acme',
    quota: quotaOf({ vhms: 4, memory: 1 << 20, cpu: 8, qubits: 20, envelopes: 2 }),
    actor: OPERATOR,
  }),
  'tenant',
);
const q = id(run(registerCmd(registration('qpu-1', 'Q', { qubits: 32 }, 3), 3)), 'provider');
const cal = id(
  run({ type: 'calibration.issue', provider: q, from: 0, until: 100, actor: OPERATOR }),
  'calibration',
);
const a = tenantAdmin(t);
const vr = run({
  type: 'vhm.create',
  tenant: t,
  name: 'demo',
  quota: quotaOf({ qubits: 10 }),
  parent: null,
  capability: null,
  actor: a,
});
const vhm = id(vr, 'vhm');
const cap = id(vr, 'capability');
run({ type: 'vhm.validate', vhm, actor: a });
run({ type: 'vhm.activate', vhm, actor: a });
const c = id(
  run({
    type: 'contract.allocate',
    vhm,
    capability: cap,
    domain: 'Q',
    provider: q,
    q: { qubits: 8, budget: 30, calibration: cal },
    actor: a,
  }),
  'contract',
);
run({ type: 'contract.activate', vhm, capability: cap, contract: c, actor: a });
const b = id(run({ type: 'binding.request', vhm, capability: cap, contract: c, actor: a }), 'binding');
run({ type: 'binding.validate', vhm, capability: cap, binding: b, actor: a });
run({ type: 'binding.activate', vhm, capability: cap, binding: b, actor: a });
run({ type: 'q.job', vhm, capability: cap, binding: b, cost: 20, operations: ['h'], actor: a });
run({ type: 'q.job', vhm, capability: cap, binding: b, cost: 20, operations: ['h'], actor: a });
const rp = replay(entries, { hasher: nodeSha256 });
console.log(
  `\n${entries.length} trace entries, head ${s.head.slice(0, 16)}…, state ${stateHash(s, nodeSha256).slice(0, 16)}…`,
);
console.log(
  `replay: ${rp.ok ? 'verified' : `MISMATCH at seq ${rp.mismatch?.seq}`}, invariants: ${checkAll(s).length === 0 ? 'hold' : 'VIOLATED'}`,
);
console.log('\nOnly the core exists so far: the API server and console are not built yet.');
