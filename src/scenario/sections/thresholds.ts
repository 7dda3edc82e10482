import { formatPath, type Locator, type Path, type Problems } from '../problems.js';
import { describe, duration, isAbsent, isRaw, readMap } from '../read.js';
import type { ThresholdEntrySpec } from '../spec.js';

const ENTRY_KEYS = ['threshold', 'abortOnFail', 'delayAbortEval'] as const;

type Entry = ThresholdEntrySpec['value'];

function readEntry(p: Problems, v: unknown, path: Path): Entry | undefined {
  if (typeof v === 'string') {
    if (v.trim() !== '') return v;
    p.add(path, 'expected a threshold expression such as "p(99)<500" or "rate<0.01", got an empty string');
    return undefined;
  }
  if (!isRaw(v)) {
    p.add(path, `expected a threshold expression such as "p(99)<500", or { threshold, abortOnFail, delayAbortEval }, got ${describe(v)}`);
    return undefined;
  }
  const m = readMap(p, v, path, ENTRY_KEYS);
  if (!m) return undefined;
  const before = p.size;
  if (typeof m.threshold !== 'string' || m.threshold.trim() === '') {
    p.add([...path, 'threshold'], isAbsent(m.threshold)
      ? "'threshold' is required: the expression, e.g. \"rate<0.01\""
      : `expected a threshold expression such as "rate<0.01", got ${describe(m.threshold)}`);
  }
  if (!isAbsent(m.abortOnFail) && typeof m.abortOnFail !== 'boolean') {
    p.add([...path, 'abortOnFail'], `expected true or false, got ${describe(m.abortOnFail)}`);
  }
  if (!isAbsent(m.delayAbortEval)) duration({ min: 0 })(p, m.delayAbortEval, [...path, 'delayAbortEval']);
  if (p.size !== before) return undefined;
  const out: Entry = { threshold: m.threshold as string };
  if (typeof m.abortOnFail === 'boolean') out.abortOnFail = m.abortOnFail;
  if (!isAbsent(m.delayAbortEval)) out.delayAbortEval = m.delayAbortEval as string | number;
  return out;
}

/**
 * `thresholds:` — k6's shape: a map from metric selector (`ocpp_call_duration{action:BootNotification}`) to a
 * list of expressions (`p(99)<500`) or `{ threshold, abortOnFail, delayAbortEval }` objects. Only the shape is
 * checked here: expressions and metric names belong to the metrics module, which the CLI applies to the entries
 * (with the line of each, from `locate`).
 */
export function readThresholds(p: Problems, v: unknown, path: Path, locate?: Locator): ThresholdEntrySpec[] | undefined {
  if (!isRaw(v)) {
    p.add(path, `expected a map of metric → list of thresholds, e.g. "ocpp_call_failed: ['rate<0.01']", got ${describe(v)}`);
    return undefined;
  }
  const out: ThresholdEntrySpec[] = [];
  for (const [selector, list] of Object.entries(v)) {
    const at: Path = [...path, selector];
    if (selector.trim() === '') { p.add(at, 'a metric selector cannot be empty', 'key'); continue; }
    if (Array.isArray(list) && list.length === 0) { p.add(at, `expected at least one threshold for ${selector}`); continue; }
    // A single expression without brackets is a list of one, as elsewhere in the format.
    const items: [unknown, Path][] = Array.isArray(list) ? list.map((x, i) => [x, [...at, i]]) : [[list, at]];
    for (const [item, itemPath] of items) {
      const value = readEntry(p, item, itemPath);
      if (value === undefined) continue;
      const entry: ThresholdEntrySpec = { selector, value, path: formatPath(itemPath) };
      const pos = locate?.(itemPath, 'value');
      if (pos) { entry.line = pos.line; entry.column = pos.column; }
      out.push(entry);
    }
  }
  return out;
}
