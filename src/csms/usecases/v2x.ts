/**
 * V2X on the embedded CSMS (OCPP 2.1 block Q, FLOWS.md §5.1-§5.3). NotifyEVChargingNeeds with
 * v2xChargingParameters is Accepted and answered with a TxProfile whose schedule mixes charging, discharging and
 * the other operation modes within the EV's limits; the scheduled commands AFRRSignal and
 * NotifyAllowedEnergyTransfer; and per-station import/export energy from the meter registers.
 */
import { isoTime } from '../../util/clock.js';
import type { Payload } from '../../ocpp/session.js';
import type { CommandBuilder, CommandContext } from '../commands.js';
import type { HandlerContext, HandlerTable } from '../context.js';
import { energyRegisterWh } from '../meter.js';
import type { TxState } from '../state.js';
import { MAX_TRACKED_TX, useCaseState, type NeedsSeen } from './state.js';

const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });
const EXPORT_REGISTER = 'Energy.Active.Export.Register';
const BPT = new Set(['AC_BPT', 'AC_BPT_DER', 'DC_BPT', 'DC_ACDP_BPT']);
/** Profile id of the V2X TxProfile per EVSE: a renegotiation replaces it (K01.FR.05) instead of piling up. */
export const V2X_PROFILE_ID_BASE = 300;
/** Shortest schedule period (s) and most periods; without a departure time the schedule spans a minute. */
const PERIOD_MIN_S = 3;
const MAX_PERIODS = 8;
const DEFAULT_SPAN_S = 60;
const MAX_SPAN_S = 3600;
/** The profile waits this long for the transaction's first event if the needs overtook it. */
const TX_WAIT_MS = 500;
const TX_WAIT_TRIES = 6;

/** The EV's limits a schedule must keep (W; Wh relative to now, from v2xChargingParameters). */
export interface V2xLimits {
  maxChargeW: number;
  maxDischargeW: number;
  /** evMinV2XEnergyRequest: negative = this much may be discharged. */
  minEnergyWh: number;
  /** evMaxV2XEnergyRequest: this much may be charged. */
  maxEnergyWh: number;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function limitsOf(v2x: Payload): V2xLimits {
  return {
    maxChargeW: Math.max(0, num(v2x.maxChargePower, 0)),
    maxDischargeW: Math.max(0, num(v2x.maxDischargePower, 0)),
    minEnergyWh: num(v2x.evMinV2XEnergyRequest, -Infinity),
    maxEnergyWh: num(v2x.evMaxV2XEnergyRequest, Infinity),
  };
}

/**
 * The periods of a V2X schedule of `spanS` seconds (FLOWS.md §5.2), cycling through CentralSetpoint charge and
 * discharge, LocalFrequency (baseline + frequency and aFRR signal curves), Idle, ExternalLimits and ChargingOnly.
 * Setpoints are whole watts, within the EV's power limits, and keep the cumulative energy inside
 * [evMinV2XEnergyRequest, evMaxV2XEnergyRequest].
 */
export function v2xPeriods(lim: V2xLimits, spanS: number, maxPeriods = MAX_PERIODS): Payload[] {
  const n = Math.max(2, Math.min(maxPeriods, Math.floor(spanS / PERIOD_MIN_S)));
  const len = Math.max(1, Math.floor(spanS / n));
  const C = lim.maxChargeW;
  const D = lim.maxDischargeW;
  const dtH = len / 3600;
  let e = 0;
  const out: Payload[] = [];
  const setpoint = (w: number): number => {
    const lo = (lim.minEnergyWh - e) / dtH;
    const hi = (lim.maxEnergyWh - e) / dtH;
    const p = Math.round(Math.min(C, Math.max(-D, Math.min(hi, Math.max(lo, w)))));
    return p === 0 ? 0 : p;
  };
  for (let i = 0; i < n; i++) {
    const startPeriod = i * len;
    let period: Payload;
    let w = 0;
    switch (i % 8) {
      case 0: w = setpoint(0.8 * C); period = { startPeriod, operationMode: 'CentralSetpoint', setpoint: w }; break;
      case 1: w = setpoint(-0.8 * D); period = { startPeriod, operationMode: 'CentralSetpoint', setpoint: w }; break;
      case 2: {
        w = setpoint(-0.3 * D);
        const f = Math.round(0.5 * Math.min(C, D));
        const s = Math.round(0.2 * Math.min(C, D));
        period = {
          startPeriod, operationMode: 'LocalFrequency', v2xBaseline: w,
          v2xFreqWattCurve: [{ frequency: 49.8, power: -f }, { frequency: 50, power: 0 }, { frequency: 50.2, power: f }],
          v2xSignalWattCurve: [{ signal: -1, power: -s }, { signal: 0, power: 0 }, { signal: 1, power: s }],
        };
        break;
      }
      case 3: w = setpoint(0.4 * C); period = { startPeriod, operationMode: 'CentralSetpoint', setpoint: w }; break;
      case 4: period = { startPeriod, operationMode: 'Idle' }; break;
      case 5: w = setpoint(-0.5 * D); period = { startPeriod, operationMode: 'CentralSetpoint', setpoint: w }; break;
      case 6: {
        w = setpoint(0.5 * C);
        period = { startPeriod, operationMode: 'ExternalLimits', limit: Math.max(0, w), dischargeLimit: -Math.round(0.5 * D) };
        break;
      }
      default: w = setpoint(C); period = { startPeriod, operationMode: 'ChargingOnly', limit: Math.max(0, w) }; break;
    }
    e += w * dtH;
    out.push(period);
  }
  return out;
}

/** The SetChargingProfileRequest answering V2X needs: Absolute from `nowMs`, TxProfile for the transaction. */
export function v2xProfileRequest(evseId: number, transactionId: string, needs: NeedsSeen, nowMs: number): Payload {
  const start = Math.floor(nowMs / 1000) * 1000;
  const bpt = BPT.has(needs.requested) && needs.v2x !== undefined;
  const lim = needs.v2x ? limitsOf(needs.v2x) : { maxChargeW: 0, maxDischargeW: 0, minEnergyWh: 0, maxEnergyWh: Infinity };
  const spanS = Number.isFinite(needs.departureMs) && needs.departureMs > start + 1000
    ? Math.min(MAX_SPAN_S, Math.floor((needs.departureMs - start) / 1000)) : DEFAULT_SPAN_S;
  const periods = bpt
    ? v2xPeriods(lim, spanS, Math.max(2, Math.min(MAX_PERIODS, needs.maxScheduleTuples || MAX_PERIODS)))
    // Bidirectional transfer not requested (or withheld): plain charging at the EV's maximum.
    : [lim.maxChargeW > 0 ? { startPeriod: 0, operationMode: 'ChargingOnly', limit: Math.round(lim.maxChargeW) } : { startPeriod: 0, operationMode: 'ChargingOnly' }];
  // The last period runs on until the departure time.
  const duration = spanS;
  return {
    evseId,
    chargingProfile: {
      id: V2X_PROFILE_ID_BASE + evseId, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Absolute', transactionId,
      chargingSchedule: [{ id: 1, startSchedule: isoTime(start), duration, chargingRateUnit: 'W', chargingSchedulePeriod: periods }],
    },
  };
}

/** NotifyEVChargingNeeds (K15/Q01): Accepted; ISO 15118-20 V2X needs are followed by a TxProfile (2.1 only). */
function notifyEVChargingNeeds(ctx: HandlerContext, p: Payload): Payload {
  const needs = p.chargingNeeds as Payload;
  const v2x = needs.v2xChargingParameters as Payload | undefined;
  const departure = typeof needs.departureTime === 'string' ? Date.parse(needs.departureTime) : NaN;
  const seen: NeedsSeen = {
    requested: needs.requestedEnergyTransfer,
    available: Array.isArray(needs.availableEnergyTransfer) ? needs.availableEnergyTransfer : [needs.requestedEnergyTransfer],
    v2x, departureMs: departure, maxScheduleTuples: num(p.maxScheduleTuples, MAX_PERIODS),
  };
  useCaseState(ctx.state).needs.set(p.evseId, seen);
  const c = ctx.core.counters;
  c.count(c.useCases, 'v2x.needs');
  if (ctx.version === '2.1' && v2x !== undefined) {
    const evseId = p.evseId as number;
    // After the response (FLOWS.md §5.1: Accepted, then SetChargingProfile).
    queueMicrotask(() => sendProfile(ctx, evseId, seen, 0));
  }
  return ACCEPTED;
}

function sendProfile(ctx: HandlerContext, evseId: number, needs: NeedsSeen, attempt: number): void {
  const { core, state } = ctx;
  if (!state.connected) return;
  const tx = state.runningTx(evseId);
  if (tx === undefined) {
    // The needs overtook the transaction's first event: wait for it a little.
    if (attempt < TX_WAIT_TRIES) setTimeout(() => sendProfile(ctx, evseId, needs, attempt + 1), TX_WAIT_MS).unref();
    return;
  }
  const u = useCaseState(state);
  u.profilesSent++;
  const c = core.counters;
  c.count(c.useCases, 'v2x.profilesSent');
  void core.send(state.id, 'SetChargingProfile', v2xProfileRequest(evseId, tx.id, needs, core.nowMs())).then((o) => {
    if (o.ok && o.payload.status === 'Accepted') { u.profilesAccepted++; c.count(c.useCases, 'v2x.profilesAccepted'); }
  });
}

/**
 * Per-station energy figures from a TransactionEvent's meter values: import and export register increases of
 * each transaction of a station that reports an export register (FLOWS.md §5.3). Called by the TransactionEvent
 * handler.
 */
export function observeV2xMeter(ctx: HandlerContext, tx: TxState, meterValue: unknown): void {
  // Only bidirectional stations report an export register: charge-only fleets get no per-station state here.
  const exp = energyRegisterWh(meterValue, EXPORT_REGISTER);
  if (Number.isNaN(exp)) return;
  const imp = energyRegisterWh(meterValue);
  const u = useCaseState(ctx.state);
  let r = u.registers.get(tx.id);
  if (!r) {
    r = { imp: [NaN, NaN], exp: [NaN, NaN] };
    u.registers.set(tx.id, r);
    if (u.registers.size > MAX_TRACKED_TX) u.registers.delete(u.registers.keys().next().value!);
  }
  u.importWh += advance(r.imp, imp);
  const d = advance(r.exp, exp);
  if (d > 0) {
    u.exportWh += d;
    ctx.core.counters.energyExportWh += d;
  }
}

/** A register reading: returns the increase over the highest seen (registers only grow). */
function advance(reg: [number, number], wh: number): number {
  if (Number.isNaN(wh)) return 0;
  if (Number.isNaN(reg[0])) { reg[0] = wh; reg[1] = wh; return 0; }
  if (wh <= reg[1]) return 0;
  const d = wh - reg[1];
  reg[1] = wh;
  return d;
}

export const v2xHandlers: HandlerTable = {
  NotifyEVChargingNeeds: notifyEVChargingNeeds,
};

// ------------------------------------------------------------------------------------------ scheduled commands

function param<T>(c: CommandContext, key: string, fallback: T): T {
  const v = c.params[key];
  return v === undefined ? fallback : (v as T);
}

/** AFRRSignal (Q, 2.1 only): the aFRR signal, effective `delay` ms after sending. */
const afrrSignal: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  return { timestamp: isoTime((c.nowMs ?? Date.now()) + param(c, 'delay', 0)), signal: param(c, 'signal', 1) };
};

/**
 * NotifyAllowedEnergyTransfer (Q02, 2.1 only) for a running transaction whose EV stated its needs: all the modes
 * the EV offered (`bidirectional: true`) or only the non-bidirectional ones.
 */
const notifyAllowedEnergyTransfer: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const evseId = c.params.evseId as number | undefined;
  const tx = c.state.runningTx(evseId);
  if (!tx) return null;
  const needs = useCaseState(c.state).needs.get(tx.evseId);
  if (!needs) return null;
  const bidirectional = param(c, 'bidirectional', true);
  let allowed = bidirectional ? [...needs.available] : needs.available.filter((m) => !BPT.has(m));
  if (allowed.length === 0) allowed = [needs.available[0] ?? 'DC'];
  return { transactionId: tx.id, allowedEnergyTransfer: allowed };
};

export const V2X_COMMANDS = {
  AFRRSignal: afrrSignal,
  NotifyAllowedEnergyTransfer: notifyAllowedEnergyTransfer,
} as const satisfies Record<string, CommandBuilder>;
