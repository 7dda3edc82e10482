/**
 * Station behaviours (StationGroupSpec.behaviour) as data: each OCPP 2.1 use case that changes what a station
 * does registers here once — whether its EVSEs run charging sessions, per-EVSE hooks the session model calls,
 * and the CSMS→station actions it answers. evse.ts and handlers.ts only ask this table, so a new use case is a
 * new file plus one line in USE_CASES (plug-and-charge, battery-swap, ... register the same way).
 */
import type { RpcError } from '../../ocpp/errors.js';
import type { Payload } from '../../ocpp/session.js';
import type { Behaviour, EvseModel } from '../../scenario/spec.js';
import type { IdToken } from '../draw.js';
import type { Evse } from '../evse.js';
import type { Measurand, ReadingContext } from '../meter.js';
import type { EvsePhysics } from '../physics.js';
import type { Station } from '../station.js';
import { V2X_USE_CASE } from './v2x.js';
import { PNC_USE_CASE } from './pnc.js';
import { BATTERY_SWAP_USE_CASE } from './battery-swap.js';
import { TARIFF_USE_CASE } from './tariff.js';

/** Answers one CSMS→station CALL (as in handlers.ts). */
export type StationCallHandler = (st: Station, p: Payload) => Payload | RpcError | Promise<Payload | RpcError>;

/**
 * Per-EVSE hooks of a behaviour, created once per EVSE; every method is optional and the EVSE behaves as a plain
 * charging EVSE where one is missing. Hooks run on the hot path: no allocation per call where avoidable.
 */
export interface EvseHooks {
  /** The EVSE's meter and car model (default EvsePhysics). Called once, from the Evse constructor. */
  createPhysics?(model: EvseModel, registerWh: number): EvsePhysics;
  /** The station was accepted (boot), before the session model starts. */
  onOnline?(): void;
  /** A car was plugged in and the transaction started; `stayMs` is how long the driver plans to stay. */
  onPlugIn?(stayMs: number): void;
  /** The transaction was authorized and the power path closed (the Updated event is queued). */
  onAuthorized?(): void;
  /**
   * Authorizes the session instead of the driver's RFID token (Plug & Charge: the EV's contract), when the
   * authorize timer fires: resolves with the accepted idToken, or null when refused (the driver then leaves).
   */
  authorize?(): Promise<IdToken | null>;
  /**
   * The charging limit (W, undefined = none) in force at `atMs` for the running transaction, replacing the
   * ProfileStore's; called whenever the EVSE settles energy, right before it energizes the car again.
   */
  limitAt?(atMs: number): number | undefined;
  /** Adds use-case fields to a TransactionEventRequest about to be queued (e.g. transactionInfo.operationMode). */
  decorate?(payload: Payload): void;
  /** The measurands of a transaction meter value in `context`, given the device model's `base` list. */
  measurands?(context: ReadingContext, base: readonly Measurand[]): readonly Measurand[];
  /** The CSMS answered one of this EVSE's TransactionEvents (totalCost, transactionLimit, ...). */
  onTxResponse?(req: Payload, res: Payload): void;
  /** Whether local starts (plug-in arrivals) are held back now, e.g. while a web payment is in progress. */
  blocksLocalStart?(): boolean;
  /** The transaction ended (after its Ended event was queued), before the car is unplugged. */
  onEnded?(): void;
}

/** What a behaviour is. */
export interface UseCase {
  /** Whether its EVSEs run the session model (plug-in arrivals, Authorize, TransactionEvents). */
  readonly sessions: boolean;
  /** Per-EVSE hooks; undefined = a plain EVSE. */
  evse?(evse: Evse): EvseHooks | undefined;
  /** CSMS→station actions answered for this behaviour, before (and instead of) the common table. */
  readonly handlers?: Readonly<Record<string, StationCallHandler>>;
  /** TriggerMessage requestedMessage values it answers itself (e.g. SignV2GCertificate), before the common ones. */
  readonly triggers?: Readonly<Record<string, StationCallHandler>>;
}

const USE_CASES: Readonly<Partial<Record<Behaviour, UseCase>>> = {
  charging: { sessions: true },
  idle: { sessions: false },
  v2x: V2X_USE_CASE,
  'plug-and-charge': PNC_USE_CASE,
  'battery-swap': BATTERY_SWAP_USE_CASE,
  tariff: TARIFF_USE_CASE,
};

/** The use case of a behaviour (undefined for behaviours not implemented yet). */
export function useCaseOf(behaviour: Behaviour): UseCase | undefined {
  return USE_CASES[behaviour];
}

/** Whether EVSEs of this behaviour run charging sessions. */
export function runsSessions(behaviour: Behaviour): boolean {
  return USE_CASES[behaviour]?.sessions === true;
}

/** The behaviour's own handler for a CSMS→station action, if it has one. */
export function useCaseHandler(behaviour: Behaviour, action: string): StationCallHandler | undefined {
  return USE_CASES[behaviour]?.handlers?.[action];
}

/** The behaviour's own answer to TriggerMessage(`requestedMessage`), if it has one. */
export function useCaseTrigger(behaviour: Behaviour, requestedMessage: string): StationCallHandler | undefined {
  return USE_CASES[behaviour]?.triggers?.[requestedMessage];
}
