import type { Provider } from '@xdv/core';
import { relative } from '../lib/clock';
import { CapacityMeters } from './CapacityMeters';
import { AtL } from './time';
import { DomainTag, fmt, Section, StateBadge } from './ui';

/** A provider's identity, attestation, health and capacity: the first panel of its page. */
export function ProviderAttestation({
  p,
  now,
  tickMs,
}: {
  p: Provider;
  now: number | undefined;
  tickMs: number | undefined;
}) {
  return (
    <Section title={`${p.name} — attestation and capacity`} id="attestation">
      <dl className="kv">
        <dt>Domain</dt>
        <dd>
          <DomainTag domain={p.domain} />
        </dd>
        <dt>Attestation</dt>
        <dd>
          <StateBadge state={p.attestation} /> registered at{' '}
          <AtL l={p.registeredL} now={now} tickMs={tickMs} /> (ML-DSA-65 signature verified at admission)
        </dd>
        <dt>Health</dt>
        {/* Two lines whatever the report's age: a live report changes "(now)" to "(≈ 1 s ago)" every
            tick, and a line that wrapped by it moved everything below (layout shift on a phone). */}
        <dd>
          <StateBadge state={p.health} />{' '}
          <span className="muted small">
            {p.lastReportL === null ? 'no report yet' : `report seq ${fmt(p.lastReportSeq)}`}
          </span>
          {p.lastReportL === null ? null : (
            <span
              className="one-line"
              title={`last report at L ${fmt(p.lastReportL)} (${relative(p.lastReportL, now, tickMs) ?? 'pace unknown'})`}
            >
              last at <AtL l={p.lastReportL} now={now} tickMs={tickMs} />
            </span>
          )}
        </dd>
        <dt>Firmware</dt>
        <dd>
          <code className="hash">{p.firmware}</code>
        </dd>
        <dt>Identity key</dt>
        <dd>
          <code className="hash" title={p.publicKey}>
            {p.publicKey.slice(0, 32)}…
          </code>
        </dd>
        <dt>Features</dt>
        <dd>
          live transfer {p.features.liveTransfer ? 'yes' : 'no'}; operations{' '}
          {p.features.operations.join(', ') || 'none'}
        </dd>
      </dl>
      <CapacityMeters
        p={p}
        memoryNote={<p className="muted small">Allocated in {p.ranges.length} disjoint ranges</p>}
      />
    </Section>
  );
}
