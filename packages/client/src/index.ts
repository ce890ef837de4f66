export {
  createXdvClient,
  type SuccessBody,
  unwrap,
  type XdvClient,
  type XdvClientOptions,
} from './client.js';
export type { components, operations, paths } from './openapi.gen.js';
export { isProblemBody, isXdvProblem, NOT_A_PROBLEM, type ProblemBody, XdvProblem } from './problem.js';
export { canonicalJson } from './signing/canonical.js';
export {
  type ErrorReport,
  type KeyPair,
  keyPairFromSeed,
  type PhiReport,
  type ProviderRegistration,
  type ProviderReport,
  type QReport,
  REGISTRATION_PREFIX,
  REPORT_PREFIX,
  type RegistrationBody,
  type SigningPrefix,
  signedText,
  signPayload,
  signRegistration,
  signReport,
  verifyPayload,
} from './signing/scheme.js';
export { ReportSequence } from './signing/sequence.js';
export {
  defaultBackoff,
  type EventStreamOptions,
  openEventStream,
  type SseEvent,
  SseParser,
  type StreamStatus,
} from './stream.js';
