import { type Entry, type EntryType, isKnownEntry } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { downsample, window } from '../downsample.js';
import { ApiError } from '../errors.js';
import type { Deps } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { Id, Problem } from '../schemas.js';
import { view } from './read.js';

// Metric time series keyed by logical time, built from the signed report entries in the trace.

interface Sample {
  l: number;
  v: number;
}

const MAX_SAMPLES = 2000;

export class SeriesIndex {
  private readonly series = new Map<string, Sample[]>();

  add(entries: readonly Entry[]): void {
    for (const e of entries) {
      if (!isKnownEntry(e)) continue;
      switch (e.type) {
        case 'q.metrics.reported':
          for (const q of e.payload.qubits)
            for (const m of ['t1', 't2', 'fidelity', 'readoutError'] as const)
              this.push(String(e.payload.provider), `qubit-${q.qubit}`, m, e.l, q[m]);
          break;
        case 'phi.stability.reported':
          for (const r of e.payload.envelopes)
            for (const m of ['stability', 'noise', 'drift', 'impact'] as const)
              this.push(String(e.payload.provider), String(r.envelope), m, e.l, Number(r[m]));
          break;
        default:
          // No other entry type carries a metric sample.
          break;
      }
    }
  }

  private push(provider: string, subject: string, metric: string, l: number, v: number): void {
    const key = `${provider}|${subject}|${metric}`;
    let s = this.series.get(key);
    if (!s) {
      s = [];
      this.series.set(key, s);
    }
    s.push({ l, v });
    if (s.length > MAX_SAMPLES) s.splice(0, s.length - MAX_SAMPLES);
  }

  query(provider: string): Array<{ subject: string; metric: string; samples: Sample[] }> {
    const out: Array<{ subject: string; metric: string; samples: Sample[] }> = [];
    for (const [key, samples] of this.series) {
      const [p, subject, metric] = key.split('|') as [string, string, string];
      if (p === provider) out.push({ subject, metric, samples });
    }
    return out.sort((a, b) => (a.subject + a.metric < b.subject + b.metric ? -1 : 1));
  }
}

export async function loadSeries(deps: Deps, index: SeriesIndex): Promise<void> {
  for (const type of [
    'q.metrics.reported',
    'phi.stability.reported',
  ] as const satisfies readonly EntryType[]) {
    let after = 0;
    for (;;) {
      const page = await deps.ledger.entries({ afterSeq: after, limit: 2000, type });
      if (page.length === 0) break;
      index.add(page);
      after = page.at(-1)!.seq;
    }
  }
}

export function seriesRoutes(base: FastifyInstance, deps: Deps, index: SeriesIndex): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  app.get('/providers/:provider/series', {
    schema: {
      summary:
        'Metric time series of a provider over logical time (Q: t1, t2, fidelity, readoutError per qubit; Φ: stability, noise, drift, impact per envelope)',
      operationId: 'providerSeries',
      tags: ['providers'],
      security: [{ bearer: [] }],
      params: Type.Object({ provider: Id }),
      querystring: Type.Object({
        from: Type.Optional(
          Type.Integer({ minimum: 0, description: 'first L (default: the oldest sample)' }),
        ),
        to: Type.Optional(Type.Integer({ minimum: 0, description: 'last L (default: the current L)' })),
        points: Type.Optional(
          Type.Integer({
            minimum: 2,
            maximum: 2000,
            description:
              'at most this many samples per series: equal-width L buckets, each its last value with min and max (default: every sample)',
          }),
        ),
      }),
      response: {
        200: Type.Object({
          provider: Type.String(),
          thresholds: Type.Object({}, { additionalProperties: true }),
          series: Type.Array(
            Type.Object({
              subject: Type.String(),
              metric: Type.String(),
              samples: Type.Array(
                Type.Object({
                  l: Type.Integer(),
                  v: Type.Integer(),
                  min: Type.Optional(
                    Type.Integer({ description: 'lowest value in the bucket (with points)' }),
                  ),
                  max: Type.Optional(
                    Type.Integer({ description: 'highest value in the bucket (with points)' }),
                  ),
                }),
              ),
            }),
          ),
        }),
        401: Problem,
        404: Problem,
      },
    },
    handler: async (req) => {
      const { state } = view(deps.ledger, req);
      const id = req.params.provider;
      if (!state.providers[id])
        throw Object.assign(new Error(`Provider ${id} does not exist.`), { code: 'HV_NOT_FOUND' });
      // Envelope series are visible only to the envelope's tenant (and operators).
      const visible = index
        .query(id)
        .filter((s) => !s.subject.startsWith('env-') || state.envelopes[s.subject] !== undefined);
      const { from, to, points } = req.query;
      if (from === undefined && to === undefined && points === undefined)
        return { provider: id, thresholds: state.config.thresholds, series: visible };
      const lo = from ?? 0;
      const hi = to ?? state.l;
      if (lo > hi) throw new ApiError('HV_BAD_REQUEST', `from (${lo}) is after to (${hi}); give from <= to.`);
      const series = visible.map((s) => ({
        subject: s.subject,
        metric: s.metric,
        samples: points === undefined ? window(s.samples, lo, hi) : downsample(s.samples, lo, hi, points),
      }));
      return { provider: id, thresholds: state.config.thresholds, series };
    },
  });
}
