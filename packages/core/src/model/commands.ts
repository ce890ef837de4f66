import type { Static } from 'typebox';
import type {
  CommandBody,
  CommandType,
  ErrorReportSchema,
  PhiReportSchema,
  ProviderRegistrationSchema,
  QReportSchema,
  QubitMetricsSchema,
} from '../commands/schemas.js';

/** Who issues a command. The API authenticates; the core authorises. */
export type Actor =
  | { kind: 'operator' }
  | { kind: 'tenant'; tenant: string; role: 'admin' | 'viewer' }
  | { kind: 'provider'; name: string };

/** A signature verdict attached at admission; replay trusts it, audit mode re-verifies it. */
export interface SignedPart {
  signature: string;
  verified: boolean;
}

export type ProviderRegistration = Static<typeof ProviderRegistrationSchema>;
export type QubitMetrics = Static<typeof QubitMetricsSchema>;
export type QReport = Static<typeof QReportSchema>;
export type PhiReport = Static<typeof PhiReportSchema>;
export type ErrorReport = Static<typeof ErrorReportSchema>;

// Every command body is declared once, as a schema (commands/schemas.ts); its type follows from it.
export type { CommandBody, CommandType };
export type Command = CommandBody & { actor: Actor };
export type CommandOf<T extends CommandType> = Extract<CommandBody, { type: T }> & { actor: Actor };
