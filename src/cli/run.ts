import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExitCode, InvalidInputError, ToolError, type InputProblem } from '../util/errors.js';
import { parseDuration } from '../util/duration.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { ScenarioOverrides } from '../scenario/overrides.js';
import { totalStations, type ScenarioSpec, type ValidationMode } from '../scenario/spec.js';
import { summarize, type Summary } from '../metrics/summary.js';
import type { MetricsSnapshot } from '../metrics/snapshot.js';
import { formatProgressLine, formatReport } from '../metrics/report.js';
import { runPlan, type PlanRunResult } from '../fleet/orchestrator.js';
import type { LoadgenReport } from '../fleet/loadgen.js';
import { planSize } from '../fleet/plan.js';
import { intOption, writableFileOption } from './output.js';
import { startEmbeddedCsms, type EmbeddedCsms } from './embedded.js';
import { distributionOptions, type DistributionOptions } from './distribution.js';
import { collect, Gates, type GateOptions } from './gates.js';
import type { ThresholdResult } from '../metrics/thresholds.js';
import { isDetectionMetric } from '../metrics/names.js';
import { DetectionSession, planDetection, type DetectionCliOptions, type DetectionOutcome, type DetectionSection } from './detection.js';

interface RunOptions extends DistributionOptions, GateOptions, DetectionCliOptions {
  target?: string;
  stations?: string;
  duration?: string;
  seed?: string;
  validation?: string;
  summaryExport?: string;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
  maxLoadgenLag?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run a scenario: connect the fleet, drive its sessions, and report latency, errors and energy.')
    .argument('<scenario>', 'scenario YAML file (see docs/scenario-format.md)')
    .option('-t, --target <url>', 'CSMS endpoint, e.g. ws://127.0.0.1:9000/ocpp (station URL = target/<id>); '
      + 'default: the scenario\'s target, else an embedded CSMS started in-process')
    .option('-s, --stations <n>', 'total stations, spread over the scenario\'s groups in proportion (overrides the file)')
    .option('-d, --duration <time>', 'run length, e.g. 30s or 2m; the phases are scaled to fit (overrides the file)')
    .option('--seed <n>', 'seed of every random choice (identities, sessions, tokens); same seed, same run')
    .option('--validation <mode>', 'schema validation of every frame: strict | warn | off')
    .option('--procs <n>', `generator processes on this machine (default: one per ${'15,000'} stations)`)
    .option('--shard <i/N>', 'run only shard i of N (0-based) of the deterministic plan; merge the shards\' summaries with `chargestorm merge`')
    .option('--execution-segment <a:b>', 'k6-style alternative to --shard: "0:1/4", "1/4:2/4", … (equal segments only)')
    .option('--start-at <time>', 'start barrier for distributed runs: ISO-8601 time or epoch ms at which the phases begin')
    .option('--local-ips <list>', 'source addresses to rotate stations over, e.g. 127.0.0.1-127.0.0.8 or 10.0.0.5,10.0.0.6')
    .option('--local-ports <range>', 'source ports stations bind with --local-ips, e.g. 10000-65535, or kernel (default: the scenario\'s localPorts)')
    .option('--max-loadgen-lag <time>', 'fail the run (exit 99) if a generator process\'s event-loop delay p99 exceeds this, e.g. 100ms')
    .option('--summary-export <file>', 'write the end-of-run summary as JSON (schema: src/metrics/SUMMARY.md)')
    .option('--threshold <selector:expr>', 'pass/fail criterion, k6 syntax, repeatable, added to the scenario\'s thresholds: '
      + '\'ocpp_call_duration{action:BootNotification}:p(99)<500\', \'ocpp_call_failed:rate<0.01\' (exit 99 when one fails)', collect)
    .option('--junit <file>', 'write the threshold results as JUnit XML (one testcase per threshold)')
    .option('--hlog <file>', 'write per-second latency histograms as an HdrHistogram interval log (format 1.3, one tag per metric/action)')
    .option('--alerts-listen <[host:]port>', 'collect the CSMS\'s alerts on an HTTP webhook at 127.0.0.1:PORT (or HOST:PORT) while the run lasts (0 = any free port): '
      + 'generic alert JSON or Alertmanager payloads; scored against the attacks\' ground truth (overrides detection.alerts.listen)')
    .option('--alerts-file <file>', 'follow a JSONL alert file as it grows (overrides detection.alerts.file)')
    .option('--alerts-poll <url>', 'poll an HTTP(S) URL for alerts every detection.alerts.pollInterval (overrides detection.alerts.poll)')
    .option('--ground-truth <file>', 'write the attacks\' ground truth as JSONL: run record, instances, reactions (overrides detection.groundTruth)')
    .option('-q, --quiet', 'no progress line and no report on stdout (use with --summary-export)')
    .option('-v, --verbose', 'trace connection failures and protocol events to stderr')
    .option('--no-color', 'no ANSI colours in the report')
    .action(async (file: string, o: RunOptions) => {
      process.exitCode = await runCommand(file, o);
    });
}

/**
 * Command-line overrides, and the problems with them: reported together with the file's own problems
 * (as `command line  --flag: …`, first), so one invocation lists everything that is wrong.
 */
function overridesOf(o: RunOptions): { ov: ScenarioOverrides; problems: InputProblem[] } {
  const ov: ScenarioOverrides = {};
  const problems: InputProblem[] = [];
  const bad = (path: string, message: string): void => { problems.push({ file: 'command line', path, message }); };
  if (o.target !== undefined) ov.target = o.target;
  const int = (flag: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (Number.isInteger(n) && n >= min) return n;
    bad(flag, `expected an integer >= ${min}, got '${v}'`);
    return undefined;
  };
  const stations = int('--stations', o.stations, 1);
  if (stations !== undefined) ov.stations = stations;
  if (o.duration !== undefined) {
    const ms = parseDuration(o.duration);
    if (ms === undefined || ms <= 0) bad('--duration', `expected a time such as 30s or 2m, got '${o.duration}'`);
    else ov.duration = ms;
  }
  const seed = int('--seed', o.seed, 0);
  if (seed !== undefined) ov.seed = seed;
  if (o.validation !== undefined) ov.validation = o.validation as ValidationMode;
  return { ov, problems };
}

function loadWithOverrides(file: string, o: RunOptions): ScenarioSpec {
  const { ov, problems } = overridesOf(o);
  let spec: ScenarioSpec;
  try {
    spec = loadScenarioFile(file, ov);
  } catch (err) {
    if (err instanceof InvalidInputError && problems.length > 0) throw new InvalidInputError([...problems, ...err.problems]);
    throw err;
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return spec;
}

/** The end-of-run summary: the metrics plus how the run was executed and what the generator itself did. */
export type RunSummary = Summary & {
  loadgen: LoadgenReport;
  execution: { processes: number; shard: string; peakConnected: number; interrupted: boolean; errors: string[] };
  embeddedCsms?: unknown;
  /** Threshold results (scenario `thresholds:` and --threshold), documented in src/metrics/SUMMARY.md. */
  thresholds?: ThresholdResult[];
  /** Detection scoring (runs with attacks:/detection:), documented in src/metrics/SUMMARY.md. */
  detection?: DetectionSection;
  /** The raw merged metrics (histograms as HDR compressed base64), so `chargestorm merge` can combine shards exactly. */
  snapshot: MetricsSnapshot;
};

async function runCommand(file: string, o: RunOptions): Promise<number> {
  const loaded = loadWithOverrides(file, o);
  writableFileOption('--summary-export', o.summaryExport);
  const dist = distributionOptions(o, loaded);
  let spec: ScenarioSpec = dist.spec;
  const gates = Gates.prepare(spec, o);
  const maxLagMs = o.maxLoadgenLag === undefined ? undefined : parseDuration(o.maxLoadgenLag);
  if (o.maxLoadgenLag !== undefined && (maxLagMs === undefined || maxLagMs <= 0)) {
    throw new ToolError('E_BAD_OPTION', `--max-loadgen-lag expects a time such as 100ms, got '${o.maxLoadgenLag}'`, ExitCode.invalidInput);
  }
  const color = o.color !== false && process.stdout.isTTY === true;
  const mine = planSize(spec, dist.shard);
  const detectionPlan = planDetection(spec, o, gates.thresholds, dist.shard);
  const log = (line: string): void => { if (!o.quiet) process.stderr.write(`chargestorm: ${line}\n`); };
  const detection = detectionPlan ? await DetectionSession.start(detectionPlan, log) : null;
  let csms: EmbeddedCsms | null = null;
  let target = spec.target;
  if (!target) {
    try {
      csms = await startEmbeddedCsms(spec, mine, detection?.detectorOptions());
    } catch (e) {
      await detection?.intake.close();
      throw e;
    }
    target = `${csms.url}/ocpp`;
    // Profiles 2/3: the stations trust (and, profile 3, get certificates from) the embedded CSMS's TLS test PKI.
    if (csms.security !== spec.security) spec = { ...spec, security: csms.security };
  }
  detection?.checkSources();
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(ExitCode.interrupted); // second Ctrl-C: leave now
    process.stderr.write('\ninterrupted: ending sessions and writing a partial report (Ctrl-C again to quit now)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const total = totalStations(spec);
  const shardText = dist.shard.count > 1 ? ` (shard ${dist.shard.index}/${dist.shard.count}: ${mine} stations)` : '';
  if (!o.quiet) {
    process.stderr.write(`chargestorm: ${spec.name} — ${total} stations${shardText} for ${Math.round(spec.duration / 1000)}s against ${target}${csms ? ' (embedded CSMS)' : ''}\n`);
  }
  const tty = process.stderr.isTTY === true;
  let lagExceeded = 0;
  let result: PlanRunResult;
  try {
    csms?.startSchedule(dist.startAtMs);
    result = await runPlan({
      spec, target, shard: dist.shard, signal: abort.signal,
      ...(dist.processes !== undefined ? { processes: dist.processes } : csms?.stationProcesses ? { processes: csms.stationProcesses } : {}),
      ...(dist.startAtMs !== undefined ? { startAtMs: dist.startAtMs } : {}),
      ...(o.verbose ? { verbose: (line: string) => process.stderr.write(`${line}\n`) } : {}),
      onProgress(p) {
        gates.tick(p, () => abort.abort());
        if (maxLagMs !== undefined && p.lagP99Ms > maxLagMs && p.elapsedMs > 2000) {
          lagExceeded = Math.max(lagExceeded, p.lagP99Ms);
          if (!abort.signal.aborted) {
            process.stderr.write(`\nload generator event-loop delay p99 ${p.lagP99Ms.toFixed(1)} ms exceeds --max-loadgen-lag: stopping\n`);
            abort.abort();
          }
        }
        if (o.quiet) return;
        const line = formatProgressLine(p.sample, { stations: mine, color: tty && color });
        // One refreshing line in a terminal; a compact line every 10 s in logs (CI).
        if (tty) process.stderr.write(`\r\x1b[2K${line}`);
        else if (Math.floor(p.elapsedMs / 1000) % 10 === 0) process.stderr.write(`${line}\n`);
      },
    });
  } catch (e) {
    await detection?.intake.close();
    await csms?.close();
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (tty && !o.quiet) process.stderr.write('\n');
  }
  const endMs = Date.now();
  // Alerts for the last attacks may come late: keep collecting (with the embedded CSMS still up) before scoring.
  const tailMs = detection ? (result.interrupted ? 0 : detection.tailMs(result.attacks)) : 0;
  if (detection) await detection.collectTail(tailMs);
  const csmsStats = csms ? await csms.close() : undefined;
  let scored: DetectionOutcome | null = null;
  if (detection) {
    scored = await detection.finish({
      spec, attacks: result.attacks, startedMs: result.startedMs, endMs, stations: result.stationsPlanned,
      thresholds: gates.thresholds, percentiles: gates.percentiles, tailMs,
    });
  }
  const summary: RunSummary = {
    ...summarize(result.snapshot, { scenario: spec.name, target, stations: result.stationsPlanned, percentiles: gates.percentiles }),
    loadgen: result.loadgen,
    execution: {
      processes: result.processes, shard: `${dist.shard.index}/${dist.shard.count}`, peakConnected: result.peakConnected,
      interrupted: result.interrupted, errors: result.errors,
    },
    ...(csmsStats ? { embeddedCsms: csmsStats } : {}),
    ...(scored ? { detection: scored.section } : {}),
    snapshot: result.snapshot,
  };
  if (scored) Object.assign(summary.metrics, scored.metrics);
  summary.thresholds = gates.finish(summary, result.snapshot, detectionPlan?.sharded ? { defer: (t) => isDetectionMetric(t.name) } : {});
  if (o.summaryExport) writeFileSync(o.summaryExport, `${JSON.stringify(summary, null, 2)}\n`);
  if (!o.quiet) {
    process.stdout.write(`${formatReport(summary, { color, thresholds: summary.thresholds })}\n`);
    if (scored?.report) process.stdout.write(`  DETECTION  ${scored.report.split('\n').join('\n    ')}\n`);
    else if (scored) process.stdout.write(`  DETECTION  scored by \`chargestorm merge\` over the shards (${scored.section.run.stations} stations here)\n`);
    process.stdout.write(`  LOAD GENERATOR  ${result.processes} process${result.processes === 1 ? '' : 'es'}, `
      + `${summary.loadgen.kibPerStation} KiB per connected station\n    ${summary.loadgen.verdict}\n`);
    for (const e of result.errors) process.stderr.write(`chargestorm: ${e}\n`);
  }
  if (result.interrupted && lagExceeded === 0 && gates.abortedBy === null) return ExitCode.interrupted;
  if (lagExceeded > 0 || gates.failed) return ExitCode.thresholdsFailed;
  return result.errors.length > 0 ? ExitCode.runtimeError : ExitCode.ok;
}
