/**
 * The DER controls installed on one station (OCPP 2.1 block R, FLOWS.md §5.4): SetDERControl / GetDERControl /
 * ClearDERControl and what ReportDERControl carries. Pure: time is passed in. Defaults (`isDefault: true`) apply
 * whenever no scheduled control of their type is in effect; within a type (and default/scheduled class) the
 * lowest `priority` number wins where windows overlap and the losers are superseded (a tie goes to the newer one).
 */
import type { Payload } from '../../ocpp/session.js';

export const DER_CONTROL_TYPES = [
  'EnterService', 'FreqDroop', 'FreqWatt', 'FixedPFAbsorb', 'FixedPFInject', 'FixedVar', 'Gradients', 'HFMustTrip', 'HFMayTrip',
  'HVMustTrip', 'HVMomCess', 'HVMayTrip', 'LimitMaxDischarge', 'LFMustTrip', 'LVMustTrip', 'LVMomCess', 'LVMayTrip',
  'PowerMonitoringMustTrip', 'VoltVar', 'VoltWatt', 'WattPF', 'WattVar',
] as const;
export type DerControlType = (typeof DER_CONTROL_TYPES)[number];

/** The settings object of SetDERControlRequest each control type carries. */
type SettingsKey = 'curve' | 'enterService' | 'fixedPFAbsorb' | 'fixedPFInject' | 'fixedVar' | 'freqDroop' | 'gradient' | 'limitMaxDischarge';
const SETTINGS_KEYS: readonly SettingsKey[] = ['curve', 'enterService', 'fixedPFAbsorb', 'fixedPFInject', 'fixedVar', 'freqDroop', 'gradient', 'limitMaxDischarge'];

export function settingsKeyOf(type: DerControlType): SettingsKey {
  switch (type) {
    case 'EnterService': return 'enterService';
    case 'FreqDroop': return 'freqDroop';
    case 'FixedPFAbsorb': return 'fixedPFAbsorb';
    case 'FixedPFInject': return 'fixedPFInject';
    case 'FixedVar': return 'fixedVar';
    case 'Gradients': return 'gradient';
    case 'LimitMaxDischarge': return 'limitMaxDischarge';
    default: return 'curve';
  }
}

/** One stored control. Times in ms since the epoch; a default has no window. */
export interface DerControl {
  readonly id: string;
  readonly type: DerControlType;
  readonly isDefault: boolean;
  readonly priority: number;
  /** The settings object as received (reported back unchanged). */
  readonly settings: Payload;
  readonly startMs: number;
  readonly endMs: number;
  /** Order of arrival: a tie in priority goes to the newer control. */
  readonly seq: number;
  superseded: boolean;
}

export interface DerResult {
  status: 'Accepted' | 'Rejected' | 'NotSupported' | 'NotFound';
  statusInfo?: { reasonCode: string; additionalInfo?: string };
  supersededIds?: string[];
}

export interface DerFilter { isDefault?: boolean; controlType?: string; controlId?: string }

/** ReportDERControlRequest arrays hold at most 24 entries each: longer reports are split with `tbc`. */
const MAX_PER_ARRAY = 24;
/** Controls kept per station; beyond it SetDERControl is refused (a sanity bound, not an OCPP number). */
export const MAX_DER_CONTROLS = 64;

function rejected(reasonCode: string, additionalInfo: string): DerResult {
  return { status: 'Rejected', statusInfo: { reasonCode, additionalInfo } };
}

export class DerControlStore {
  private controls: DerControl[] = [];
  private seq = 0;

  get size(): number { return this.controls.length; }
  all(): readonly DerControl[] { return this.controls; }

  /** SetDERControlRequest → SetDERControlResponse. */
  set(req: Payload, nowMs: number): DerResult {
    const type = req.controlType as DerControlType;
    if (!DER_CONTROL_TYPES.includes(type)) return { status: 'NotSupported' };
    const key = settingsKeyOf(type);
    const present = SETTINGS_KEYS.filter((k) => req[k] !== undefined);
    if (present.length !== 1 || present[0] !== key) {
      return rejected('InvalidValue', `${type} needs exactly the '${key}' settings${present.length > 0 ? `, got ${present.join(', ')}` : ''}`);
    }
    const isDefault = req.isDefault === true;
    // FLOWS.md §5.4: enterService and gradient exist only as defaults.
    if (!isDefault && (key === 'enterService' || key === 'gradient')) return rejected('InvalidValue', `${type} can only be a default control`);
    const settings = req[key] as Payload;
    let startMs = -Infinity;
    let endMs = Infinity;
    if (!isDefault) {
      startMs = typeof settings.startTime === 'string' ? Date.parse(settings.startTime) : nowMs;
      if (Number.isNaN(startMs)) return rejected('InvalidValue', 'bad startTime');
      endMs = typeof settings.duration === 'number' ? startMs + settings.duration * 1000 : Infinity;
      if (!(endMs > startMs)) return rejected('InvalidValue', 'duration must be > 0');
    }
    const kept = this.controls.filter((c) => c.id !== req.controlId);
    if (kept.length >= MAX_DER_CONTROLS) return rejected('OutOfStorage', `at most ${MAX_DER_CONTROLS} DER controls`);
    const before = new Set(kept.filter((c) => c.superseded).map((c) => c.id));
    const control: DerControl = {
      id: req.controlId, type, isDefault, priority: typeof settings.priority === 'number' ? settings.priority : 0,
      settings, startMs, endMs, seq: this.seq++, superseded: false,
    };
    kept.push(control);
    this.controls = kept;
    this.resolve();
    const supersededIds = kept.filter((c) => c.superseded && !before.has(c.id) && c !== control).map((c) => c.id);
    return supersededIds.length > 0 ? { status: 'Accepted', supersededIds: supersededIds.slice(0, MAX_PER_ARRAY) } : { status: 'Accepted' };
  }

  /** ClearDERControlRequest: removes the matching controls (returned; empty → answer NotFound). */
  clear(f: DerFilter): DerControl[] {
    const removed = this.controls.filter((c) => matches(c, f));
    if (removed.length > 0) {
      this.controls = this.controls.filter((c) => !matches(c, f));
      this.resolve();
    }
    return removed;
  }

  /** GetDERControlRequest: the matching controls, in arrival order. */
  find(f: DerFilter): DerControl[] {
    return this.controls.filter((c) => matches(c, f));
  }

  /** Forgets scheduled controls whose window ended by `t` (they no longer apply); returns how many. */
  purgeEnded(t: number): number {
    const kept = this.controls.filter((c) => c.isDefault || c.endMs > t);
    const n = this.controls.length - kept.length;
    if (n > 0) { this.controls = kept; this.resolve(); }
    return n;
  }

  /** Scheduled controls in effect at `t`: not superseded, inside their window. */
  running(t: number): DerControl[] {
    return this.controls.filter((c) => !c.isDefault && !c.superseded && c.startMs <= t && t < c.endMs);
  }

  /** The control of `type` that applies at `t`: a running scheduled one, else the winning default. */
  active(type: DerControlType, t: number): DerControl | undefined {
    let best: DerControl | undefined;
    for (const c of this.controls) {
      if (c.type !== type || c.superseded) continue;
      if (!c.isDefault && !(c.startMs <= t && t < c.endMs)) continue;
      if (!best || (best.isDefault && !c.isDefault) || (best.isDefault === c.isDefault && wins(c, best))) best = c;
    }
    return best;
  }

  /** The next instant after `t` at which a scheduled control starts or ends; Infinity if none. */
  nextTransition(t: number): number {
    let next = Infinity;
    for (const c of this.controls) {
      if (c.isDefault) continue;
      if (c.startMs > t && c.startMs < next) next = c.startMs;
      if (c.endMs > t && c.endMs < next) next = c.endMs;
    }
    return next;
  }

  /** Ids the scheduled control `c` supersedes (for NotifyDERStartStop.supersededIds). */
  supersededBy(c: DerControl): string[] {
    return this.controls.filter((o) => o !== c && o.superseded && o.type === c.type && o.isDefault === c.isDefault && overlaps(o, c) && wins(c, o))
      .map((o) => o.id);
  }

  /** Marks, per type and class, every control that an overlapping better one beats. */
  private resolve(): void {
    for (const c of this.controls) {
      c.superseded = this.controls.some((o) => o !== c && o.type === c.type && o.isDefault === c.isDefault && overlaps(o, c) && wins(o, c));
    }
  }
}

function wins(a: DerControl, b: DerControl): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.seq > b.seq);
}

function overlaps(a: DerControl, b: DerControl): boolean {
  return a.startMs < b.endMs && b.startMs < a.endMs;
}

function matches(c: DerControl, f: DerFilter): boolean {
  return (f.isDefault === undefined || c.isDefault === f.isDefault)
    && (f.controlType === undefined || c.type === f.controlType)
    && (f.controlId === undefined || c.id === f.controlId);
}

/**
 * The ReportDERControlRequest payloads for `controls` (FLOWS.md §5.4): entries grouped per settings kind with
 * `id`, `isDefault`, `isSuperseded` where the type has them, at most 24 per array, `tbc` on all but the last.
 */
export function reportParts(requestId: number, controls: readonly DerControl[]): Payload[] {
  const parts: Payload[] = [];
  let part: Payload = { requestId };
  let full = false;
  for (const c of controls) {
    const key = settingsKeyOf(c.type);
    const list = (part[key] ??= []) as Payload[];
    list.push(reportEntry(c, key));
    if (list.length >= MAX_PER_ARRAY) full = true;
    if (full) { parts.push(part); part = { requestId }; full = false; }
  }
  if (Object.keys(part).length > 1 || parts.length === 0) parts.push(part);
  parts.forEach((p, i) => { if (i < parts.length - 1) p.tbc = true; });
  return parts;
}

function reportEntry(c: DerControl, key: SettingsKey): Payload {
  switch (key) {
    case 'curve': return { id: c.id, curveType: c.type, isDefault: c.isDefault, isSuperseded: c.superseded, curve: c.settings };
    case 'enterService': return { id: c.id, enterService: c.settings };
    case 'gradient': return { id: c.id, gradient: c.settings };
    case 'fixedPFAbsorb':
    case 'fixedPFInject': return { id: c.id, isDefault: c.isDefault, isSuperseded: c.superseded, fixedPF: c.settings };
    default: return { id: c.id, isDefault: c.isDefault, isSuperseded: c.superseded, [key]: c.settings };
  }
}
