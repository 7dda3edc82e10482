/**
 * Plug & Charge on the embedded CSMS (FLOWS.md §4, OCPP blocks C, K, M, A) besides the certificate messages
 * (handlers/certificates.ts): contract authorisation against the test PKI with the §4.1 status mapping, and ISO
 * 15118 smart charging — NotifyEVChargingNeeds is Accepted and followed by a TxProfile within the EV's limits
 * (FLOWS.md §4.5: within 60 s), NotifyEVChargingSchedule is Accepted.
 */
import { isoTime } from '../../util/clock.js';
import type { Payload } from '../../ocpp/session.js';
import type { HandlerContext, HandlerTable } from '../context.js';
import { pkiOf, type RootType } from '../pki/index.js';
import type { StationView } from '../state.js';
import { v2xHandlers } from './v2x.js';

const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });
/** Profile id of the ISO 15118 TxProfile per EVSE (V2X uses 300 + evseId): a renegotiation replaces it. */
export const PNC_PROFILE_ID_BASE = 400;
const DEFAULT_SPAN_S = 3600;
const MAX_SPAN_S = 24 * 3600;
/** The profile waits this long for the transaction's first event if the needs overtook it. */
const TX_WAIT_MS = 500;
const TX_WAIT_TRIES = 6;

/** What the CSMS keeps per station for Plug & Charge (beside StationState, so idle stations cost nothing). */
export class PncCsmsState {
  /** Roots this CSMS installed on the station (InstallCertificate before the first CertificateSigned). */
  readonly roots = new Set<RootType>();
  certificatesSigned = 0;
  profilesSent = 0;
  schedules = 0;
}

const STATES = new WeakMap<StationView, PncCsmsState>();

export function pncState(view: StationView): PncCsmsState {
  let s = STATES.get(view);
  if (!s) STATES.set(view, (s = new PncCsmsState()));
  return s;
}

/** The station's Plug & Charge state if it has any (tests). */
export function peekPncState(view: StationView | undefined): PncCsmsState | undefined {
  return view ? STATES.get(view) : undefined;
}

function bump(ctx: HandlerContext, key: string): void {
  const c = ctx.core.counters;
  c.count(c.useCases, key);
}

/**
 * AuthorizeResponse for an idToken presented with ISO 15118 contract data (C07, FLOWS.md §4.1): the contract is
 * checked against the PKI, then mapped exactly as §4.1 says — valid: `Accepted` with the token's own status, or
 * `ContractCancelled` when the token itself is refused; expired: `CertificateExpired` + `Expired`; revoked:
 * `CertificateRevoked` + `Invalid`; unverifiable (unknown chain, bad signature): `CertChainError` /
 * `SignatureError` + `Invalid`. `tokenInfo` is what the token alone would get.
 */
export function authorizeContract(ctx: HandlerContext, p: Payload, tokenInfo: Payload): Payload {
  const emaid = typeof p.idToken?.idToken === 'string' ? p.idToken.idToken : '';
  const cs = pkiOf(ctx.core).contractStatus(emaid, p.iso15118CertificateHashData, p.certificate);
  bump(ctx, p.certificate !== undefined ? 'pnc.authorizeByCertificate' : 'pnc.authorizeByHashData');
  let out: Payload;
  switch (cs) {
    case 'Accepted':
      out = tokenInfo.status === 'Accepted' ? { idTokenInfo: tokenInfo, certificateStatus: 'Accepted' } : { idTokenInfo: tokenInfo, certificateStatus: 'ContractCancelled' };
      // The transaction that follows names the eMAID alone: the token registry must know it now.
      if (tokenInfo.status === 'Accepted' && emaid !== '') ctx.core.vouchFor(emaid);
      break;
    case 'CertificateExpired': out = { idTokenInfo: { status: 'Expired' }, certificateStatus: cs }; break;
    default: out = { idTokenInfo: { status: 'Invalid' }, certificateStatus: cs };
  }
  bump(ctx, `pnc.authorize.${out.certificateStatus as string}`);
  return out;
}

// ------------------------------------------------------------------------------------------- smart charging

/** The EV's maximum power (W) from its charging needs (AC: current × voltage × phases; DC: power or V × A). */
export function evMaxPowerW(needs: Payload): number {
  const ac = needs.acChargingParameters as Payload | undefined;
  const dc = needs.dcChargingParameters as Payload | undefined;
  if (ac) {
    const phases = needs.requestedEnergyTransfer === 'AC_single_phase' ? 1 : needs.requestedEnergyTransfer === 'AC_two_phase' ? 2 : 3;
    return Number(ac.evMaxCurrent) * Number(ac.evMaxVoltage) * phases;
  }
  if (dc) return Number(dc.evMaxPower ?? Number(dc.evMaxCurrent) * Number(dc.evMaxVoltage));
  const v2x = needs.v2xChargingParameters as Payload | undefined;
  return Number(v2x?.maxChargePower ?? 0);
}

/**
 * The TxProfile answering ISO 15118 charging needs: Absolute from now until the departure time (1 h without
 * one), in W, never above the EV's maximum; enough power to deliver `energyAmount` before departure, full power
 * for the first half and half of it after (2 periods when maxScheduleTuples allows).
 */
export function pncProfileRequest(evseId: number, transactionId: string, p: Payload, nowMs: number): Payload {
  const needs = p.chargingNeeds as Payload;
  const start = Math.floor(nowMs / 1000) * 1000;
  const departure = typeof needs.departureTime === 'string' ? Date.parse(needs.departureTime) : NaN;
  const spanS = Number.isFinite(departure) && departure > start + 60_000 ? Math.min(MAX_SPAN_S, Math.floor((departure - start) / 1000)) : DEFAULT_SPAN_S;
  const maxW = Math.max(0, evMaxPowerW(needs)) || 11_000;
  const energyWh = Number((needs.acChargingParameters ?? needs.dcChargingParameters ?? {}).energyAmount ?? 0);
  const neededW = energyWh > 0 ? (energyWh * 3600) / spanS : maxW;
  const limit = Math.round(Math.min(maxW, Math.max(neededW * 1.5, maxW * 0.5)));
  const periods: Payload[] = [{ startPeriod: 0, limit }];
  if ((p.maxScheduleTuples ?? 2) >= 2) periods.push({ startPeriod: Math.floor(spanS / 2), limit: Math.round(limit / 2) });
  return {
    evseId,
    chargingProfile: {
      id: PNC_PROFILE_ID_BASE + evseId, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Absolute', transactionId,
      chargingSchedule: [{ id: 1, startSchedule: isoTime(start), duration: spanS, chargingRateUnit: 'W', chargingSchedulePeriod: periods }],
    },
  };
}

/**
 * NotifyEVChargingNeeds (K15/K17, FLOWS.md §4.5): the V2X handler records the needs and answers ISO 15118-20 V2X
 * needs (v2xChargingParameters, 2.1) with its own profile; every other need (ISO 15118-2 AC/DC parameters, and
 * all of 2.0.1) gets the Plug & Charge TxProfile here, after the response.
 */
function notifyEVChargingNeeds(ctx: HandlerContext, p: Payload): Payload {
  const res = v2xHandlers.NotifyEVChargingNeeds!(ctx, p);
  const needs = p.chargingNeeds as Payload;
  if (!(ctx.version === '2.1' && needs.v2xChargingParameters !== undefined)) {
    bump(ctx, 'pnc.needs');
    queueMicrotask(() => sendProfile(ctx, p, 0));
  }
  return res;
}

function sendProfile(ctx: HandlerContext, p: Payload, attempt: number): void {
  const { core, state } = ctx;
  if (!state.connected) return;
  const tx = state.runningTx(p.evseId);
  if (tx === undefined) {
    // The needs overtook the transaction's first event: wait for it a little.
    if (attempt < TX_WAIT_TRIES) setTimeout(() => sendProfile(ctx, p, attempt + 1), TX_WAIT_MS).unref();
    return;
  }
  pncState(state).profilesSent++;
  bump(ctx, 'pnc.profilesSent');
  void core.send(state.id, 'SetChargingProfile', pncProfileRequest(p.evseId, tx.id, p, core.nowMs())).then((o) => {
    if (o.ok && o.payload.status === 'Accepted') bump(ctx, 'pnc.profilesAccepted');
  });
}

/** NotifyEVChargingSchedule (K16): the schedule the EV chose from our profile; Accepted. */
function notifyEVChargingSchedule(ctx: HandlerContext): Payload {
  pncState(ctx.state).schedules++;
  bump(ctx, 'pnc.schedules');
  return ACCEPTED;
}

/** Registered after the smart-charging and V2X tables (handlers/index.ts), so these answers win. */
export const pncHandlers: HandlerTable = {
  NotifyEVChargingNeeds: notifyEVChargingNeeds,
  NotifyEVChargingSchedule: notifyEVChargingSchedule,
};
