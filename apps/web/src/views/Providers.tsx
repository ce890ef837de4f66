import { createLazyRoute, getRouteApi } from '@tanstack/react-router';
import type { Provider } from '@xdv/core';
import { useMemo, useState } from 'react';
import { useClock } from '../api/clock';
import { useCalibrations, useMe, useProviders } from '../api/data';
import { RANGES, type RangeTicks, useSeriesRange, useUsage } from '../api/fleetHealth';
import { LChart, type LineSeries } from '../components/Chart';
import { ProviderAttestation } from '../components/ProviderAttestation';
import { ProviderUsage } from '../components/ProviderUsage';
import { QubitTable } from '../components/QubitTable';
import { StabilitySparklines } from '../components/Sparkline';
import { AtL, Est } from '../components/time';
import { Badge, DomainTag, Empty, ErrorBox, fmt, Guard, Loading, Section } from '../components/ui';
import { estimate, relative } from '../lib/clock';
import { Link, useAt } from '../lib/router';

/** `/providers/:id`: one provider's detail (the fleet table is views/ProviderList.tsx). */
export default function ProviderDetail({ selected }: { selected: string }) {
  const src = useProviders();
  const me = useMe();
  const operator = me.data?.token.kind === 'operator';
  const cals = useCalibrations();
  const clock = useClock();
  const now = clock.now ?? 0;
  const tickMs = clock.tickMs;
  return (
    <div className="page">
      <h1>Providers</h1>
      <Guard src={src} empty={(p) => (p.length ? null : 'No provider has registered yet.')}>
        {(ps) => {
          const sel = ps.find((p) => p.id === selected) ?? ps.find((p) => p.domain !== 'K') ?? ps[0]!;
          // A Q provider's panels appear once its calibrations are in, so the metrics below do not
          // move down when the calibration table arrives (layout shift).
          const ready = sel.domain !== 'Q' || !cals.isPending;
          return (
            // On a phone the list and one provider's detail are two steps: /providers, then /providers/:id.
            <div className={`split ${selected ? 'drilled' : 'listing'}`}>
              <nav aria-label="Providers" className="list">
                <ul className="plain">
                  {ps.map((p) => (
                    <li key={p.id}>
                      <Link
                        to="/providers/$id"
                        params={{ id: p.id }}
                        aria-current={p.id === sel.id ? 'page' : undefined}
                        className="list-item"
                      >
                        <DomainTag domain={p.domain} /> {p.name} <span className="muted small">{p.id}</span>{' '}
                        {p.attestation === 'attested' ? null : <Badge tone="bad">{p.attestation}</Badge>}
                      </Link>
                    </li>
                  ))}
                </ul>
              </nav>
              <p className="phone-only">
                <Link to="/providers">← All providers</Link>
              </p>
              {ready ? null : <Loading what="Loading calibrations" />}
              <div className="grid" hidden={!ready}>
                <ProviderAttestation p={sel} now={clock.now} tickMs={tickMs} />
                {sel.domain === 'Q' ? (
                  <Section title="Calibration contracts">
                    <Guard
                      src={cals}
                      empty={(c) =>
                        c.some((x) => x.provider === sel.id) ? null : 'No calibration contracts.'
                      }
                    >
                      {(cs) => (
                        <table>
                          <thead>
                            <tr>
                              <th scope="col">Calibration</th>
                              <th scope="col">Valid over L</th>
                              <th scope="col">At L {fmt(now)}</th>
                            </tr>
                          </thead>
                          <tbody>
                            {cs
                              .filter((c) => c.provider === sel.id)
                              .map((c) => (
                                <tr key={c.id}>
                                  <td>
                                    <code>{c.id}</code>{' '}
                                    <span className="muted small">
                                      issued <AtL l={c.issuedL} now={now} tickMs={tickMs} compact />
                                    </span>
                                  </td>
                                  <td className="num">
                                    [{fmt(c.from)}, {fmt(c.until)})
                                    <Est text={estimate(c.until - c.from, tickMs)} />
                                  </td>
                                  <td>
                                    {now < c.from ? (
                                      <Badge tone="info">
                                        not yet valid
                                        <Est text={relative(c.from, now, tickMs)} bracket={false} />
                                      </Badge>
                                    ) : now < c.until ? (
                                      <Badge tone="ok">
                                        valid · {fmt(c.until - now)} ticks left
                                        <Est text={estimate(c.until - now, tickMs)} />
                                      </Badge>
                                    ) : (
                                      // Running out is the normal end of a calibration: red only
                                      // when no calibration of this provider is valid now.
                                      <Badge tone={anyValid(cs, sel.id, now) ? 'muted' : 'bad'}>
                                        expired
                                        <Est text={relative(c.until, now, tickMs)} bracket={false} />
                                      </Badge>
                                    )}
                                  </td>
                                </tr>
                              ))}
                          </tbody>
                        </table>
                      )}
                    </Guard>
                  </Section>
                ) : null}
                <ProviderUsage provider={sel.id} operator={operator} />
                {sel.domain !== 'K' ? <Metrics p={sel} live={clock.live} tickMs={tickMs} /> : null}
              </div>
            </div>
          );
        }}
      </Guard>
    </div>
  );
}

const Q_METRICS: Array<{ metric: string; title: string; unit: string; th: string; thLabel: string }> = [
  { metric: 't1', title: 'T1 (relaxation)', unit: 'µs', th: 't1Min', thLabel: 'minimum T1' },
  { metric: 't2', title: 'T2 (dephasing)', unit: 'µs', th: 't2Min', thLabel: 'minimum T2' },
  { metric: 'fidelity', title: 'Gate fidelity', unit: 'bp', th: 'fidelityMin', thLabel: 'minimum fidelity' },
  {
    metric: 'readoutError',
    title: 'Readout error',
    unit: 'bp',
    th: 'readoutMax',
    thLabel: 'maximum readout error',
  },
];
const PHI_METRICS: Array<{ metric: string; title: string; unit: string; th?: string; thLabel?: string }> = [
  { metric: 'stability', title: 'Stability index', unit: 'bp' },
  { metric: 'noise', title: 'Noise', unit: 'bp', th: 'noiseMax', thLabel: 'maximum noise' },
  { metric: 'drift', title: 'Drift', unit: 'bp', th: 'driftMax', thLabel: 'maximum drift' },
  { metric: 'impact', title: 'Transform impact', unit: 'bp' },
];

function Metrics({ p, live, tickMs }: { p: Provider; live: number | undefined; tickMs: number | undefined }) {
  const at = useAt();
  const [range, setRange] = useState<RangeTicks>(RANGES[0].ticks);
  const s = useSeriesRange(p.id, range, at);
  const usage = useUsage(p.id);
  const defs = p.domain === 'Q' ? Q_METRICS : PHI_METRICS;
  const byMetric = useMemo(() => {
    const m = new Map<string, LineSeries[]>();
    for (const x of s.data?.series ?? []) {
      const samples = at === null ? x.samples : x.samples.filter((y) => y.l <= at);
      const list = m.get(x.metric) ?? [];
      list.push({ label: x.subject, samples });
      m.set(x.metric, list);
    }
    return m;
  }, [s.data, at]);
  return (
    <Section
      title={p.domain === 'Q' ? 'Q metrics over logical time' : 'Φ metrics over logical time'}
      id="metrics"
    >
      {/* Above the charts, so that it does not move down when they arrive. */}
      <p className="muted small">
        Values come from signed provider reports (structured telemetry); no raw Q or Φ state is shown. Long
        ranges are downsampled by the server: each point is the last value of its span of ticks, and no dip or
        spike inside it is lost from the table below.
      </p>
      <fieldset className="range-picker">
        <legend className="sr-only">Range of logical time</legend>
        {RANGES.map((r) => (
          <button
            key={r.label}
            type="button"
            className="small"
            aria-pressed={range === r.ticks}
            onClick={() => setRange(r.ticks)}
          >
            {r.label}
          </button>
        ))}
      </fieldset>
      {p.domain === 'Q' && s.data ? <QubitTable series={s.data} /> : null}
      {p.domain === 'PHI' && s.data ? <StabilitySparklines series={s.data} usage={usage.data} /> : null}
      {s.error ? (
        <ErrorBox error={s.error} />
      ) : s.isPending ? (
        <Loading what="Loading metric series" />
      ) : (s.data?.series.length ?? 0) === 0 ? (
        <Empty>No signed reports from {p.name} yet.</Empty>
      ) : (
        <div className="charts">
          {defs.map((d) => (
            <LChart
              key={d.metric}
              title={d.title}
              unit={d.unit}
              series={byMetric.get(d.metric) ?? []}
              threshold={d.th ? s.data?.thresholds[d.th] : undefined}
              {...(d.thLabel ? { thresholdLabel: d.thLabel } : {})}
              now={at ?? undefined}
              live={live}
              tickMs={tickMs}
            />
          ))}
        </div>
      )}
    </Section>
  );
}

function anyValid(
  cs: ReadonlyArray<{ provider: string; from: number; until: number }>,
  provider: string,
  l: number,
) {
  return cs.some((c) => c.provider === provider && c.from <= l && l < c.until);
}

const detailApi = getRouteApi('/providers/$id');
export const detailRoute = createLazyRoute('/providers/$id')({
  component: function ProviderPage() {
    return <ProviderDetail selected={detailApi.useParams().id} />;
  },
});
