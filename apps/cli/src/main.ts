#!/usr/bin/env node
import { processIo } from './io.js';
import { run } from './program.js';

const ctrl = new AbortController();
process.once('SIGINT', () => ctrl.abort());
run(process.argv.slice(2), { ...processIo(), signal: ctrl.signal }).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`xdv: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(70);
  },
);
