import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import {
  type ErrorCode,
  type ErrorParams,
  MESSAGES,
  type MessageTemplates,
  nobleSha256,
  PROTOCOL_VERSION,
  parseEntry,
  protocolOf,
  REJECTION_CODES,
  renderMessage,
  replay,
  type StoredEntry,
  stateHash,
  TRANSITIONS,
} from '../src/index.js';
import { goldenCommands, runCommands } from './golden/scenario.js';

// The golden trace of protocol 2: a few hundred entries written by a scripted scenario that
// exercises every command type (accepted and refused) and every refusal code. Every release of
// protocol 2 must replay it byte for byte; one that cannot is a failed build. It is written once,
// when a protocol version is born (GOLDEN_WRITE=1 npx vitest run test/golden.test.ts), never
// rewritten to make a test pass: a change that alters its bytes is a new protocol version.

const FILE = new URL(`./golden/protocol-${PROTOCOL_VERSION}.trace`, import.meta.url);

interface Header {
  protocol: number;
  entries: number;
  head: string;
  stateHash: string;
}

/** Codes no protocol-2 command can produce, and why. */
const UNREACHABLE: Partial<Record<ErrorCode, string>> = {
  // Registration refuses a bad signature, key or firmware outright, so no provider is ever held
  // with a failed attestation; the guards stay as defence in depth.
  HV_PROVIDER_UNATTESTED: 'no provider is ever unattested',
};

/**
 * Command types added to protocol 2 after its golden trace was written: a trace without them
 * replays unchanged (they only add), so the golden trace is not rewritten; their own tests cover them.
 */
const NEWER_THAN_GOLDEN: ReadonlySet<string> = new Set([
  'alert.acknowledge', // test/alerts.test.ts
]);

if (process.env.GOLDEN_WRITE === '1') {
  const { texts, state } = runCommands(goldenCommands());
  const header: Header = {
    protocol: PROTOCOL_VERSION,
    entries: texts.length,
    head: state.head,
    stateHash: stateHash(state, nodeSha256),
  };
  writeFileSync(FILE, `${JSON.stringify(header)}\n${texts.map((t) => `${t.hash} ${t.text}`).join('\n')}\n`);
}

function load(): { header: Header; stored: StoredEntry[] } {
  const [first, ...lines] = readFileSync(FILE, 'utf8').trimEnd().split('\n');
  const header = JSON.parse(first!) as Header;
  const stored = lines.map((line, i) => ({ seq: i + 1, hash: line.slice(0, 64), text: line.slice(65) }));
  return { header, stored };
}

describe(`the golden trace of protocol ${PROTOCOL_VERSION}`, () => {
  it('is committed', () => {
    expect(existsSync(FILE), `${FILE.pathname} is missing`).toBe(true);
  });

  it('replays byte for byte, with every hash, decision and invariant recomputed (node and browser hashers)', () => {
    const { header, stored } = load();
    expect(header.protocol).toBe(PROTOCOL_VERSION);
    expect(stored.length).toBe(header.entries);
    expect(stored.length).toBeGreaterThan(300);
    for (const hasher of [nodeSha256, nobleSha256]) {
      const r = replay(stored, { hasher, fullInvariantsEvery: 25 });
      expect(r.mismatch).toBeNull();
      expect(r.violations).toEqual([]);
      expect(r.entries).toBe(header.entries);
      expect(r.state.head).toBe(header.head);
      expect(stateHash(r.state, hasher)).toBe(header.stateHash);
    }
  });

  it('records its protocol at genesis', () => {
    const { stored } = load();
    const genesis = stored.slice(0, 2).map((s) => parseEntry(s.text, s.hash));
    expect(protocolOf(genesis)).toBe(PROTOCOL_VERSION);
  });

  it('exercises every command type, accepted and refused, and every refusal code', () => {
    const entries = load().stored.map((s) => parseEntry(s.text, s.hash));
    const commands = entries.filter((e) => e.outcome !== 'effect');
    for (const t of Object.keys(TRANSITIONS)) {
      if (NEWER_THAN_GOLDEN.has(t)) continue;
      expect(
        commands.some((e) => e.type === t && e.outcome === 'accepted'),
        `${t} accepted`,
      ).toBe(true);
      expect(
        commands.some((e) => e.type === t && e.outcome === 'rejected'),
        `${t} refused`,
      ).toBe(true);
    }
    const refused = new Set(commands.filter((e) => e.outcome === 'rejected').map((e) => e.payload.code));
    const text = entries.map((e) => e.text).join('\n');
    for (const code of REJECTION_CODES) {
      if (UNREACHABLE[code]) continue;
      // A refusal's code, or one recorded as data: a provider's error report, a fault's reason.
      expect(refused.has(code) || text.includes(`"${code}"`), code).toBe(true);
    }
  });

  it('holds no rendered message, so rewording every template leaves it replaying', () => {
    const { header, stored } = load();
    const entries = stored.map((s) => parseEntry(s.text, s.hash));
    const reworded = Object.fromEntries(
      Object.keys(MESSAGES).map((c) => [
        c,
        (p: ErrorParams) => `Reworded ${c}: ${Object.keys(p).join(', ')}.`,
      ]),
    ) as unknown as MessageTemplates;
    let refusals = 0;
    for (const e of entries) {
      if (e.outcome !== 'rejected') continue;
      refusals++;
      const code = e.payload.code as ErrorCode;
      const params = e.payload.params as ErrorParams;
      const today = renderMessage(code, params);
      expect(renderMessage(code, params, reworded)).not.toBe(today);
      // The sentence a person reads today is nowhere in the hashed bytes.
      expect(e.text.includes(today)).toBe(false);
    }
    expect(refusals).toBeGreaterThan(50);
    expect(replay(stored, { hasher: nodeSha256 }).state.head).toBe(header.head);
  });
});
