import { keyPairFromSeed, sign } from '../crypto/signatures.js';
import type {
  Actor,
  Command,
  ErrorReport,
  PhiReport,
  ProviderRegistration,
  QReport,
} from '../model/commands.js';
import { quotaOf } from '../model/quota.js';
import { DEFAULT_CONFIG, type Domain, type Quota } from '../model/state.js';

// Builders for well-formed commands, shared by tests, benchmarks, the model checker and the demo.
// Signed commands carry a real ML-DSA-65 signature and the verdict admission would give.

export const OPERATOR: Actor = { kind: 'operator' };

export function tenantAdmin(tenant: string): Actor {
  return { kind: 'tenant', tenant, role: 'admin' };
}

export function genesisCmd(config = DEFAULT_CONFIG): Command {
  return { type: 'genesis', config, actor: OPERATOR };
}

/** A 32-byte hex seed from a small number, for reproducible provider keys. */
export function seedHex(n: number): string {
  return n.toString(16).padStart(64, '0');
}

const keyCache = new Map<number, { publicKey: string; secretKey: string }>();
export function providerKeys(seed: number): { publicKey: string; secretKey: string } {
  let k = keyCache.get(seed);
  if (!k) {
    k = keyPairFromSeed(seedHex(seed));
    keyCache.set(seed, k);
  }
  return k;
}

export function registration(
  name: string,
  domain: Domain,
  capacity: Partial<Quota>,
  seed: number,
  opts: { liveTransfer?: boolean; operations?: string[]; firmware?: string } = {},
): ProviderRegistration {
  return {
    name,
    domain,
    capacity: {
      memory: capacity.memory ?? 0,
      cpu: capacity.cpu ?? 0,
      qubits: capacity.qubits ?? 0,
      envelopes: capacity.envelopes ?? 0,
    },
    publicKey: providerKeys(seed).publicKey,
    firmware: opts.firmware ?? 'f1f2f3f4f5f6f7f8a1a2a3a4a5a6a7a8',
    features: { liveTransfer: opts.liveTransfer ?? false, operations: opts.operations ?? [] },
  };
}

export function registerCmd(reg: ProviderRegistration, seed: number, actor: Actor = OPERATOR): Command {
  const signature = sign('xdv/provider-registration/v1', reg, providerKeys(seed).secretKey);
  return { type: 'provider.register', registration: reg, auth: { signature, verified: true }, actor };
}

export function signedReport<T extends QReport | PhiReport | ErrorReport>(
  report: T,
  seed: number,
): { report: T; auth: { signature: string; verified: boolean } } {
  return {
    report,
    auth: { signature: sign('xdv/provider-report/v1', report, providerKeys(seed).secretKey), verified: true },
  };
}

export { quotaOf };
