import { writeFileSync } from 'node:fs';
import { ExitCode, InvalidInputError, ToolError, type InputProblem } from '../util/errors.js';
import { formatDuration } from '../util/duration.js';
import { actionInfo, csmsToStationActions, stationToCsmsActions } from '../ocpp/actions.js';
import { RPC_ERROR_CODES } from '../ocpp/errors.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import { closestName, knownMetrics } from '../metrics/names.js';
import {
  abortingResults, evaluateThresholds, parseThresholdEntry, splitThresholdOption, thresholdPercentiles,
  type Threshold, type ThresholdResult,
} from '../metrics/thresholds.js';
import { evaluateLive, snapshotView } from '../metrics/live.js';
import { formatJUnit } from '../metrics/junit.js';
import { hlogOfSeries } from '../metrics/hlog.js';
import type { MetricsSnapshot } from '../metrics/snapshot.js';
import type { Summary } from '../metrics/summary.js';
import { writableFileOption } from './output.js';
import { attackProblems } from '../attacks/index.js';
import { ATTACK_TYPES, isAttackType } from '../detection/index.js';

/**
 * CI gates of `run` (k6's): thresholds from the scenario and `--threshold`, evaluated at the end (exit 99 when
 * one fails) and, for abortOnFail ones, once a second during the run; and the CI outputs `--junit` and `--hlog`.
 */
export interface GateOptions {
  /** `--threshold '<selector>:<expression>'`, repeatable. */
  threshold?: string[];
  junit?: string;
  hlog?: string;
}

/** What the per-second hook needs of the live run (the orchestrator's LiveProgress). */
export interface LiveRun {
  elapsedMs: number;
  snapshot(): Promise<MetricsSnapshot>;
}

const COMMAND_LINE = 'command line';
const CALL_KINDS = ['timeout', 'callerror', 'callresulterror', 'disconnected', 'invalid', 'invalid-response'];

/** commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * A tag value a run can never produce (an action that is not in the OCPP catalogue or goes the other way, an
 * error kind that does not exist) makes the threshold unreadable forever: reported like an unknown metric.
 */
function tagProblem(t: Threshold): string | undefined {
  const action = t.tags.action;
  if (action !== undefined) {
    const incoming = t.name.startsWith('ocpp_incoming');
    const dir = actionInfo(action)?.direction;
    const ok = dir === 'both' || dir === (incoming ? 'toStation' : 'toCsms');
    if (!ok) {
      const names = incoming ? csmsToStationActions() : stationToCsmsActions();
      const guess = closestName(action, names);
      const what = incoming ? 'a CSMS → station action' : 'a station → CSMS action';
      return `action "${action}" is not ${what}${guess ? ` (did you mean "${guess}"?)` : ''}: ${t.metric} can never appear`;
    }
  }
  const kind = t.tags.kind;
  if (kind !== undefined && t.name === 'ocpp_call_errors') {
    const [cls, code] = kind.startsWith('callerror:') ? ['callerror', kind.slice(10)] : [kind, undefined];
    if (!CALL_KINDS.includes(cls) || (code !== undefined && !(RPC_ERROR_CODES as readonly string[]).includes(code))) {
      return `kind "${kind}" is not an outcome of a call: use one of ${CALL_KINDS.join(', ')} or callerror:<RPC error code>`;
    }
  }
  const type = t.tags.type;
  if (type !== undefined && !isAttackType(type)) {
    const guess = closestName(type, ATTACK_TYPES);
    return `type "${type}" is not an attack type (A01–A16)${guess ? ` (did you mean "${guess}"?)` : ''}: ${t.metric} can never appear`;
  }
  return undefined;
}

/**
 * Parses every threshold of the scenario (with its file, line and YAML path) and of `--threshold` options (named
 * by the option). Syntax errors, unknown metrics, unknown tags and tag values that can never occur are all
 * reported at once as invalid input (exit 104), before anything runs.
 */
export function parseGateThresholds(spec: ScenarioSpec, options: readonly string[] = [], earlier: readonly InputProblem[] = []): Threshold[] {
  const known = knownMetrics();
  // Problems found by other checks of the same scenario (the attack library's), reported together with these.
  const problems: InputProblem[] = [...earlier];
  const thresholds: Threshold[] = [];
  const add = (selector: string, entry: unknown, where: Omit<InputProblem, 'message'>): void => {
    // Problems point at the entry's own line; metrics only knows the path it was given.
    const pos = { ...(where.line !== undefined ? { line: where.line } : {}), ...(where.column !== undefined ? { column: where.column } : {}) };
    const r = parseThresholdEntry(selector, entry, { path: where.path, file: where.file, knownMetrics: known });
    problems.push(...r.problems.map((p) => ({ ...p, ...pos })));
    if (!r.threshold) return;
    const bad = tagProblem(r.threshold);
    if (bad !== undefined) problems.push({ ...where, message: bad });
    else thresholds.push(r.threshold);
  };
  for (const e of spec.thresholds ?? []) {
    const { selector, value, path, line, column } = e;
    add(selector, value, { file: spec.file, path, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) });
  }
  for (const text of options) {
    const split = splitThresholdOption(text);
    if (!split) {
      problems.push({ file: COMMAND_LINE, path: '--threshold', message: `expected '<metric selector>:<expression>', e.g. 'ocpp_call_failed:rate<0.01' or 'ocpp_call_duration{action:Authorize}:p(99)<500', got '${text}'` });
      continue;
    }
    add(split.selector, split.expression, { file: COMMAND_LINE, path: `--threshold '${text}'` });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return thresholds;
}

export class Gates {
  /** Set when an abortOnFail threshold ended the run. */
  abortedBy: ThresholdResult[] | null = null;
  private results: ThresholdResult[] = [];
  private readonly abortable: Threshold[];
  private checking = false;

  private constructor(readonly thresholds: readonly Threshold[], private readonly o: GateOptions) {
    this.abortable = thresholds.filter((t) => t.abortOnFail);
  }

  /** Parses and checks everything the gates need; any problem is invalid input (exit 104). */
  static prepare(spec: ScenarioSpec, o: GateOptions): Gates {
    const thresholds = parseGateThresholds(spec, o.threshold, attackProblems(spec));
    // Checked before the run rather than after minutes of it.
    writableFileOption('--junit', o.junit);
    writableFileOption('--hlog', o.hlog);
    return new Gates(thresholds, o);
  }

  /** Extra percentiles the summary must compute for the thresholds (`summarize({ percentiles })`). */
  get percentiles(): number[] {
    return thresholdPercentiles(this.thresholds);
  }

  /** True when the run must exit 99: a threshold failed, or one aborted the run. */
  get failed(): boolean {
    return this.abortedBy !== null || this.results.some((r) => !r.passed);
  }

  /**
   * About once a second during the run: evaluates the abortOnFail thresholds past their delayAbortEval on a live
   * snapshot (only the metrics they read, see liveMetrics) and calls `abort` — the same graceful drain as Ctrl-C
   * — when one fails. At most one evaluation in flight; nothing at all without abortOnFail thresholds.
   */
  tick(run: LiveRun, abort: () => void): void {
    if (this.abortedBy !== null || this.checking) return;
    const due = this.abortable.filter((t) => run.elapsedMs >= t.delayAbortEvalMs);
    if (due.length === 0) return;
    this.checking = true;
    const elapsedMs = run.elapsedMs;
    run.snapshot().then((snap) => {
      const failing = abortingResults(evaluateLive(snapshotView(snap), due, snap.endMs), elapsedMs);
      if (failing.length === 0 || this.abortedBy !== null) return;
      for (const r of failing) r.abortedRun = { elapsedMs: Math.round(elapsedMs), observed: r.observed ?? 0 };
      this.abortedBy = failing;
      for (const r of failing) {
        process.stderr.write(`\nthreshold ${r.metric} ${r.expression} failed at ${formatDuration(elapsedMs)} (observed ${r.observed}) with abortOnFail: ending the run\n`);
      }
      abort();
    }).catch((err: unknown) => {
      process.stderr.write(`chargestorm: could not evaluate thresholds during the run: ${(err as Error).message}\n`);
    }).finally(() => { this.checking = false; });
  }

  /**
   * After the run: evaluates every threshold (but the deferred ones) on the final summary, marks the ones that aborted the run, and writes
   * `--junit` and `--hlog`. Returns the results (for the report and `summary.thresholds`).
   */
  finish(summary: Summary, snapshot: MetricsSnapshot, opts: { defer?: (t: Threshold) => boolean } = {}): ThresholdResult[] {
    // Deferred thresholds (detection metrics of a shard) are evaluated by `chargestorm merge` on the whole run.
    this.results = evaluateThresholds(opts.defer ? this.thresholds.filter((t) => !opts.defer!(t)) : this.thresholds, summary);
    for (const a of this.abortedBy ?? []) {
      const r = this.results.find((x) => x.metric === a.metric && x.expression === a.expression);
      if (r && a.abortedRun) {
        r.passed = false;
        r.abortedRun = a.abortedRun;
      }
    }
    const failed = this.results.filter((r) => !r.passed).length;
    if (failed > 0) process.stderr.write(`chargestorm: ${failed} of ${this.results.length} threshold${this.results.length === 1 ? '' : 's'} failed\n`);
    this.write('--junit', this.o.junit, () => formatJUnit(this.results, {
      suite: `chargestorm thresholds: ${summary.run.scenario ?? 'run'}`,
      timestamp: summary.run.startTime, timeS: summary.run.durationMs / 1000,
    }));
    this.write('--hlog', this.o.hlog, () => hlogOfSeries(snapshot.series, snapshot.startMs));
    return this.results;
  }

  private write(option: string, file: string | undefined, text: () => string): void {
    if (file === undefined) return;
    try {
      writeFileSync(file, text());
    } catch (e) {
      throw new ToolError('E_OUTPUT', `${option}: cannot write '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ExitCode.runtimeError);
    }
  }
}
