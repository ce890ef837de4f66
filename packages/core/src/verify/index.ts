// The bounded model checker (`npm run verify`), for the CLI and the tests.
export * from './checker.js';
export * from './universe.js';
