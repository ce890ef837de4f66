export { type App, openApp } from './app.js';
export { actorOf, authenticate } from './auth.js';
export { type Config, configFromEnv, configWith, ENV_HELP } from './config.js';
export { ApiError, problem } from './errors.js';
export { type LogDestination, loggerOptions } from './logging.js';
export type {
  ClusterNodeRow,
  CommitRoundRow,
  IdempotencyStore,
  LedgerPort,
  StoredResponse,
  TokenRecord,
  TokenStore,
} from './ports.js';
export { formatFacts, type Serving, serve, serverFacts } from './serve.js';
export { API_VERSION, buildServer, type ServerDeps } from './server.js';
