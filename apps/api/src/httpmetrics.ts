import type { FastifyReply, onResponseHookHandler, RouteOptions } from 'fastify';
import type { Registry } from 'prom-client';

// Request counts and latency for Prometheus: xdv_http_requests_total{method,route,status} and the
// histogram xdv_http_request_duration_seconds{method,route}, exposed in prom-client's own format.
//
// They are counted per request, so they are counted cheaply: each route gets its own onResponse
// hook holding its route label (no `req.routeOptions`, which Fastify builds afresh on every read),
// and the counts are plain numbers in per-series records; the registry formats them only when
// /metrics is scraped. prom-client's labelled children re-validate and re-hash their label set
// on every observation, which cost several per cent of a cheap GET.

/** Upper bounds of the latency histogram, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1] as const;

interface Series {
  readonly labels: { method: string; route: string };
  /** Requests by status code. */
  readonly statuses: Map<number, number>;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** One sample as prom-client's registry formats it. */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
}

export class HttpMetrics {
  private readonly series = new Map<string, Series>();

  /** Add this as an onRoute hook before any route is declared: it gives each route its hook. */
  readonly onRoute = (route: RouteOptions): void => {
    const label = route.url;
    const byMethod = new Map<string, Series>();
    const hook: onResponseHookHandler = (req, reply, done) => {
      let s = byMethod.get(req.method);
      if (s === undefined) {
        s = this.seriesOf(req.method, label);
        byMethod.set(req.method, s);
      }
      record(s, reply);
      done();
    };
    // A new array: the route's own hooks (if any) are left as they were declared. Fastify's HEAD
    // twin of a GET route is declared from the options as they were before this hook, and comes
    // through here itself.
    const own = route.onResponse;
    route.onResponse = own === undefined ? [hook] : [...(Array.isArray(own) ? own : [own]), hook];
  };

  /** Add this as a global onResponse hook: it counts the requests no route answered (label "unmatched"). */
  readonly onUnmatched: onResponseHookHandler = (req, reply, done) => {
    if (req.is404) record(this.seriesOf(req.method, 'unmatched'), reply);
    done();
  };

  /** Expose both families in `registry`. */
  register(registry: Registry): void {
    const counter = {
      name: 'xdv_http_requests_total',
      help: 'HTTP requests by method, route and status',
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({ ...counter, values: this.counts() }),
      reset: () => this.series.clear(),
    };
    const histogram = {
      name: 'xdv_http_request_duration_seconds',
      help: 'HTTP request latency',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ ...histogram, values: this.latencies(histogram.name) }),
      reset: () => this.series.clear(),
    };
    registry.registerMetric(counter as never);
    registry.registerMetric(histogram as never);
  }

  private seriesOf(method: string, route: string): Series {
    const key = `${method} ${route}`;
    let s = this.series.get(key);
    if (s === undefined) {
      s = {
        labels: { method, route },
        statuses: new Map(),
        buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, s);
    }
    return s;
  }

  private counts(): Sample[] {
    const out: Sample[] = [];
    for (const s of this.series.values())
      for (const [status, n] of s.statuses)
        out.push({ labels: { ...s.labels, status: String(status) }, value: n });
    return out;
  }

  private latencies(name: string): Sample[] {
    const out: Sample[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        acc += s.buckets[i]!;
        out.push({ labels: { le }, sharedLabels: s.labels, value: acc, metricName: `${name}_bucket` });
      });
      out.push(
        { labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${name}_bucket` },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count` },
      );
    }
    return out;
  }
}

function record(s: Series, reply: FastifyReply): void {
  const status = reply.statusCode;
  s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
  const seconds = reply.elapsedTime / 1000;
  let i = 0;
  while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
  s.buckets[i]!++;
  s.sum += seconds;
  s.count++;
}
