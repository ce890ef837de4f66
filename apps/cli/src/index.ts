// @xdv/cli — the `xdv` command line as a library: `run(argv, io)` is exactly what the bin runs.
export { parseDesired } from './apply/desired.js';
export { computePlan } from './apply/diff.js';
export { EXIT, type ExitCode } from './errors.js';
export type { Io } from './io.js';
export { run } from './program.js';
