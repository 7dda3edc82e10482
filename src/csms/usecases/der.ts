/**
 * DER control on the embedded CSMS (OCPP 2.1 block R, FLOWS.md §5.4): ReportDERControl, NotifyDERAlarm and
 * NotifyDERStartStop are answered `{}` and kept per station (useCaseState); SetDERControl, GetDERControl and
 * ClearDERControl are scheduled commands. All 2.1-only: on a 2.0.1 connection the commands are skipped.
 */
import { isoTime } from '../../util/clock.js';
import type { Payload } from '../../ocpp/session.js';
import type { CommandBuilder, CommandContext } from '../commands.js';
import { EMPTY, type HandlerContext, type HandlerTable } from '../context.js';
import { useCaseState } from './state.js';

const REPORT_KEYS = ['curve', 'enterService', 'fixedPFAbsorb', 'fixedPFInject', 'fixedVar', 'freqDroop', 'gradient', 'limitMaxDischarge'];

function reportDERControl(ctx: HandlerContext, p: Payload): Payload {
  const u = useCaseState(ctx.state);
  for (const key of REPORT_KEYS) {
    const list = p[key] as Payload[] | undefined;
    if (Array.isArray(list)) for (const entry of list) u.derReported.set(entry.id, entry);
  }
  const c = ctx.core.counters;
  c.count(c.useCases, 'der.reports');
  if (p.tbc !== true) c.count(c.useCases, 'der.reportsCompleted');
  return EMPTY;
}

function notifyDERAlarm(ctx: HandlerContext, p: Payload): Payload {
  const u = useCaseState(ctx.state);
  const key = `${p.controlType}|${p.gridEventFault ?? ''}`;
  const c = ctx.core.counters;
  if (p.alarmEnded === true) {
    u.alarmsActive.delete(key);
    c.count(c.useCases, 'der.alarmsEnded');
  } else {
    u.alarmsActive.set(key, p);
    u.alarms++;
    c.count(c.useCases, 'der.alarms');
  }
  return EMPTY;
}

function notifyDERStartStop(ctx: HandlerContext, p: Payload): Payload {
  const u = useCaseState(ctx.state);
  if (p.started === true) u.derRunning.add(p.controlId);
  else u.derRunning.delete(p.controlId);
  const c = ctx.core.counters;
  c.count(c.useCases, p.started === true ? 'der.started' : 'der.stopped');
  return EMPTY;
}

export const derHandlers: HandlerTable = {
  ReportDERControl: reportDERControl,
  NotifyDERAlarm: notifyDERAlarm,
  NotifyDERStartStop: notifyDERStartStop,
};

// ------------------------------------------------------------------------------------------ scheduled commands

type Curve = { yUnit: string; curveData: { x: number; y: number }[] };

/** Plausible grid-code curves (x: % of nominal voltage, Hz, % of rated power, or trip time s). */
function curveFor(type: string): Curve {
  switch (type) {
    case 'VoltWatt': return { yUnit: 'PctMaxW', curveData: [{ x: 106, y: 100 }, { x: 110, y: 0 }] };
    case 'VoltVar': return { yUnit: 'PctMaxVar', curveData: [{ x: 92, y: 30 }, { x: 98, y: 0 }, { x: 102, y: 0 }, { x: 108, y: -30 }] };
    case 'FreqWatt': return { yUnit: 'PctMaxW', curveData: [{ x: 50.2, y: 100 }, { x: 51.5, y: 0 }] };
    case 'WattPF': return { yUnit: 'Not_Applicable', curveData: [{ x: 20, y: 1 }, { x: 50, y: 1 }, { x: 100, y: 0.9 }] };
    case 'WattVar': return { yUnit: 'PctMaxVar', curveData: [{ x: 20, y: 0 }, { x: 50, y: 0 }, { x: 100, y: -30 }] };
    case 'HFMustTrip': case 'HFMayTrip': return { yUnit: 'Not_Applicable', curveData: [{ x: 0.16, y: 51.5 }, { x: 300, y: 50.5 }] };
    case 'LFMustTrip': return { yUnit: 'Not_Applicable', curveData: [{ x: 0.16, y: 47.5 }, { x: 300, y: 49.5 }] };
    case 'LVMustTrip': case 'LVMayTrip': case 'LVMomCess': return { yUnit: 'PctEffectiveV', curveData: [{ x: 0.16, y: 45 }, { x: 2, y: 70 }, { x: 10, y: 88 }] };
    default: return { yUnit: 'PctEffectiveV', curveData: [{ x: 0.16, y: 120 }, { x: 13, y: 110 }] }; // HV*, PowerMonitoringMustTrip
  }
}

/** The settings object of `type` (SetDERControlRequest), with the schedule window of a non-default control. */
function settingsFor(type: string, priority: number, window: { startTime: string; duration: number } | undefined, c: CommandContext): [string, Payload] {
  const w = window ?? {};
  switch (type) {
    case 'EnterService':
      return ['enterService', { priority, highVoltage: 253, lowVoltage: 207, highFreq: 50.1, lowFreq: 49.9, delay: 60 }];
    case 'Gradients': return ['gradient', { priority, gradient: 10, softGradient: 5 }];
    case 'FreqDroop':
      return ['freqDroop', { priority, overFreq: 50.2, underFreq: 49.8, overDroop: 5, underDroop: 5, responseTime: 2, ...w }];
    case 'FixedPFAbsorb': return ['fixedPFAbsorb', { priority, displacement: 0.95, excitation: false, ...w }];
    case 'FixedPFInject': return ['fixedPFInject', { priority, displacement: 0.95, excitation: true, ...w }];
    case 'FixedVar': return ['fixedVar', { priority, setpoint: 10, unit: 'PctMaxVar', ...w }];
    case 'LimitMaxDischarge':
      return ['limitMaxDischarge', { priority, pctMaxDischargePower: c.params.pctMaxDischargePower ?? 50, ...w }];
    default: return ['curve', { priority, ...curveFor(type), ...w }];
  }
}

/** SetDERControl (R01/R02): a default, or a control scheduled `startIn` from now for `duration`; fresh id each time. */
const setDERControl: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const type = (c.params.controlType as string | undefined) ?? 'FreqDroop';
  const isDefault = c.params.isDefault !== false;
  const priority = (c.params.priority as number | undefined) ?? 1;
  const now = c.nowMs ?? Date.now();
  const window = isDefault ? undefined
    : { startTime: isoTime(now + ((c.params.startIn as number | undefined) ?? 0)), duration: ((c.params.duration as number | undefined) ?? 30_000) / 1000 };
  const [key, settings] = settingsFor(type, priority, window, c);
  return { isDefault, controlId: `chargestorm-der-${c.nextId()}`, controlType: type, [key]: settings };
};

/** GetDERControl (R03): everything, or narrowed by isDefault / controlType. */
const getDERControl: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const p: Payload = { requestId: c.nextId() };
  if (typeof c.params.isDefault === 'boolean') p.isDefault = c.params.isDefault;
  if (typeof c.params.controlType === 'string') p.controlType = c.params.controlType;
  return p;
};

/** ClearDERControl (R04): the defaults (or scheduled controls), optionally of one type. */
const clearDERControl: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const p: Payload = { isDefault: c.params.isDefault !== false };
  if (typeof c.params.controlType === 'string') p.controlType = c.params.controlType;
  return p;
};

export const DER_COMMANDS = {
  SetDERControl: setDERControl,
  GetDERControl: getDERControl,
  ClearDERControl: clearDERControl,
} as const satisfies Record<string, CommandBuilder>;
