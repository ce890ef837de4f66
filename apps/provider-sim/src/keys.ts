import { type KeyPair, keyPairFromSeed } from '@xdv/client';

// A simulated provider's identity key comes from a small number, so it is the same key across
// restarts (a provider keeps its key) and in every test.

const cache = new Map<number, KeyPair>();

/** The 32-byte ML-DSA-65 seed of key number n (n as hex, zero-padded to 64 digits). */
export function seedHex(n: number): string {
  return n.toString(16).padStart(64, '0');
}

export function providerKeys(n: number): KeyPair {
  let k = cache.get(n);
  if (!k) {
    k = keyPairFromSeed(seedHex(n));
    cache.set(n, k);
  }
  return k;
}
