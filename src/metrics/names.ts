/** k6's four metric types; they decide which aggregations a threshold may use. */
export type MetricType = 'trend' | 'counter' | 'rate' | 'gauge';

/**
 * The built-in metrics (k6-style names). Summaries always contain the untagged ones, even at zero, so a threshold
 * such as `ocpp_call_errors{kind:timeout}: count<1` has something to read when nothing failed.
 */
export const BUILTIN_METRICS: Readonly<Record<string, MetricType>> = Object.freeze({
  ocpp_calls: 'counter',
  ocpp_call_duration: 'trend',
  ocpp_call_service_duration: 'trend',
  ocpp_call_failed: 'rate',
  ocpp_call_rejected: 'rate',
  ocpp_call_errors: 'counter',
  ocpp_incoming_calls: 'counter',
  ocpp_incoming_failed: 'rate',
  ocpp_connects: 'counter',
  ocpp_connect_duration: 'trend',
  ocpp_connect_failed: 'rate',
  ocpp_connect_errors: 'counter',
});

/** Threshold aggregations valid per metric type (k6's, plus `count` on trends and `max` on gauges). */
export const AGGREGATIONS: Readonly<Record<MetricType, readonly string[]>> = Object.freeze({
  trend: ['avg', 'min', 'med', 'max', 'count', 'p(N)'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value', 'max'],
});

/** Tag values may hold anything but the selector's own punctuation. */
const TAG_VALUE = /^[^,{}]+$/;

/** The canonical key of a (sub)metric: `name` or `name{a:1,b:2}` with tags sorted by name. */
export function metricKey(name: string, tags?: Readonly<Record<string, string>>): string {
  if (!tags) return name;
  const keys = Object.keys(tags).sort();
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}:${tags[k]}`).join(',')}}`;
}

/** Whether a string can be a tag value in a selector. */
export function isTagValue(v: string): boolean {
  return TAG_VALUE.test(v);
}

/** The k6 key of a percentile: 99 -> `p(99)`, 99.90 -> `p(99.9)`. */
export function percentileKey(p: number): `p(${string})` {
  return `p(${String(p)})`;
}
