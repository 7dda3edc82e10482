import { parseDuration } from '../util/duration.js';
import type { InputProblem } from '../util/errors.js';
import {
  AGGREGATIONS, BUILTIN_METRICS, closestName, isTagValue, knownMetrics, METRIC_TAGS, metricKey, percentileKey,
  type MetricType,
} from './names.js';
import type { MetricEntry, Summary } from './summary.js';

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** One parsed threshold (k6 syntax), frozen; parsed once before the run, evaluated any number of times. */
export interface Threshold {
  /** Canonical metric key: `name` or `name{tag:value,...}` with tags sorted. */
  readonly metric: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The expression as written (`p(99)<250`). */
  readonly expression: string;
  /** Canonical aggregation: `avg`, `min`, `med`, `max`, `count`, `rate`, `value` or `p(N)`. */
  readonly aggregation: string;
  readonly op: ThresholdOp;
  /** Right-hand side; durations are in milliseconds. */
  readonly bound: number;
  readonly abortOnFail: boolean;
  /** With abortOnFail: how long into the run a failure is tolerated before aborting (ms). */
  readonly delayAbortEvalMs: number;
  /** Where it was written, for messages (`thresholds["ocpp_call_duration"][0]`). */
  readonly path: string;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  /** The value the expression was checked against; null when it could not be read (see `error`). */
  observed: number | null;
  passed: boolean;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** Why the threshold could not be evaluated (metric never appears, no samples, wrong aggregation); counts as failed. */
  error?: string;
  /** Set when this threshold's abortOnFail ended the run: when (ms into the run) and what it observed then. */
  abortedRun?: { elapsedMs: number; observed: number };
}

/** A threshold as written in a scenario: a bare expression or k6's object form. */
export type ThresholdInput = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };

export interface ParseThresholdsOptions {
  /** For InputProblem.file. */
  file?: string;
  /** Path of the thresholds section itself. */
  path?: string;
  /**
   * The metrics a run can produce, with their types (`knownMetrics()`). When given, a selector naming anything
   * else is a problem (it could never be evaluated) and aggregations are checked for those metrics too. Without
   * it, any name is accepted and only the built-ins are type-checked.
   */
  knownMetrics?: Readonly<Record<string, MetricType>>;
}

const KNOWN = knownMetrics();
const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const SELECTOR = /^\s*([^{\s]+)\s*(?:\{(.*)\})?\s*$/s;
const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*$/;
const OBJECT_KEYS = new Set(['threshold', 'abortOnFail', 'delayAbortEval']);

type Problem = Pick<InputProblem, 'path' | 'message'>;

function parseSelector(
  key: string, problems: Problem[], path: string, known?: Readonly<Record<string, MetricType>>,
): { name: string; tags: Record<string, string> } | undefined {
  const m = SELECTOR.exec(key);
  const name = m?.[1] ?? '';
  if (!m || !NAME.test(name)) {
    problems.push({ path, message: `"${key}" is not a metric selector (expected name or name{tag:value,...})` });
    return undefined;
  }
  const tags: Record<string, string> = {};
  if (m[2] !== undefined) {
    for (const part of m[2].split(',')) {
      const colon = part.indexOf(':');
      const tag = colon < 0 ? '' : part.slice(0, colon).trim();
      const value = colon < 0 ? '' : part.slice(colon + 1).trim();
      if (!NAME.test(tag) || value === '' || !isTagValue(value)) {
        problems.push({ path, message: `tag "${part.trim()}" in "${key}" must look like tag:value` });
        return undefined;
      }
      tags[tag] = value;
    }
  }
  if (known !== undefined && known[name] === undefined) {
    const names = Object.keys(known).sort();
    const guess = closestName(name, names);
    problems.push({
      path,
      message: guess !== undefined
        ? `unknown metric "${name}" (did you mean "${guess}"?): it can never appear in a run`
        : `unknown metric "${name}": it can never appear in a run — known metrics: ${names.join(', ')}`,
    });
    return undefined;
  }
  const allowed = METRIC_TAGS[name] ?? [];
  for (const tag of Object.keys(tags)) {
    if (!allowed.includes(tag)) {
      const hint = allowed.length > 0 ? `; it has: ${allowed.join(', ')}` : '; it has none';
      problems.push({ path, message: `metric ${name} has no tag "${tag}"${hint}` });
      return undefined;
    }
  }
  return { name, tags };
}

/** Whether an aggregation (`p(99)`, `avg`, ...) applies to a metric type. */
export function aggregationApplies(type: MetricType, aggregation: string): boolean {
  const allowed = AGGREGATIONS[type];
  return allowed.includes(aggregation.startsWith('p(') ? 'p(N)' : aggregation);
}

function parseExpression(
  text: string, type: MetricType | undefined, problems: Problem[], path: string,
): { aggregation: string; op: ThresholdOp; bound: number } | undefined {
  const m = EXPRESSION.exec(text);
  if (!m) {
    problems.push({ path, message: `"${text}" is not a threshold expression (expected e.g. p(99)<250, avg<100, rate<0.01, count>0)` });
    return undefined;
  }
  let aggregation = m[1]!;
  if (m[2] !== undefined) {
    const p = Number(m[2]);
    if (!(p > 0 && p <= 100)) {
      problems.push({ path, message: `percentile ${m[2]} must be greater than 0 and at most 100` });
      return undefined;
    }
    aggregation = percentileKey(p);
  }
  if (type !== undefined && !aggregationApplies(type, aggregation)) {
    problems.push({ path, message: `${aggregation} does not apply to a ${type} metric (use ${AGGREGATIONS[type].join(', ')})` });
    return undefined;
  }
  return { aggregation, op: m[3] as ThresholdOp, bound: Number(m[4]) };
}

function parseEntry(entry: unknown, problems: Problem[], path: string): { text: string; abortOnFail: boolean; delayMs: number } | undefined {
  if (typeof entry === 'string') return { text: entry, abortOnFail: false, delayMs: 0 };
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    problems.push({ path, message: 'expected a threshold expression or {threshold, abortOnFail, delayAbortEval}' });
    return undefined;
  }
  const o = entry as Record<string, unknown>;
  let bad = false;
  for (const k of Object.keys(o)) {
    if (!OBJECT_KEYS.has(k)) { problems.push({ path: `${path}.${k}`, message: 'unknown key' }); bad = true; }
  }
  if (typeof o.threshold !== 'string') { problems.push({ path: `${path}.threshold`, message: 'required: a threshold expression' }); bad = true; }
  if (o.abortOnFail !== undefined && typeof o.abortOnFail !== 'boolean') { problems.push({ path: `${path}.abortOnFail`, message: 'expected true or false' }); bad = true; }
  let delayMs = 0;
  if (o.delayAbortEval !== undefined) {
    const d = typeof o.delayAbortEval === 'string' || typeof o.delayAbortEval === 'number' ? parseDuration(o.delayAbortEval) : undefined;
    if (d === undefined) { problems.push({ path: `${path}.delayAbortEval`, message: 'expected a duration such as 10s or 1m30s' }); bad = true; }
    else delayMs = d;
  }
  return bad ? undefined : { text: o.threshold as string, abortOnFail: o.abortOnFail === true, delayMs };
}

function buildThreshold(
  selector: { name: string; tags: Record<string, string> }, entry: unknown, path: string,
  problems: Problem[], known: Readonly<Record<string, MetricType>> | undefined,
): Threshold | undefined {
  const type = (known ?? BUILTIN_METRICS)[selector.name];
  const e = parseEntry(entry, problems, path);
  const x = e && parseExpression(e.text, type, problems, path);
  if (!e || !x) return undefined;
  return Object.freeze({
    metric: metricKey(selector.name, selector.tags), name: selector.name, tags: Object.freeze({ ...selector.tags }),
    expression: e.text.trim(), aggregation: x.aggregation, op: x.op, bound: x.bound,
    abortOnFail: e.abortOnFail, delayAbortEvalMs: e.delayMs, path,
  });
}

/**
 * Parses k6-style thresholds `{ "<metric selector>": [expression | {threshold, abortOnFail, delayAbortEval}] }`.
 * Collects every problem (with its path) rather than stopping at the first; thresholds with problems are left out.
 */
export function parseThresholds(
  record: Readonly<Record<string, unknown>>, opts: ParseThresholdsOptions = {},
): { thresholds: Threshold[]; problems: InputProblem[] } {
  const file = opts.file ?? '';
  const base = opts.path ?? 'thresholds';
  const problems: Problem[] = [];
  const thresholds: Threshold[] = [];
  for (const [key, list] of Object.entries(record)) {
    const keyPath = `${base}[${JSON.stringify(key)}]`;
    const selector = parseSelector(key, problems, keyPath, opts.knownMetrics);
    if (!Array.isArray(list)) { problems.push({ path: keyPath, message: 'expected a list of threshold expressions' }); continue; }
    if (!selector) continue;
    list.forEach((entry: unknown, i: number) => {
      const t = buildThreshold(selector, entry, `${keyPath}[${i}]`, problems, opts.knownMetrics);
      if (t) thresholds.push(t);
    });
  }
  return { thresholds, problems: problems.map((p) => ({ file, ...p })) };
}

export interface ParseThresholdEntryOptions {
  /** Where the entry was written (a YAML path, or the option name); used for the threshold's path and problems. */
  path: string;
  file?: string;
  knownMetrics?: Readonly<Record<string, MetricType>>;
}

/**
 * Parses one threshold: a metric selector and one entry (an expression or `{threshold, abortOnFail,
 * delayAbortEval}`). For callers that keep each entry's own position (a scenario file's lines, a command-line
 * option); every problem is reported at `opts.path` (or below it for object keys).
 */
export function parseThresholdEntry(
  selector: string, entry: unknown, opts: ParseThresholdEntryOptions,
): { threshold?: Threshold; problems: InputProblem[] } {
  const problems: Problem[] = [];
  const sel = parseSelector(selector, problems, opts.path, opts.knownMetrics);
  const threshold = sel && buildThreshold(sel, entry, opts.path, problems, opts.knownMetrics);
  const out: { threshold?: Threshold; problems: InputProblem[] } = { problems: problems.map((p) => ({ file: opts.file ?? '', ...p })) };
  if (threshold) out.threshold = threshold;
  return out;
}

/**
 * Splits a command-line threshold `<selector>:<expression>` (`ocpp_call_duration{action:Authorize}:p(99)<500`)
 * at its last colon outside the selector's braces; undefined when there is none.
 */
export function splitThresholdOption(text: string): { selector: string; expression: string } | undefined {
  let depth = 0;
  let at = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === ':' && depth === 0) at = i;
  }
  if (at <= 0 || at === text.length - 1) return undefined;
  return { selector: text.slice(0, at).trim(), expression: text.slice(at + 1).trim() };
}

/** The percentiles the thresholds read, to pass to `summarize({percentiles})`. */
export function thresholdPercentiles(thresholds: readonly Threshold[]): number[] {
  const out = new Set<number>();
  for (const t of thresholds) if (t.aggregation.startsWith('p(')) out.add(Number(t.aggregation.slice(2, -1)));
  return [...out].sort((a, b) => a - b);
}

function compare(observed: number, op: ThresholdOp, bound: number): boolean {
  switch (op) {
    case '<': return observed < bound;
    case '<=': return observed <= bound;
    case '>': return observed > bound;
    case '>=': return observed >= bound;
    case '==': case '===': return observed === bound;
    case '!=': return observed !== bound;
  }
}

function observe(t: Threshold, summary: Pick<Summary, 'metrics'>): { observed: number | null; error?: string } {
  const entry: MetricEntry | undefined = summary.metrics[t.metric];
  if (entry === undefined) {
    // A producer's counter that was never bumped (no offline drops) is as real a zero as a built-in's.
    const baseType = KNOWN[t.name] ?? summary.metrics[t.name]?.type;
    if (baseType === undefined) return { observed: null, error: `metric ${t.name} never appears in this run` };
    // Zero events of a kind is a real observation (`ocpp_call_errors{kind:timeout}: count<1` passes with none).
    if (baseType === 'counter') return aggregationApplies('counter', t.aggregation) ? { observed: 0 } : { observed: null, error: `${t.aggregation} does not apply to a counter metric` };
    return { observed: null, error: `${t.metric} has no samples in this run` };
  }
  if (!aggregationApplies(entry.type, t.aggregation)) {
    return { observed: null, error: `${t.aggregation} does not apply to ${t.metric}, a ${entry.type} metric` };
  }
  if (entry.type === 'trend' && entry.values.count === 0) return { observed: null, error: `${t.metric} has no samples in this run` };
  const v = (entry.values as unknown as Record<string, number | undefined>)[t.aggregation];
  if (v === undefined) return { observed: null, error: `${t.aggregation} of ${t.metric} was not computed (pass thresholdPercentiles() to summarize)` };
  return { observed: v };
}

/**
 * Evaluates every threshold against a summary (or any object with its `metrics`, such as `liveMetrics`); a
 * threshold that cannot be read fails with an `error`.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], summary: Pick<Summary, 'metrics'>): ThresholdResult[] {
  return thresholds.map((t) => {
    const { observed, error } = observe(t, summary);
    const passed = observed !== null && error === undefined && compare(observed, t.op, t.bound);
    const r: ThresholdResult = {
      metric: t.metric, expression: t.expression, observed, passed,
      abortOnFail: t.abortOnFail, delayAbortEvalMs: t.delayAbortEvalMs,
    };
    if (error !== undefined) r.error = error;
    return r;
  });
}

/**
 * The failed results that should abort a run `elapsedMs` into it (abortOnFail, past delayAbortEval). Results that
 * could not be read do not abort: mid-run, a metric may simply not have its first sample yet.
 */
export function abortingResults(results: readonly ThresholdResult[], elapsedMs: number): ThresholdResult[] {
  return results.filter((r) => !r.passed && r.error === undefined && r.abortOnFail && elapsedMs >= r.delayAbortEvalMs);
}
