import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExitCode, InvalidInputError, type InputProblem } from '../util/errors.js';
import { mergeSnapshots, type MetricsSnapshot } from '../metrics/snapshot.js';
import { summarize } from '../metrics/summary.js';
import { formatReport } from '../metrics/report.js';
import { formatJUnit } from '../metrics/junit.js';
import { hlogOfSeries } from '../metrics/hlog.js';
import { evaluateThresholds, thresholdPercentiles, type Threshold, type ThresholdResult } from '../metrics/thresholds.js';
import type { ScenarioSpec, ThresholdEntrySpec } from '../scenario/spec.js';
import { loadgenReport, type LoadgenStats } from '../fleet/loadgen.js';
import { mergedPeakConnected } from '../fleet/orchestrator.js';
import type { RunSummary } from './run.js';
import { writableFileOption } from './output.js';
import { collect, parseGateThresholds } from './gates.js';
import { deferredThresholdsOf, detectionInputs, mergeDetection } from './detection-merge.js';

interface MergeOptions {
  threshold?: string[];
  summaryExport?: string;
  junit?: string;
  hlog?: string;
  quiet?: boolean;
  color?: boolean;
  alerts?: string[];
  groundTruth?: string;
}

/** One `--summary-export` file of `chargestorm run --shard i/N`, checked. */
export interface ShardInput {
  file: string;
  /** Shard indices this file holds (one for a run; several for an earlier merge) and the shard count N. */
  indices: number[];
  count: number;
  summary: RunSummary;
}

/** The summary `merge` writes: a run summary over the merged shards, plus which shards went in. */
export type MergedSummary = RunSummary & {
  merged: { files: string[]; shardCount: number; shards: number[]; missing: number[] };
};

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('Merge the --summary-export files of a sharded run (--shard i/N) exactly: counters summed, histograms '
      + 'added; re-evaluates the thresholds and exits with the merged code (0, 99 thresholds, 104 bad input, 105 interrupted).')
    .argument('<files...>', 'shard summaries written by `chargestorm run --shard i/N --summary-export FILE`')
    .option('--threshold <selector:expr>', 'extra threshold to check on the merged metrics, k6 syntax, repeatable: '
      + '\'ocpp_call_duration{action:Authorize}:p(99)<500\'', collect)
    .option('--summary-export <file>', 'write the merged summary as JSON (same schema as run\'s: src/metrics/SUMMARY.md)')
    .option('--junit <file>', 'write the threshold results as JUnit XML')
    .option('--hlog <file>', 'write the merged per-second latency histograms as an HdrHistogram interval log (as run --hlog)')
    .option('--alerts <file>', 'alerts of the CSMS during the sharded run (JSONL or JSON: generic alerts or Alertmanager payloads), '
      + 'scored with the shards\' ground truth; repeatable (docs: README "Security teams")', collect)
    .option('--ground-truth <file>', 'write the merged ground truth (instances joined over shards) as JSONL')
    .option('-q, --quiet', 'no report on stdout')
    .option('--no-color', 'no ANSI colours in the report')
    .action((files: string[], o: MergeOptions) => {
      process.exitCode = mergeCommand(files, o);
    });
}

function mergeCommand(files: string[], o: MergeOptions): number {
  writableFileOption('--summary-export', o.summaryExport);
  writableFileOption('--junit', o.junit);
  writableFileOption('--hlog', o.hlog);
  writableFileOption('--ground-truth', o.groundTruth);
  const extra = parseThresholdOptions(o.threshold ?? []);
  const inputs = readShards(files);
  const { summary, results, code, warnings, detectionReport } = mergeShards(inputs, extra, {
    alerts: o.alerts ?? [], ...(o.groundTruth !== undefined ? { groundTruth: o.groundTruth } : {}),
  });
  for (const w of warnings) process.stderr.write(`chargestorm: warning: ${w}\n`);
  const failed = results.filter((r) => !r.passed).length;
  if (failed > 0) process.stderr.write(`chargestorm: ${failed} of ${results.length} threshold${results.length === 1 ? '' : 's'} failed on the merged metrics\n`);
  if (o.summaryExport) writeFileSync(o.summaryExport, `${JSON.stringify(summary, null, 2)}\n`);
  if (o.junit) {
    writeFileSync(o.junit, formatJUnit(results, {
      suite: `chargestorm thresholds: ${summary.run.scenario ?? 'merged'}`, timestamp: summary.run.startTime, timeS: summary.run.durationMs / 1000,
    }));
  }
  // The shards' interval histograms, added second by second (their series are aligned on the unix second).
  if (o.hlog) writeFileSync(o.hlog, hlogOfSeries(summary.snapshot.series, summary.snapshot.startMs));
  if (!o.quiet) {
    const color = o.color !== false && process.stdout.isTTY === true;
    process.stdout.write(`${formatReport(summary, { color, ...(results.length > 0 ? { thresholds: results } : {}) })}\n`);
    if (detectionReport) process.stdout.write(`  DETECTION  ${detectionReport.split('\n').join('\n    ')}\n`);
    const m = summary.merged;
    const missing = m.missing.length > 0 ? `; MISSING ${m.missing.map((i) => `${i}/${m.shardCount}`).join(', ')}` : '';
    process.stdout.write(`  MERGED  ${m.shards.length} of ${m.shardCount} shards from ${m.files.length} file${m.files.length === 1 ? '' : 's'}${missing}\n`);
    process.stdout.write(`  LOAD GENERATOR  ${summary.execution.processes} process${summary.execution.processes === 1 ? '' : 'es'}, `
      + `${summary.loadgen.kibPerStation} KiB per connected station\n    ${summary.loadgen.verdict}\n`);
    for (const e of summary.execution.errors) process.stderr.write(`chargestorm: ${e}\n`);
  }
  return code;
}

const problem = (file: string, path: string, message: string): InputProblem => ({ file, path, message });

/**
 * Thresholds through the gates module's parser, so merge accepts and rejects exactly what run does. It reads
 * only a scenario's file name and `thresholds`; stored ones are named by their shard file and index.
 */
function gateThresholds(file: string, entries: readonly ThresholdEntrySpec[], options: readonly string[] = []): Threshold[] {
  return parseGateThresholds({ file, thresholds: entries } as Pick<ScenarioSpec, 'file' | 'thresholds'> as ScenarioSpec, options);
}

/** `--threshold selector:expression` options, checked like run's (104 with every problem). */
export function parseThresholdOptions(list: readonly string[]): Threshold[] {
  return gateThresholds('command line', [], list);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isHist = (v: unknown): boolean => isObj(v) && typeof v.hdr === 'string' && typeof v.count === 'number';

/** Reads every file first, so one run of the command lists the problems of all of them (104). */
export function readShards(files: readonly string[]): ShardInput[] {
  const out: ShardInput[] = [];
  const problems: InputProblem[] = [];
  for (const f of files) {
    try {
      out.push(readShard(f));
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return out;
}

/** Reads and checks one shard summary; every problem of the file is a 104 with the file named. */
export function readShard(file: string): ShardInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError([problem(file, '', `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError([problem(file, '', `not JSON: ${(e as Error).message}`)]);
  }
  const problems: InputProblem[] = [];
  const bad = (path: string, message: string): void => { problems.push(problem(file, path, message)); };
  if (!isObj(doc)) throw new InvalidInputError([problem(file, '', 'expected a chargestorm summary (a JSON object)')]);
  if (doc.version !== 1) bad('version', `expected 1, got ${JSON.stringify(doc.version)}`);
  const run = doc.run;
  if (!isObj(run) || !(typeof run.scenario === 'string' || run.scenario === null)) bad('run', 'missing or malformed run info');
  const ex = doc.execution;
  let indices: number[] = [];
  let count = 0;
  if (!isObj(ex) || typeof ex.shard !== 'string') {
    bad('execution.shard', 'missing: write shard summaries with `chargestorm run --shard i/N --summary-export FILE`');
  } else {
    const m = /^(\d+(?:,\d+)*)\/(\d+)$/.exec(ex.shard);
    count = m ? Number(m[2]) : 0;
    indices = m ? m[1]!.split(',').map(Number) : [];
    if (!m || count < 1 || indices.some((i) => i >= count) || new Set(indices).size !== indices.length) bad('execution.shard', `expected i/N, got ${JSON.stringify(ex.shard)}`);
    if (typeof ex.interrupted !== 'boolean' || !Array.isArray(ex.errors) || typeof ex.processes !== 'number') bad('execution', 'malformed execution info');
  }
  if (!isObj(doc.loadgen) || !Array.isArray(doc.loadgen.processes)) bad('loadgen', 'missing or malformed load-generator info');
  checkSnapshot(doc.snapshot, bad);
  if (problems.length > 0) throw new InvalidInputError(problems);
  try {
    // Decodes every histogram once: a corrupt one is this file's fault, not a runtime error later.
    summarize(mergeSnapshots([doc.snapshot as MetricsSnapshot]));
  } catch (e) {
    throw new InvalidInputError([problem(file, 'snapshot', `cannot be decoded: ${(e as Error).message}`)]);
  }
  return { file, indices, count, summary: doc as unknown as RunSummary };
}

function checkSnapshot(s: unknown, bad: (path: string, message: string) => void): void {
  if (s === undefined) { bad('snapshot', 'missing: the raw metrics merge needs (written by `chargestorm run --summary-export` since sharding landed)'); return; }
  if (!isObj(s) || s.version !== 1) { bad('snapshot', 'not a version-1 metrics snapshot'); return; }
  for (const k of ['startMs', 'endMs', 'shards']) if (typeof s[k] !== 'number') bad(`snapshot.${k}`, 'expected a number');
  for (const k of ['calls', 'incoming', 'counters', 'gauges']) if (!isObj(s[k])) bad(`snapshot.${k}`, 'expected an object');
  if (!isObj(s.connect) || !isHist(s.connect.duration) || !isObj(s.connect.outcomes)) bad('snapshot.connect', 'malformed');
  if (!isObj(s.series) || !Array.isArray(s.series.points)) bad('snapshot.series', 'malformed');
  if (isObj(s.calls)) {
    for (const [a, c] of Object.entries(s.calls)) {
      if (!isObj(c) || !isHist(c.latency) || !isHist(c.service) || !isObj(c.outcomes)) bad(`snapshot.calls.${a}`, 'malformed');
    }
  }
}

/** The thresholds a shard was run with: its `thresholds` results (metric, expression, abortOnFail, delay). */
function storedThresholds(input: ShardInput): Threshold[] {
  const list = input.summary.thresholds;
  if (list === undefined) return [];
  const problems: InputProblem[] = [];
  const entries: ThresholdEntrySpec[] = [];
  if (!Array.isArray(list)) throw new InvalidInputError([problem(input.file, 'thresholds', 'expected a list of threshold results')]);
  list.forEach((t: unknown, i) => {
    const path = `thresholds[${i}]`;
    if (!isObj(t) || typeof t.metric !== 'string' || typeof t.expression !== 'string') { problems.push(problem(input.file, path, 'expected { metric, expression, ... }')); return; }
    const delay = typeof t.delayAbortEvalMs === 'number' ? t.delayAbortEvalMs : 0;
    entries.push({ selector: t.metric, value: { threshold: t.expression, abortOnFail: t.abortOnFail === true, delayAbortEval: `${delay}ms` }, path });
  });
  if (problems.length > 0) throw new InvalidInputError(problems);
  return gateThresholds(input.file, entries);
}

/**
 * The merge proper: checks the shards belong together, merges their snapshots exactly, re-summarizes and
 * evaluates the thresholds (the shards' own plus `extra`). Throws a 104 for inputs that cannot be merged.
 */
export function mergeShards(
  inputs: readonly ShardInput[], extra: readonly Threshold[] = [], detection: { alerts?: readonly string[]; groundTruth?: string } = {},
): { summary: MergedSummary; results: ThresholdResult[]; code: number; warnings: string[]; detectionReport: string | null } {
  const warnings: string[] = [];
  const { count, shards, missing } = checkShardSet(inputs);
  if (missing.length > 0) {
    warnings.push(`shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: merging the ${shards.length} of ${count} present`);
  }
  const targets = [...new Set(inputs.map((x) => x.summary.run.target))];
  if (targets.length > 1) warnings.push(`the shards ran against different targets: ${targets.join(', ')}`);

  const detInputs = detectionInputs(inputs);
  const thresholds = gatherThresholds(inputs, extra, deferredThresholdsOf(detInputs));
  const snapshot = mergeSnapshots(inputs.map((x) => x.summary.snapshot));
  const first = inputs[0]!.summary;
  const stations = inputs.every((x) => typeof x.summary.run.stations === 'number')
    ? inputs.reduce((n, x) => n + (x.summary.run.stations ?? 0), 0) : undefined;
  const base = summarize(snapshot, {
    ...(first.run.scenario !== null ? { scenario: first.run.scenario } : {}),
    ...(targets.length === 1 && targets[0] !== null && targets[0] !== undefined ? { target: targets[0] } : {}),
    ...(stations !== undefined ? { stations } : {}),
    percentiles: thresholdPercentiles(thresholds),
  });
  const ex = inputs.map((x) => x.summary.execution);
  const peak = mergedPeakConnected(snapshot, ex.map((e) => e.peakConnected));
  const interrupted = ex.some((e) => e.interrupted);
  const errors = inputs.flatMap((x) => x.summary.execution.errors.map((e) => `shard ${x.summary.execution.shard}: ${e}`));
  // A sharded run's detection is scored here, on the whole ground truth, before the thresholds read it.
  const det = mergeDetection(detInputs, detection.alerts ?? [], thresholdPercentiles(thresholds), detection.groundTruth);
  if (det) {
    Object.assign(base.metrics, det.outcome.metrics);
    warnings.push(...det.warnings);
  }
  const results = evaluateThresholds(thresholds, base);
  carryAborts(results, inputs);
  const summary: MergedSummary = {
    ...base,
    loadgen: loadgenReport(inputs.flatMap((x) => x.summary.loadgen.processes as LoadgenStats[]), peak),
    execution: { processes: ex.reduce((n, e) => n + e.processes, 0), shard: `${shards.join(',')}/${count}`, peakConnected: peak, interrupted, errors },
    merged: { files: inputs.map((x) => x.file), shardCount: count, shards, missing },
    ...(det ? { detection: det.outcome.section } : {}),
    thresholds: results,
    snapshot,
  };
  // The same precedence as `run`: an interrupted shard makes the whole run partial, then thresholds, then failures.
  const code = inputs.some(interruptedByUser) ? ExitCode.interrupted
    : results.some((r) => !r.passed) ? ExitCode.thresholdsFailed
      : errors.length > 0 ? ExitCode.runtimeError : ExitCode.ok;
  return { summary, results, code, warnings, detectionReport: det?.outcome.report ?? null };
}

/** The shards must be of one scenario and one shard count, each shard at most once. */
function checkShardSet(inputs: readonly ShardInput[]): { count: number; shards: number[]; missing: number[] } {
  if (inputs.length === 0) throw new InvalidInputError([problem('(command line)', '', 'no shard files given')]);
  const problems: InputProblem[] = [];
  const first = inputs[0]!;
  const seen = new Map<number, string>();
  for (const x of inputs) {
    if (x.summary.run.scenario !== first.summary.run.scenario) {
      problems.push(problem(x.file, 'run.scenario', `scenario ${JSON.stringify(x.summary.run.scenario)} differs from ${JSON.stringify(first.summary.run.scenario)} in ${first.file}`));
    }
    if (x.count !== first.count) {
      problems.push(problem(x.file, 'execution.shard', `shard count ${x.count} differs from ${first.count} in ${first.file}: all shards must split the same plan`));
      continue;
    }
    for (const i of x.indices) {
      const other = seen.get(i);
      if (other !== undefined) problems.push(problem(x.file, 'execution.shard', `shard ${i}/${x.count} is also in ${other}: each shard may be merged once`));
      else seen.set(i, x.file);
    }
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  const shards = [...seen.keys()].sort((a, b) => a - b);
  const missing = Array.from({ length: first.count }, (_, i) => i).filter((i) => !seen.has(i));
  return { count: first.count, shards, missing };
}

/** The shards' own thresholds (the same scenario gives the same ones; the union keeps every gate) plus extra. */
function gatherThresholds(
  inputs: readonly ShardInput[], extra: readonly Threshold[], deferred: ReadonlyArray<{ metric: string; expression: string; abortOnFail: boolean; delayAbortEvalMs: number }> = [],
): Threshold[] {
  const out = new Map<string, Threshold>();
  const problems: InputProblem[] = [];
  const add = (t: Threshold): void => { if (!out.has(key(t))) out.set(key(t), t); };
  for (const x of inputs) {
    try {
      storedThresholds(x).forEach(add);
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (deferred.length > 0) {
    // Detection thresholds the shards could not evaluate (each held part of the ground truth).
    const entries: ThresholdEntrySpec[] = deferred.map((t, i) => ({
      selector: t.metric, value: { threshold: t.expression, abortOnFail: t.abortOnFail, delayAbortEval: `${t.delayAbortEvalMs}ms` }, path: `detection.deferredThresholds[${i}]`,
    }));
    try {
      gateThresholds('shard summaries', entries).forEach(add);
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  extra.forEach(add);
  return [...out.values()];
}

const key = (t: { metric: string; expression: string }): string => `${t.metric}\0${t.expression}`;

/**
 * A threshold whose abortOnFail ended a shard's run failed for the whole run (k6: an aborting threshold is a
 * failed one), even if the merged numbers would pass it: the run was cut short because of it.
 */
function carryAborts(results: ThresholdResult[], inputs: readonly ShardInput[]): void {
  for (const x of inputs) {
    for (const stored of x.summary.thresholds ?? []) {
      if (!stored.abortedRun) continue;
      const r = results.find((m) => key(m) === key(stored));
      if (r && (!r.abortedRun || stored.abortedRun.elapsedMs < r.abortedRun.elapsedMs)) {
        r.passed = false;
        r.abortedRun = stored.abortedRun;
      }
    }
  }
}

/** Ctrl-C / SIGTERM, not a threshold's abortOnFail (that shard's run exits 99, and so does the merge). */
const interruptedByUser = (x: ShardInput): boolean => x.summary.execution.interrupted && !(x.summary.thresholds ?? []).some((t) => t.abortedRun);
