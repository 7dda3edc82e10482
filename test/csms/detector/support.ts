// Socket-free harness for the detector's rules: a Detector on a ManualClock, alerts captured in memory, and
// builders for the frames the rules read (payloads as a station would send them).
import { ManualClock, isoTime } from '../../../src/util/clock.js';
import type { Payload } from '../../../src/ocpp/session.js';
import type { RpcError } from '../../../src/ocpp/errors.js';
import { Detector } from '../../../src/csms/detector/detector.js';
import { resolveDetectorOptions, type DetectorOptions, type DetectorThresholds } from '../../../src/csms/detector/options.js';
import type { Alert } from '../../../src/csms/detector/alert.js';
import type { StationDet } from '../../../src/csms/detector/station.js';

export interface Harness {
  det: Detector;
  clock: ManualClock;
  alerts: Alert[];
  stops: [string, string][];
  /** Upgrade + open, as the CSMS does for an accepted connection. */
  connect(id: string, ip?: string): StationDet;
  /** A CALL as the link hands it over: inside frame()/frameDone(), with the handlers' answer. */
  call(sd: StationDet, action: string, payload: Payload, answer?: Payload | RpcError): Payload | RpcError;
  /** Alerts of one category (optionally one rule). */
  of(category: string, rule?: string): Alert[];
}

export function harness(o: Omit<DetectorOptions, 'thresholds'> & { thresholds?: Partial<DetectorThresholds>; profile?: number; startMs?: number } = {}): Harness {
  const clock = new ManualClock(o.startMs ?? Date.UTC(2026, 0, 1));
  const alerts: Alert[] = [];
  const stops: [string, string][] = [];
  const { profile, startMs: _s, thresholds, ...rest } = o;
  const opts = resolveDetectorOptions({ ...rest, thresholds: { warmupMs: 0, ...thresholds }, onAlert: (a) => alerts.push(a) }, 1)!;
  const det = new Detector(opts, {
    clock, log: () => {}, securityProfile: profile ?? 0, protocols: ['ocpp2.1', 'ocpp2.0.1'],
    stopTransaction: (id, tx) => stops.push([id, tx]),
  }, []);
  return {
    det, clock, alerts, stops,
    connect(id, ip = '10.0.0.1') {
      det.upgrade(id, ip, undefined, 'ocpp2.1,ocpp2.0.1', 'accept');
      return det.open(id, ip);
    },
    call(sd, action, payload, answer = {}) {
      det.frame(sd, 200);
      const out = det.call(sd, action, payload, answer);
      det.answered(action, null);
      det.frameDone();
      return out;
    },
    of(category, rule) {
      return alerts.filter((a) => a.category === category && (rule === undefined || a.evidence.rule === rule));
    },
  };
}

export interface SampleSpec {
  tsMs: number;
  wh?: number;
  w?: number;
  soc?: number;
  /** AC: per-phase current (3 phases at 230 V) when `ac`; DC: current at `v`. */
  a?: number;
  v?: number;
  ac?: boolean;
  context?: string;
}

/** One meterValue entry as the simulator writes it (register, power, current/voltage per phase for AC, SoC). */
export function mv(s: SampleSpec): Payload {
  const sv: Payload[] = [];
  const context = s.context ?? 'Sample.Periodic';
  if (s.wh !== undefined) sv.push({ value: s.wh, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } });
  if (s.w !== undefined) sv.push({ value: s.w, context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } });
  if (s.a !== undefined) {
    if (s.ac) for (const p of ['L1', 'L2', 'L3']) sv.push({ value: s.a, context, measurand: 'Current.Import', phase: p, unitOfMeasure: { unit: 'A' } });
    else sv.push({ value: s.a, context, measurand: 'Current.Import', unitOfMeasure: { unit: 'A' } });
  }
  if (s.v !== undefined) {
    if (s.ac) for (const p of ['L1-N', 'L2-N', 'L3-N']) sv.push({ value: s.v, context, measurand: 'Voltage', phase: p, unitOfMeasure: { unit: 'V' } });
    else sv.push({ value: s.v, context, measurand: 'Voltage', unitOfMeasure: { unit: 'V' } });
  }
  if (s.soc !== undefined) sv.push({ value: s.soc, context, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } });
  return { timestamp: isoTime(s.tsMs), sampledValue: sv };
}

export interface TxSpec {
  txId?: string;
  tsMs: number;
  evse?: number;
  trigger?: string;
  chargingState?: string;
  idToken?: string;
  tokenType?: string;
  remoteStartId?: number;
  offline?: boolean;
  meter?: SampleSpec;
  stoppedReason?: string;
  phases?: number;
}

/** A TransactionEventRequest. */
export function txEvent(eventType: 'Started' | 'Updated' | 'Ended', seqNo: number, t: TxSpec): Payload {
  const info: Payload = { transactionId: t.txId ?? 'tx-1' };
  if (t.chargingState) info.chargingState = t.chargingState;
  if (t.remoteStartId !== undefined) info.remoteStartId = t.remoteStartId;
  if (t.stoppedReason) info.stoppedReason = t.stoppedReason;
  const p: Payload = {
    eventType, timestamp: isoTime(t.tsMs), seqNo, transactionInfo: info,
    triggerReason: t.trigger ?? (eventType === 'Started' ? 'CablePluggedIn' : eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic'),
  };
  if (eventType === 'Started' || t.evse !== undefined) p.evse = { id: t.evse ?? 1, connectorId: 1 };
  if (t.idToken) p.idToken = { idToken: t.idToken, type: t.tokenType ?? 'ISO14443' };
  if (t.offline) p.offline = true;
  if (t.phases !== undefined) p.numberOfPhasesUsed = t.phases;
  if (t.meter) p.meterValue = [mv(t.meter)];
  return p;
}

/**
 * A consistent session as the simulator produces it: Started (register) → Authorized (token) → periodic samples
 * every `intervalMs` at constant power `w` with the register growing by exactly P·Δt and SoC rising → Ended.
 * Returns the events; the caller advances its clock and feeds them.
 */
export function benignSession(o: { txId: string; startMs: number; startWh: number; w: number; samples: number; intervalMs?: number; token?: string; evse?: number; ac?: boolean; offline?: boolean }): Payload[] {
  const iv = o.intervalMs ?? 5000;
  const ev: Payload[] = [];
  let seq = 0;
  const base = { txId: o.txId, evse: o.evse ?? 1, ...(o.offline ? { offline: true } : {}) };
  ev.push(txEvent('Started', seq++, { ...base, tsMs: o.startMs, chargingState: 'EVConnected', meter: { tsMs: o.startMs, wh: o.startWh, context: 'Transaction.Begin' } }));
  const authMs = o.startMs + 2000;
  ev.push(txEvent('Updated', seq++, { ...base, tsMs: authMs, trigger: 'Authorized', chargingState: 'Charging', idToken: o.token ?? '04AABBCCDDEEFF', ...(o.ac ? { phases: 3 } : {}) }));
  let wh = o.startWh;
  let soc = 30;
  let t = authMs;
  for (let i = 0; i < o.samples; i++) {
    const next = authMs + (i + 1) * iv;
    wh += (o.w * (next - t)) / 3_600_000;
    soc += ((o.w * (next - t)) / 3_600_000 / 60_000) * 100;
    t = next;
    const a = o.ac ? o.w / (3 * 230) : o.w / 400;
    ev.push(txEvent('Updated', seq++, { ...base, tsMs: t, chargingState: 'Charging', meter: { tsMs: t, wh: round1(wh), w: o.w, a: Math.round(a * 100) / 100, v: o.ac ? 230 : 400, ac: o.ac ?? false, soc: round1(soc) } }));
  }
  const end = t + 1500;
  wh += (o.w * 1500) / 3_600_000;
  ev.push(txEvent('Ended', seq++, { ...base, tsMs: end, trigger: 'StopAuthorized', stoppedReason: 'Local', chargingState: 'EVConnected', meter: { tsMs: end, wh: round1(wh), context: 'Transaction.End' } }));
  return ev;
}

function round1(x: number): number { return Math.round(x * 10) / 10; }

/** Feeds events at their own timestamps (clock set to each event's time + `lagMs`). */
export function feed(h: Harness, sd: StationDet, events: Payload[], lagMs = 20): Payload[] {
  const answers: Payload[] = [];
  for (const e of events) {
    const ts = Date.parse(e.timestamp as string);
    if (ts + lagMs > h.clock.nowMs()) h.clock.advance(ts + lagMs - h.clock.nowMs());
    answers.push(h.call(sd, 'TransactionEvent', e, e.idToken ? { idTokenInfo: { status: 'Accepted' } } : {}) as Payload);
  }
  return answers;
}
