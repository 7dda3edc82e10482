import { readFileSync, writeFileSync } from 'node:fs';
import { ExitCode, InvalidInputError, ToolError, type InputProblem } from '../util/errors.js';
import { formatGroundTruth, type Alert, type RunInfo } from '../detection/index.js';
import { alertsFromPayload, parseAlertBody, resolveMappings } from '../fleet/alerts/index.js';
import { mergeAttackResults } from '../fleet/orchestrator.js';
import { scoreSection, type DeferredSection, type DetectionOutcome, type DetectionSection } from './detection.js';

/**
 * Detection scoring of a sharded run, in `chargestorm merge`: every shard's summary holds its part of the ground
 * truth (instance parts, reactions), the alerts its intake collected, the scoring settings and the deferred
 * detection thresholds (DeferredSection). The merge joins instance parts by id, adds the alerts of `--alerts`
 * files (the CSMS's JSONL alert log, generic or Alertmanager lines, read with the scenario's mapping), and scores
 * the whole run once, exactly like an unsharded run.
 */
export interface MergedDetection {
  outcome: DetectionOutcome;
  warnings: string[];
}

interface Input { file: string; section: DetectionSection }

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The shards' detection sections, checked (104 naming the file for a malformed one). */
export function detectionInputs(shards: ReadonlyArray<{ file: string; summary: { detection?: unknown } }>): Input[] {
  const problems: InputProblem[] = [];
  const out: Input[] = [];
  for (const { file, summary } of shards) {
    const d = summary.detection;
    if (d === undefined) continue;
    const bad = (path: string, message: string): void => { problems.push({ file, path: `detection${path}`, message }); };
    if (!isObj(d) || typeof d.scored !== 'boolean' || !isObj(d.settings) || !isObj(d.run)) { bad('', 'malformed detection section'); continue; }
    if (!d.scored) {
      const gt = d.groundTruth;
      if (!isObj(gt) || !Array.isArray(gt.instances) || !Array.isArray(gt.reactions)) bad('.groundTruth', 'expected { instances: [...], reactions: [...] }');
      if (!Array.isArray(d.alerts)) bad('.alerts', 'expected a list of alerts');
      if (!Array.isArray(d.deferredThresholds)) bad('.deferredThresholds', 'expected a list');
    }
    out.push({ file, section: d as unknown as DetectionSection });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return out;
}

/** Alerts of `--alerts` files: one JSON document or JSON Lines, generic alerts or Alertmanager payloads. */
function readAlertFiles(
  files: readonly string[], section: DeferredSection, warnings: string[],
): { alerts: Alert[]; counts: Array<{ path: string; accepted: number; rejected: number }> } {
  const mappings = resolveMappings(section.settings.mapping);
  const problems: InputProblem[] = [];
  const out: Alert[] = [];
  const counts: Array<{ path: string; accepted: number; rejected: number }> = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      problems.push({ file, path: '', message: `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
      continue;
    }
    if (text.trim() === '') continue;
    const parsed = parseAlertBody(text);
    if (parsed.error !== undefined) { problems.push({ file, path: '', message: parsed.error }); continue; }
    let rejected = 0;
    let accepted = 0;
    for (const p of parsed.payloads) {
      // Files carry their own times; an alert without one cannot be placed in a window: it gets the run's end.
      const r = alertsFromPayload(p, mappings, section.run.endMs);
      out.push(...r.alerts);
      accepted += r.alerts.length;
      rejected += r.errors.length;
    }
    counts.push({ path: file, accepted, rejected });
    if (rejected > 0) warnings.push(`${file}: ${rejected} alert${rejected === 1 ? '' : 's'} could not be read`);
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return { alerts: out, counts };
}

/**
 * Scores the shards' detection together. Returns null when no shard deferred its scoring (no attacks, or
 * summaries that were scored already).
 */
export function mergeDetection(
  inputs: readonly Input[], alertFiles: readonly string[], percentiles: readonly number[], groundTruthOut?: string,
): MergedDetection | null {
  const warnings: string[] = [];
  const deferred = inputs.filter((x): x is { file: string; section: DeferredSection } => !x.section.scored);
  for (const x of inputs) if (x.section.scored) warnings.push(`${x.file}: its detection was scored already; not scored again`);
  if (deferred.length === 0) {
    if (alertFiles.length > 0) warnings.push('--alerts given, but no shard summary holds ground truth to score them against');
    return null;
  }
  const first = deferred[0]!.section;
  const settingsText = JSON.stringify(first.settings);
  for (const x of deferred.slice(1)) {
    if (JSON.stringify(x.section.settings) !== settingsText) warnings.push(`${x.file}: detection settings differ from ${deferred[0]!.file}'s; scoring with the first`);
  }
  const attacks = mergeAttackResults(deferred.map(({ section: s }) => ({
    instances: s.groundTruth.instances, reactions: s.groundTruth.reactions, planned: s.planned, notInjected: s.notInjected,
  })));
  const runs = deferred.map((x) => x.section.run);
  const run: RunInfo = {
    startMs: Math.min(...runs.map((r) => r.startMs)),
    endMs: Math.max(...runs.map((r) => r.endMs)),
    stations: runs.reduce((n, r) => n + r.stations, 0),
    ...(first.run.seed !== undefined ? { seed: first.run.seed } : {}),
    scoreFromMs: Math.min(...runs.map((r) => r.scoreFromMs ?? r.startMs)),
    ...(first.run.deltaMs !== undefined ? { deltaMs: first.run.deltaMs } : {}),
  };
  // Alerts from every shard's intake and from the files, once each (by alertId).
  const seen = new Set<string>();
  const alerts: Alert[] = [];
  let duplicates = 0;
  const fromFiles = readAlertFiles(alertFiles, first, warnings);
  for (const a of [...deferred.flatMap((x) => x.section.alerts), ...fromFiles.alerts]) {
    if (seen.has(a.alertId)) { duplicates++; continue; }
    seen.add(a.alertId);
    alerts.push(a);
  }
  if (alerts.length === 0) warnings.push('no alerts: from the shards\' intakes nor from --alerts files; every attack is scored as missed');
  if (groundTruthOut !== undefined) {
    try {
      writeFileSync(groundTruthOut, formatGroundTruth({ run, instances: attacks.instances, reactions: attacks.reactions }));
    } catch (e) {
      throw new ToolError('E_OUTPUT', `--ground-truth: cannot write '${groundTruthOut}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ExitCode.runtimeError);
    }
  }
  const outcome = scoreSection({
    settings: first.settings,
    run,
    intake: {
      alerts: alerts.length, duplicates, webhook: null, inProcess: null,
      files: fromFiles.counts.map((c) => ({ ...c, lastError: null, lines: 0, truncations: 0, rotations: 0 })),
      polls: [], embeddedDetector: deferred.some((x) => x.section.intake.embeddedDetector),
    },
    groundTruthFile: groundTruthOut ?? null,
    planned: attacks.planned,
    notInjected: attacks.notInjected,
  }, attacks.instances, attacks.reactions, alerts, percentiles);
  return { outcome, warnings };
}

/** The detection thresholds the shards deferred to the merge, as stored threshold entries. */
export function deferredThresholdsOf(inputs: readonly Input[]): DeferredSection['deferredThresholds'] {
  return inputs.flatMap((x) => (x.section.scored ? [] : x.section.deferredThresholds));
}
