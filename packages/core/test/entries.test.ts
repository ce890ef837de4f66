import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_TYPES,
  EFFECT_TYPES,
  type EffectType,
  ENTRY_TYPES,
  type Entry,
  isEffectType,
  isEntry,
  isEntryType,
  isKnownEntry,
  PROTOCOL_VERSION,
  parseEntry,
} from '../src/index.js';

// The entry union (trace/entries.ts) against the golden trace: every type the golden scenario's
// commands produced is declared, and every declared effect type is produced there, or is listed
// below with the reason the scenario does not reach it.

/** Effect types the golden scenario does not produce, and why. */
const NOT_IN_GOLDEN: Partial<Record<EffectType, string>> = {
  'provider.attested': 're-registration of an already registered provider (re-attestation) is not scripted',
  'q.container.transferred':
    'a live Q migration needs a provider with liveTransfer; the scenario migrates Q by reinit',
  'phi.transform.refused':
    'a Φ transform after its window closed (PHI_ERR_COHERENCE_TIMEOUT) is not scripted',
  'alert.acknowledged':
    'alert.acknowledge came after the protocol-2 golden trace was written (test/alerts.test.ts)',
};

function golden(): Entry[] {
  const file = new URL(`./golden/protocol-${PROTOCOL_VERSION}.trace`, import.meta.url);
  const [, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.map((line) => parseEntry(line.slice(65), line.slice(0, 64)));
}

describe('the entry union', () => {
  const entries = golden();

  it('lists each entry type once, every command type and command.invalid among them', () => {
    expect(new Set(ENTRY_TYPES).size).toBe(ENTRY_TYPES.length);
    expect(new Set(EFFECT_TYPES).size).toBe(EFFECT_TYPES.length);
    for (const t of [...COMMAND_TYPES, 'command.invalid', ...EFFECT_TYPES]) expect(ENTRY_TYPES).toContain(t);
  });

  it('declares every type the golden trace holds, commands as commands and effects as effects', () => {
    const undeclared = entries.filter((e) => !isKnownEntry(e)).map((e) => `${e.seq} ${e.type}`);
    expect(undeclared).toEqual([]);
    for (const e of entries) {
      expect(isEntryType(e.type)).toBe(true);
      if (e.outcome === 'effect') expect(isEffectType(e.type), `${e.seq} ${e.type}`).toBe(true);
      else expect([...COMMAND_TYPES, 'command.invalid']).toContain(e.type);
    }
  });

  it('finds every declared effect type in the golden trace, but the documented exceptions', () => {
    const seen = new Set(entries.filter((e) => e.outcome === 'effect').map((e) => e.type));
    const missing = EFFECT_TYPES.filter((t) => !seen.has(t));
    expect(missing.sort()).toEqual(Object.keys(NOT_IN_GOLDEN).sort());
  });

  it('gives command entries the two declared payload shapes', () => {
    for (const e of entries) {
      if (e.outcome === 'effect') continue;
      const keys = Object.keys(e.payload);
      if (e.outcome === 'accepted') expect(keys).toEqual(['actor', 'command']);
      else expect(keys).toEqual(['actor', 'code', 'command', 'params']);
    }
    expect(entries.filter((e) => e.type === 'command.invalid').every((e) => e.outcome === 'rejected')).toBe(
      true,
    );
  });

  it('narrows a stored entry by its type', () => {
    const created = entries.find((e) => e.type === 'vhm.created')!;
    expect(isEntry(created, 'vhm.created')).toBe(true);
    expect(isEntry(created, 'vhm.released')).toBe(false);
    if (isEntry(created, 'vhm.created')) expect(typeof created.payload.depth).toBe('number');
    expect(isKnownEntry({ ...created, type: 'vhm.exploded' })).toBe(false);
  });
});
