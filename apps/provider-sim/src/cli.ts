#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Simulator } from './simulator.js';

// Run the simulated providers against any XDV API: node apps/provider-sim/dist/cli.js --url URL --token OPERATOR_TOKEN

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    token: { type: 'string' },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string' },
    interval: { type: 'string', default: '1000' },
    demo: { type: 'boolean', default: false },
    'drive-clock': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help || !values.token) {
  process.stdout.write(
    'Usage: xdv-provider-sim --token OPERATOR_TOKEN [--url http://127.0.0.1:8080] [--seed N] [--steps N | --interval MS] [--demo] [--drive-clock]\n  --drive-clock  tick the logical clock once per step (for a server started with XDV_TICK_MS=0)\n',
  );
  process.exit(values.help ? 0 : 2);
}
const sim = new Simulator({
  base: values.url!,
  operatorToken: values.token,
  seed: Number(values.seed),
  demo: values.demo!,
  driveClock: values['drive-clock']!,
  log: (l) => process.stdout.write(`${l}\n`),
});
await sim.setup();
if (values.steps) {
  for (let i = 0; i < Number(values.steps); i++) await sim.step();
} else {
  sim.start(Number(values.interval));
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
