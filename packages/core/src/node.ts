import { createHash } from 'node:crypto';
import type { Hasher } from './trace/hash.js';

/** node:crypto SHA-256: the same digest as the portable hasher, about 7× faster. Node only. */
export const nodeSha256: Hasher = (text) => createHash('sha256').update(text).digest('hex');
