import { writeFileSync } from 'node:fs';
import { ExitCode, ToolError } from '../util/errors.js';
import { formatDuration } from '../util/duration.js';
import type { DetectionSpec, ScenarioSpec } from '../scenario/spec.js';
import { DETECTION_DEFAULTS } from '../scenario/sections/detection.js';
import {
  detectionMetrics, formatDetectionReport, formatGroundTruth, scoreDetection,
  type Alert, type AttackInstance, type AttackType, type DetectionMetricEntry, type DetectionResult, type ReactionRecord, type RunInfo,
} from '../detection/index.js';
import { isDetectionMetric } from '../metrics/names.js';
import type { Threshold } from '../metrics/thresholds.js';
import { AlertIntake, type AlertMappingOptions, type IntakeStats } from '../fleet/alerts/index.js';
import type { AttackResults } from '../attacks/index.js';
import type { DetectorOptions } from '../csms/detector/index.js';
import { writableFileOption } from './output.js';

/**
 * Detection scoring of `chargestorm run` (issue #5, ATTACKS.md §4): the alert intake that runs beside the fleet,
 * the embedded CSMS's detector feeding it in process, the ground-truth file, and the scoring after the run.
 */
export interface DetectionCliOptions {
  alertsListen?: string;
  alertsFile?: string;
  alertsPoll?: string;
  groundTruth?: string;
}

/** The settings a run was scored with (kept in the summary so `chargestorm merge` scores shards the same way). */
export interface DetectionSettings {
  warmupMs: number;
  deltaMs: number;
  strict: boolean;
  fleetMinStations: number;
  tailMs: number;
  categories: Readonly<Partial<Record<string, readonly string[]>>>;
  maintenance?: readonly string[];
  mapping: AlertMappingOptions;
}

interface SectionCommon {
  settings: DetectionSettings;
  run: RunInfo;
  /** Alert sources and their counts; `embeddedDetector` when the embedded CSMS's detector fed the intake. */
  intake: IntakeStats & { embeddedDetector: boolean };
  groundTruthFile: string | null;
  /** Instances planned in this run (this shard) and those that sent nothing (targets never online): not scored. */
  planned: number;
  notInjected: string[];
}

/** `summary.detection` of a scored run (src/metrics/SUMMARY.md). */
export type ScoredSection = SectionCommon & { scored: true } & Omit<DetectionResult, 'settings' | 'run' | 'falsePositives'> & {
  /** Alerts matching no attack window nor labelled fault, with their evidence. */
  unmatchedAlerts: Alert[];
};

/** `summary.detection` of a shard (`--shard i/N`): what `chargestorm merge` needs to score the whole run. */
export type DeferredSection = SectionCommon & {
  scored: false;
  reason: string;
  groundTruth: { instances: AttackInstance[]; reactions: ReactionRecord[] };
  /** Alerts this shard's intake collected (normalised). */
  alerts: Alert[];
  /** Detection thresholds, evaluated by `merge` on the scored whole. */
  deferredThresholds: Array<{ metric: string; expression: string; abortOnFail: boolean; delayAbortEvalMs: number }>;
};

export type DetectionSection = ScoredSection | DeferredSection;

export interface DetectionOutcome {
  section: DetectionSection;
  /** Detection metrics for `summary.metrics` (empty when scoring is deferred to merge). */
  metrics: Record<string, DetectionMetricEntry>;
  /** The terminal table, or null when deferred. */
  report: string | null;
}

/** What `run` does about detection, decided before anything starts (bad options are 104 at once). */
export interface DetectionPlan {
  spec: DetectionSpec;
  listen?: number;
  /** Address the webhook binds to (default 127.0.0.1). */
  host?: string;
  file?: string;
  poll?: string;
  groundTruth?: string;
  /** A shard's run (`--shard i/N` with N > 1): ground truth and alerts are kept for `merge`, not scored here. */
  sharded: boolean;
}

/** Longest default tail: the largest GT grace is 2 min (A07, A12). */
const MAX_DEFAULT_TAIL_MS = 120_000;
/** The embedded detector hands alerts over in process as it raises them: a short tail covers its last tick. */
const EMBEDDED_TAIL_MS = 2_000;

function badOption(flag: string, message: string): never {
  throw new ToolError('E_BAD_OPTION', `${flag} ${message}`, ExitCode.invalidInput);
}

/**
 * Whether the run scores detection, and how: with `attacks:` or `detection:` in the scenario, an alert or
 * ground-truth option, or a threshold on a detection metric. Null for a plain load test.
 */
export function planDetection(
  spec: ScenarioSpec, o: DetectionCliOptions, thresholds: readonly Threshold[], shard: { index: number; count: number },
): DetectionPlan | null {
  const flags = o.alertsListen !== undefined || o.alertsFile !== undefined || o.alertsPoll !== undefined || o.groundTruth !== undefined;
  if (spec.detection === undefined && !flags && !thresholds.some((t) => isDetectionMetric(t.name))) return null;
  const det = spec.detection ?? DETECTION_DEFAULTS;
  const plan: DetectionPlan = { spec: det, sharded: shard.count > 1 };
  if (o.alertsListen !== undefined) {
    // PORT on loopback, or HOST:PORT for a CSMS on another machine (0.0.0.0:9911).
    const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^\s:]+):)?(\d{1,5})$/.exec(o.alertsListen);
    const n = Number(m?.[2]);
    if (!m || n > 65_535) badOption('--alerts-listen', `expects PORT or HOST:PORT (port 0..65535, 0 = any free port), got '${o.alertsListen}'`);
    plan.listen = n;
    if (m[1] !== undefined) plan.host = m[1].replace(/^\[|\]$/g, '');
  } else if (det.alerts.listen !== undefined) plan.listen = det.alerts.listen;
  const file = o.alertsFile ?? det.alerts.file;
  if (file !== undefined) plan.file = file;
  const poll = o.alertsPoll ?? det.alerts.poll;
  if (poll !== undefined) {
    if (!/^https?:\/\/\S+$/.test(poll)) badOption('--alerts-poll', `expects an http:// or https:// URL, got '${poll}'`);
    plan.poll = poll;
  }
  const gt = o.groundTruth ?? det.groundTruth;
  if (gt !== undefined) {
    // One file per shard when the path asks for it: `gt-{shard}.jsonl`.
    plan.groundTruth = gt.replaceAll('{shard}', String(shard.index));
    writableFileOption(o.groundTruth !== undefined ? '--ground-truth' : 'detection.groundTruth', plan.groundTruth);
  }
  return plan;
}

/** The intake while the run lasts, then the scoring. */
export class DetectionSession {
  private embedded = false;

  private constructor(readonly plan: DetectionPlan, readonly intake: AlertIntake, private readonly log: (line: string) => void) {}

  /** Starts the configured alert sources (before the fleet, so no alert is missed). */
  static async start(plan: DetectionPlan, log: (line: string) => void): Promise<DetectionSession> {
    let intake: AlertIntake;
    try {
      intake = await AlertIntake.start({
        mapping: plan.spec.alerts.mapping as AlertMappingOptions,
        ...(plan.listen !== undefined ? { listen: plan.listen } : {}),
        ...(plan.host !== undefined ? { host: plan.host } : {}),
        ...(plan.file !== undefined ? { follow: [plan.file] } : {}),
        ...(plan.poll !== undefined ? { poll: [plan.poll], pollIntervalMs: plan.spec.alerts.pollInterval } : {}),
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ToolError('E_ALERT_INTAKE', `alert intake: cannot start (${code === 'EADDRINUSE' ? `port ${plan.listen} is in use` : (e as Error).message})`, ExitCode.invalidInput);
    }
    const s = new DetectionSession(plan, intake, log);
    if (intake.webhookPort !== null) log(`alert intake: webhook on ${intake.webhookUrl} (generic alert JSON or Alertmanager)`);
    if (plan.file !== undefined) log(`alert intake: following ${plan.file}`);
    if (plan.poll !== undefined) log(`alert intake: polling ${plan.poll} every ${formatDuration(plan.spec.alerts.pollInterval)}`);
    return s;
  }

  /**
   * The embedded CSMS's detector, learning for `detection.warmup`, its alerts handed to the intake as the JSON its
   * sinks would write: they go through the same mapping as a foreign CSMS's.
   */
  detectorOptions(): DetectorOptions {
    this.embedded = true;
    return {
      enabled: true,
      thresholds: { warmupMs: this.plan.spec.warmup },
      onAlert: (a) => { this.intake.ingest(JSON.parse(JSON.stringify(a)) as unknown); },
    };
  }

  /** Warns when no alert can arrive: every attack would be scored as missed. */
  checkSources(): void {
    if (!this.embedded && this.plan.listen === undefined && this.plan.file === undefined && this.plan.poll === undefined) {
      this.log('alert intake: no alert source (--alerts-listen, --alerts-file, --alerts-poll or detection.alerts): every attack will be scored as missed');
    }
  }

  /** How long to keep collecting after the run: `detection.tail`, else the largest grace of the instances (≤ 2 min). */
  tailMs(attacks: AttackResults | undefined): number {
    if (this.plan.spec.tail !== undefined) return this.plan.spec.tail;
    if (this.embedded) return EMBEDDED_TAIL_MS;
    const grace = Math.max(0, ...(attacks?.instances ?? []).map((i) => i.graceMs));
    return Math.min(grace, MAX_DEFAULT_TAIL_MS);
  }

  /** Keeps collecting for `ms` after the run (Ctrl-C ends the wait early). */
  async collectTail(ms: number): Promise<void> {
    if (ms <= 0) return;
    this.log(`collecting alerts for ${formatDuration(ms)} after the run (Ctrl-C to stop waiting)`);
    await new Promise<void>((resolve) => {
      const done = (): void => { clearTimeout(timer); process.off('SIGINT', done); process.off('SIGTERM', done); resolve(); };
      const timer = setTimeout(done, ms);
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
  }

  /**
   * Stops the intake, writes the ground truth (run record, instances, reactions) when asked, and scores the run —
   * or, for a shard, keeps what `merge` needs.
   */
  async finish(input: {
    spec: ScenarioSpec; attacks: AttackResults | undefined; startedMs: number; endMs: number; stations: number;
    thresholds: readonly Threshold[]; percentiles: readonly number[]; tailMs: number;
  }): Promise<DetectionOutcome> {
    await this.intake.close();
    const det = this.plan.spec;
    const run: RunInfo = {
      seed: input.spec.seed, startMs: input.startedMs, endMs: input.endMs, stations: input.stations,
      scoreFromMs: input.startedMs + det.warmup, deltaMs: det.delta,
    };
    const instances = input.attacks?.instances ?? [];
    const reactions = input.attacks?.reactions ?? [];
    if (this.plan.groundTruth !== undefined) {
      try {
        writeFileSync(this.plan.groundTruth, formatGroundTruth({ run, instances, reactions }));
      } catch (e) {
        throw new ToolError('E_OUTPUT', `cannot write the ground truth to '${this.plan.groundTruth}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ExitCode.runtimeError);
      }
    }
    const common: SectionCommon = {
      settings: settingsOf(det, input.tailMs),
      run,
      intake: { ...this.intake.stats(), embeddedDetector: this.embedded },
      groundTruthFile: this.plan.groundTruth ?? null,
      planned: input.attacks?.planned ?? 0,
      notInjected: input.attacks?.notInjected ?? [],
    };
    if (this.plan.sharded) {
      const section: DeferredSection = {
        ...common, scored: false,
        reason: 'a shard holds part of the ground truth: `chargestorm merge` scores the whole run',
        groundTruth: { instances, reactions },
        alerts: [...this.intake.alerts],
        deferredThresholds: input.thresholds.filter((t) => isDetectionMetric(t.name)).map((t) => ({
          metric: t.metric, expression: t.expression, abortOnFail: t.abortOnFail, delayAbortEvalMs: t.delayAbortEvalMs,
        })),
      };
      return { section, metrics: {}, report: null };
    }
    return scoreSection(common, instances, reactions, this.intake.alerts, input.percentiles);
  }
}

/** The scenario's scoring settings as kept in the summary. */
export function settingsOf(det: DetectionSpec, tailMs: number): DetectionSettings {
  return {
    warmupMs: det.warmup, deltaMs: det.delta, strict: det.strict, fleetMinStations: det.fleetMinStations, tailMs,
    categories: det.categories, ...(det.maintenance ? { maintenance: det.maintenance } : {}),
    mapping: det.alerts.mapping as AlertMappingOptions,
  };
}

/** Scores instances against alerts with the run's settings (shared by `run` and `merge`). */
export function scoreSection(
  common: SectionCommon, instances: readonly AttackInstance[], reactions: readonly ReactionRecord[], alerts: readonly Alert[],
  percentiles: readonly number[],
): DetectionOutcome {
  const st = common.settings;
  const result = scoreDetection(instances, alerts, {
    deltaMs: st.deltaMs, fleetMinStations: st.fleetMinStations, strict: st.strict,
    categories: st.categories as Partial<Record<AttackType, readonly string[]>>,
    ...(st.maintenance ? { maintenanceCategories: st.maintenance } : {}),
    run: common.run, reactions,
  });
  const { settings: _settings, run: _run, falsePositives, ...rest } = result;
  const section: ScoredSection = { ...common, scored: true, ...rest, unmatchedAlerts: falsePositives };
  return { section, metrics: detectionMetrics(result, { percentiles }), report: formatDetectionReport(result) };
}
