/**
 * One attack scenario against the embedded CSMS with its detector on and the token registry of `chargestorm run`
 * (cli/embedded.ts): the run, its attack results, and every alert the detector raised (test/attacks/*).
 */
import assert from 'node:assert/strict';
import { tokenRegistry } from '../../src/cli/embedded.js';
import { startCsms, type Csms } from '../../src/csms/server.js';
import type { CsmsOptions } from '../../src/csms/options.js';
import type { Alert } from '../../src/csms/detector/alert.js';
import type { DetectorThresholds } from '../../src/csms/detector/options.js';
import { conformanceOf, type AttackInstance, type ReactionRecord } from '../../src/detection/index.js';
import { runScenario, scenario, type FleetRun } from './fleet.js';

export interface AttackRun {
  readonly run: FleetRun;
  readonly alerts: readonly Alert[];
  readonly instances: readonly AttackInstance[];
  readonly reactions: readonly ReactionRecord[];
  /** Closed already; stats and detector state stay readable. */
  readonly csms: Csms;
  /** The instances of one type. */
  of(type: string): AttackInstance[];
}

/**
 * Runs `yaml` against an embedded CSMS with its detector on (`thresholds` override DETECTOR_DEFAULTS); scheduled
 * commands (SetChargingProfile, UpdateFirmware) count from the run's start. Asserts that no attack failed and that
 * nothing the fleet sent on its own was refused by its outgoing (strict) validation.
 */
export async function runAttackScenario(yaml: string, csmsOptions: Partial<CsmsOptions> = {}, thresholds: Partial<DetectorThresholds> = {}): Promise<AttackRun> {
  const spec = scenario(yaml);
  const alerts: Alert[] = [];
  const known = tokenRegistry(spec);
  const csms = await startCsms({
    protocols: spec.protocols, seed: spec.seed, spec: spec.csms, security: spec.security,
    ...(known ? { knownTokens: known } : {}),
    ...csmsOptions,
    detector: { enabled: true, thresholds, onAlert: (a) => { alerts.push(a); }, ...csmsOptions.detector },
  });
  try {
    if (spec.csms.commands.length > 0) csms.startSchedule(Date.now());
    const run = await runScenario(spec, `${csms.url}/ocpp`);
    const res = run.result.attacks;
    assert.ok(res, 'attack results present');
    assert.equal(run.counter('attack_errors'), 0, run.trace.filter((t) => t.line.includes('attack')).map((t) => t.line).join('; '));
    assert.equal(run.counter('protocol_invalid_out'), 0, `invalid outgoing frames: ${run.trace.filter((t) => t.line.includes('invalid-out')).slice(0, 3).map((t) => t.line).join('; ')}`);
    const instances = res.instances;
    return {
      run, alerts, instances, reactions: res.reactions, csms,
      of: (type) => instances.filter((i) => i.type === type),
    };
  } finally {
    await csms.close();
  }
}

/** The instance's alerts: naming one of its stations, within [t_s − 2 s, t_e + grace]. */
export function alertsFor(r: AttackRun, inst: AttackInstance): Alert[] {
  const stations = new Set(inst.scope.stations ?? []);
  return r.alerts.filter((a) => a.entity !== 'fleet' && a.entity.stationId !== undefined && stations.has(a.entity.stationId)
    && Date.parse(a.ts) >= inst.tStartMs - 2000 && Date.parse(a.ts) <= inst.tEndMs + inst.graceMs);
}

/** No alert names a station outside the attacked ones (no false alarms from the rest of the fleet). */
export function assertOnlyAttackedAlerted(r: AttackRun): void {
  const attacked = new Set(r.instances.flatMap((i) => i.scope.stations ?? []));
  const stray = r.alerts.filter((a) => a.entity === 'fleet' || a.entity.stationId === undefined || !attacked.has(a.entity.stationId));
  assert.deepEqual(stray.map((a) => `${a.category} ${a.entity === 'fleet' ? 'fleet' : a.entity.stationId} ${JSON.stringify(a.evidence)}`), []);
}

/** Conformance of the reactions of one frame kind (or all). */
export function conformance(r: AttackRun, frame?: string): ReturnType<typeof conformanceOf> {
  return conformanceOf(r.reactions.filter((x) => frame === undefined || x.frame === frame));
}

/** A fleet of charging stations with quick sessions (1 s meter interval), for the physics attacks. */
export function chargingFleet(stations: number, seconds: number, extra = ''): string {
  return `
name: attack-test
seed: 7
stations: [{ count: ${stations} }]
phases: [{ duration: 1s, target: ${stations} }, { duration: ${seconds}s, target: ${stations} }]
drainTimeout: 2s
sessions:
  arrivalsPerEvsePerHour: 30
  authorizeDelay: 300ms
  plugDuration: 120s
  meterInterval: 1s
  energyKwh: 60
  carMaxKw: 22
detection: { warmup: 1s }
${extra}`;
}

/** The station an alert names (none for fleet alerts). */
export function alertStation(a: Alert): string | undefined {
  return typeof a.entity === 'object' ? a.entity.stationId : undefined;
}

/** The alert's time in ms. */
export function alertMs(a: Alert): number {
  return Date.parse(a.ts);
}

/** The one station an instance targets; asserts that its scope names exactly one. */
export function singleStation(inst: AttackInstance): string {
  const st = inst.scope.stations?.[0];
  assert.ok(st && inst.scope.stations!.length === 1, `${inst.id} scope`);
  return st;
}

/** Alerts of `category` on `station` from 2 s before the instance to 2 s after its grace period. */
export function alertsAround(r: AttackRun, inst: AttackInstance, station: string, category: string): Alert[] {
  return r.alerts.filter((a) => alertStation(a) === station && a.category === category
    && alertMs(a) >= inst.tStartMs - 2000 && alertMs(a) <= inst.tEndMs + inst.graceMs + 2000);
}
