/**
 * What the embedded CSMS keeps per station for the OCPP 2.1 use cases (V2X, DER control), beside StationState
 * (a WeakMap, so state.ts carries no use-case fields and idle stations cost nothing).
 */
import type { Payload } from '../../ocpp/session.js';
import type { StationView } from '../state.js';

/** The EV charging needs last received for one EVSE (NotifyEVChargingNeeds). */
export interface NeedsSeen {
  readonly requested: string;
  readonly available: readonly string[];
  /** v2xChargingParameters (2.1, ISO 15118-20); undefined for ISO 15118-2 needs. */
  readonly v2x: Payload | undefined;
  readonly departureMs: number;
  readonly maxScheduleTuples: number;
}

/** Per-station use-case state (read it with `useCaseState(csms.station(id))`). */
export class UseCaseState {
  /** Energy imported / exported by this station's transactions, from their registers (Wh). */
  importWh = 0;
  exportWh = 0;
  readonly needs = new Map<number, NeedsSeen>();
  /** V2X TxProfiles sent per EVSE and their outcomes. */
  profilesSent = 0;
  profilesAccepted = 0;
  /** DER controls as last reported (ReportDERControl), by control id: the report entry. */
  readonly derReported = new Map<string, Payload>();
  /** Scheduled DER controls the station reported started and not yet stopped (NotifyDERStartStop). */
  readonly derRunning = new Set<string>();
  /** Grid alarms raised and not yet ended, `controlType|gridEventFault` → the alarm (NotifyDERAlarm). */
  readonly alarmsActive = new Map<string, Payload>();
  alarms = 0;
  /** Per transaction: first and last import / export register readings (Wh), for the energy figures. */
  readonly registers = new Map<string, { imp: [number, number]; exp: [number, number] }>();
}

const STATES = new WeakMap<object, UseCaseState>();
/** Registers are kept for this many transactions per station (the oldest are forgotten). */
export const MAX_TRACKED_TX = 16;

/** The use-case state of a station (created on first use). */
export function useCaseState(view: StationView): UseCaseState {
  let s = STATES.get(view);
  if (!s) STATES.set(view, (s = new UseCaseState()));
  return s;
}

/** The use-case state of a station if it has any (tests, reports). */
export function peekUseCaseState(view: StationView | undefined): UseCaseState | undefined {
  return view ? STATES.get(view) : undefined;
}
