import { basename, dirname, extname } from 'node:path';
import { DEFAULTS } from './defaults.js';
import type { Locator, Problems } from './problems.js';
import { Fields, isAbsent, isRaw, readMap } from './read.js';
import { readCsms } from './sections/csms.js';
import { readGeneral, readReconnect, readSecurity, type General } from './sections/general.js';
import { readPhases, type PhaseDraft } from './sections/phases.js';
import { readSessions } from './sections/sessions.js';
import { readStations } from './sections/stations.js';
import { readThresholds } from './sections/thresholds.js';
import { readAttacks } from './sections/attacks.js';
import { readDetection, DETECTION_DEFAULTS } from './sections/detection.js';
import { DEFAULT_WORKLOAD, readWorkload } from './sections/workload.js';
import type {
  AttackEntrySpec, DetectionSpec, CsmsSpec, ReconnectSpec, SecuritySpec, SessionModel, StationGroupSpec, ThresholdEntrySpec, WorkloadSpec,
} from './spec.js';

export const TOP_LEVEL_KEYS = [
  'name', 'target', 'protocols', 'seed', 'validation', 'callTimeout', 'maxConnecting', 'localAddresses', 'localPorts', 'security',
  'reconnect', 'stations', 'sessions', 'workload', 'phases', 'duration', 'drainTimeout', 'csms',
  'thresholds', 'attacks', 'detection',
] as const;

/** Every section read and defaulted; phase targets are still unresolved (they depend on the final total). */
export interface Draft {
  general: General;
  security: SecuritySpec;
  reconnect: ReconnectSpec;
  groups: StationGroupSpec[];
  sessions: SessionModel;
  workload: WorkloadSpec;
  phases: PhaseDraft[];
  csms: CsmsSpec;
  /** Absent when the file has no `thresholds:`. */
  thresholds?: ThresholdEntrySpec[];
  attacks: AttackEntrySpec[];
  /** Absent when the file has neither `detection:` nor `attacks:`. */
  detection?: DetectionSpec;
  /** Which sections read without problems: cross-section checks only run on clean inputs, never on fallbacks. */
  clean: { groups: boolean; phases: boolean; csms: boolean; attacks: boolean };
}

/**
 * Reads the document section by section; each section reports all of its own problems. `locate` gives entries
 * that are checked later, outside this module (thresholds), their line in the file.
 */
export function readDraft(p: Problems, doc: unknown, file: string, locate?: Locator): Draft | undefined {
  if (isAbsent(doc)) {
    p.add([], "the scenario is empty — at least 'stations:' is required, e.g. 'stations: [{count: 10}]'");
    return undefined;
  }
  if (!isRaw(doc)) {
    p.add([], 'a scenario is a map of settings (name:, stations:, phases:, ...), not a list or a single value');
    return undefined;
  }
  // `x-` keys are ignored (the docker-compose convention): a home for YAML anchors shared with `<<:` merges.
  const settings = Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('x-')));
  const f = new Fields(p, readMap(p, settings, [], TOP_LEVEL_KEYS) ?? settings, []);
  const general = readGeneral(f, basename(file, extname(file)) || 'scenario');

  const section = <T>(read: () => T): [T, boolean] => {
    const before = p.size;
    const value = read();
    return [value, p.size === before];
  };
  const [groups, groupsClean] = section(() => f.req<StationGroupSpec[]>('stations', [], readStations));
  const [phases, phasesClean] = section(() => readPhases(p, f));
  const [csms, csmsClean] = section(() => (f.has('csms') ? readCsms(p, f.raw.csms, f.at('csms')) : DEFAULTS.csms));
  const thresholds = f.has('thresholds') ? readThresholds(p, f.raw.thresholds, f.at('thresholds'), locate) : undefined;
  const [attacks, attacksClean] = section(() => (f.has('attacks') ? readAttacks(p, f.raw.attacks, f.at('attacks')) : []));
  const [detection, detectionClean] = section(() => (f.has('detection') ? readDetection(p, f.raw.detection, f.at('detection'))
    : attacks.length > 0 ? DETECTION_DEFAULTS : undefined));
  return {
    general,
    security: f.has('security') ? readSecurity(p, f.raw.security, f.at('security'), dirname(file)) : DEFAULTS.security,
    reconnect: f.has('reconnect') ? readReconnect(p, f.raw.reconnect, f.at('reconnect')) : DEFAULTS.reconnect,
    groups,
    sessions: f.has('sessions')
      ? readSessions(p, f.raw.sessions, f.at('sessions'), general.protocols.includes('ocpp2.0.1'))
      : DEFAULTS.sessions,
    workload: f.has('workload') ? readWorkload(p, f.raw.workload, f.at('workload')) : DEFAULT_WORKLOAD,
    phases: phases ?? [],
    csms,
    ...(thresholds ? { thresholds } : {}),
    attacks,
    ...(detection ? { detection } : {}),
    clean: { groups: groupsClean, phases: phasesClean && phases !== undefined, csms: csmsClean, attacks: attacksClean && detectionClean },
  };
}
