// Server-side downsampling of a metric series keyed by logical time: a chart of the last N ticks
// gets at most `points` samples whatever the history, and a dip or a spike inside a bucket is kept
// (min and max), not averaged away. Integers in, integers out; the same input gives the same output.

export interface Sample {
  l: number;
  v: number;
}

/** One bucket: `v` is the last value in it (at `l`), `min` and `max` bound every value in it. */
export interface Bucket extends Sample {
  min: number;
  max: number;
}

/** The samples with `from <= l <= to`; `samples` is ordered by l. */
export function window(samples: readonly Sample[], from: number, to: number): Sample[] {
  return samples.filter((s) => s.l >= from && s.l <= to);
}

/**
 * At most `points` buckets of equal width in L over [from, to]: each holds its last sample and
 * the min and max of its samples. Fewer samples than `points` come back one per bucket unchanged.
 */
export function downsample(samples: readonly Sample[], from: number, to: number, points: number): Bucket[] {
  const inside = window(samples, from, to);
  if (inside.length <= points) return inside.map((s) => ({ ...s, max: s.v, min: s.v }));
  const width = Math.ceil((to - from + 1) / points);
  const out: Bucket[] = [];
  let cur: Bucket | null = null;
  let index = -1;
  for (const s of inside) {
    const i = Math.floor((s.l - from) / width);
    if (cur && i === index) {
      cur.l = s.l;
      cur.v = s.v;
      if (s.v < cur.min) cur.min = s.v;
      if (s.v > cur.max) cur.max = s.v;
      continue;
    }
    cur = { l: s.l, max: s.v, min: s.v, v: s.v };
    index = i;
    out.push(cur);
  }
  return out;
}
