/** Running a short scenario with attacks against the embedded CSMS with its detector on (test/attacks/*). */
import { startCsms } from '../../src/csms/server.js';
import type { CsmsOptions } from '../../src/csms/options.js';
import type { Alert } from '../../src/csms/detector/alert.js';
import type { DetectorThresholds } from '../../src/csms/detector/options.js';
import type { AttackInstance } from '../../src/detection/index.js';
import { runScenario, scenario, type FleetRun } from './fleet.js';

export interface AttackRun {
  run: FleetRun;
  alerts: Alert[];
  instances: AttackInstance[];
  /** The instances of one type. */
  of(type: string): AttackInstance[];
  /** Alerts naming station `id` (entity.stationId) or the fleet. */
  alertsFor(id: string): Alert[];
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

/** Runs `yaml` against an embedded CSMS with its detector on (`thresholds` override DETECTOR_DEFAULTS). */
export async function runAttacks(yaml: string, csmsOpts: Partial<CsmsOptions> = {}, thresholds: Partial<DetectorThresholds> = {}): Promise<AttackRun> {
  const alerts: Alert[] = [];
  const spec = scenario(yaml);
  const csms = await startCsms({
    ...csmsOpts,
    spec: spec.csms,
    detector: { enabled: true, thresholds, onAlert: (a) => { alerts.push(a); } },
  } as CsmsOptions);
  try {
    // Scheduled commands (SetChargingProfile, UpdateFirmware) count from the run's start.
    if (spec.csms.commands.length > 0) csms.startSchedule(Date.now());
    const run = await runScenario(spec, `${csms.url}/ocpp`);
    const instances = run.result.attacks?.instances ?? [];
    return {
      run, alerts, instances,
      of: (type) => instances.filter((i) => i.type === type),
      alertsFor: (id) => alerts.filter((a) => a.entity === 'fleet' || (typeof a.entity === 'object' && a.entity.stationId === id)),
    };
  } finally {
    await csms.close();
  }
}

/** Station ids an alert names (none for fleet alerts). */
export function alertStation(a: Alert): string | undefined {
  return typeof a.entity === 'object' ? a.entity.stationId : undefined;
}

/** The alert's time in ms. */
export function alertMs(a: Alert): number {
  return typeof a.ts === 'number' ? a.ts : Date.parse(String(a.ts));
}
