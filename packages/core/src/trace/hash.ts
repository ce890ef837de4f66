import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** SHA-256 of UTF-8 text, as lowercase hex. Injectable so Node can use node:crypto (7× faster). */
export type Hasher = (text: string) => string;

/** The portable hasher: pure JS, runs in the browser. */
export const nobleSha256: Hasher = (text) => bytesToHex(sha256(utf8ToBytes(text)));
