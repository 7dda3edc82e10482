import type { OcppVersion } from '../ocpp/schemas.js';
import type { RpcError } from '../ocpp/errors.js';
import type { CallOutcome, Payload } from '../ocpp/session.js';
import type { ResolvedCsmsOptions } from './options.js';
import type { StatsCounters } from './stats.js';
import type { StationState, TxState } from './state.js';
import type { Detector } from './detector/detector.js';

/** What every handler may read or bump: one per CSMS, shared by all connections. */
export interface CsmsCore {
  readonly opts: ResolvedCsmsOptions;
  readonly counters: StatsCounters;
  /** Blocked idTokens, lower-cased: idTokens compare case-insensitively (FLOWS.md §3.1). */
  readonly blocked: ReadonlySet<string>;
  /** idToken (lower-cased) → the open transaction using it: a token in use elsewhere gets ConcurrentTx (C01, A07). */
  readonly tokensInUse: Map<string, { readonly state: StationState; readonly tx: TxState }>;
  /** The anomaly detector, when enabled (docs/csms-detector.md). */
  readonly detector?: Detector | null;
  /**
   * Whether the token registry (CsmsOptions.knownTokens) knows `idToken`, or the CSMS vouched for it itself;
   * always true without a registry.
   */
  knowsToken(idToken: string): boolean;
  /** A token the CSMS vouches for itself: its own remote-start token, a Plug & Charge eMAID whose contract it accepted. */
  vouchFor(idToken: string): void;
  nowMs(): number;
  /** Sends a CSMS→station CALL to a connected station (a follow-up a handler decides on, e.g. V2X profiles). */
  send(id: string, action: string, payload: Payload): Promise<CallOutcome>;
}

/** The connection a CALL arrived on, as a handler sees it. */
export interface HandlerContext {
  readonly core: CsmsCore;
  readonly state: StationState;
  /** Negotiated version: responses must validate against its schemas. */
  readonly version: OcppVersion;
}

/** Answers one station→CSMS CALL: a schema-valid response payload, or an RpcError to send as CALLERROR. */
export type CallHandler = (ctx: HandlerContext, payload: Payload) => Payload | RpcError;
/** Takes one SEND (type 6); never answered. */
export type SendHandler = (ctx: HandlerContext, payload: Payload) => void;

/** Per-action knowledge as data (STYLE habit 2): action name → handler. */
export type HandlerTable = Readonly<Record<string, CallHandler>>;

/** The empty response (`{}`) of the many notifications that need no answer; shared, never mutated. */
export const EMPTY: Payload = Object.freeze({});
