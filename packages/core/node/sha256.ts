import { hash } from 'node:crypto';
import type { Hasher } from '@xdv/core';

/** node:crypto's one-shot SHA-256 (no Hash object per entry): the portable hasher's digest, ~10× faster. Node only. */
export const nodeSha256: Hasher = (text) => hash('sha256', text, 'hex');
