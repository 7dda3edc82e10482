/**
 * The `plug-and-charge` behaviour (FLOWS.md §4): ISO 15118-2 and -20 EVs with contracts instead of RFID cards.
 * Per session: plug-in → the contract installed through the CSMS on the EV's first visit (Get15118EVCertificate)
 * → Authorize with the eMAID and the contract's hash data (or its PEM chain when
 * ISO15118Ctrlr.CentralContractValidationAllowed) → NotifyEVChargingNeeds → the CSMS's TxProfile (expected
 * within 60 s) → NotifyEVChargingSchedule → charging as usual. Per station (pnc-station.ts): its SECC
 * certificate at boot and on TriggerMessage, the CA store, OCSP. The ISO 15118 EV↔station exchange itself is
 * not simulated (exiRequest/exiResponse are pseudo-EXI, ocpp/pki/exi.ts); the certificates, hashes, CSRs and
 * OCSP responses are real. Against a 2.0.1 CSMS the 2.1-only parts are skipped and counted (usecase_skipped_201).
 */
import { isoTime } from '../../util/clock.js';
import type { TimelineTarget } from '../../util/timeline.js';
import type { Payload } from '../../ocpp/session.js';
import type { EvseModel } from '../../scenario/spec.js';
import type { IdToken } from '../draw.js';
import type { Evse } from '../evse.js';
import { EvsePhysics, type EvParams } from '../physics.js';
import type { Station } from '../station.js';
import type { EvseHooks, StationCallHandler, UseCase } from './index.js';
import { evccidOf } from './pnc-contracts.js';
import { pncStation, type SignUse } from './pnc-station.js';

/** How long the EV waits for the CSMS's TxProfile after its charging needs (FLOWS.md §4.5). */
const PROFILE_WAIT_MS = 60_000;
const T_PROFILE = 1;

/** AuthorizeResponse.certificateStatus → the station's counter. */
const AUTH_COUNTERS: Readonly<Record<string, string>> = {
  Accepted: 'pnc_authorize_accepted',
  CertificateRevoked: 'pnc_authorize_revoked',
  CertificateExpired: 'pnc_authorize_expired',
  CertChainError: 'pnc_authorize_cert_chain_error',
  SignatureError: 'pnc_authorize_signature_error',
  ContractCancelled: 'pnc_authorize_contract_cancelled',
  NoCertificateAvailable: 'pnc_authorize_no_certificate',
};

/** EvsePhysics that lets the EV state its charging needs (the car's own parameters). */
class PncPhysics extends EvsePhysics {
  get car(): Readonly<EvParams> | null { return this.ev; }
}

/** An idToken with the ISO 15118-20 EVCCID (FLOWS.md §4.1). */
type PncToken = IdToken & { additionalInfo?: { additionalIdToken: string; type: string }[] };

/** Per-EVSE hooks: the EV of the current session and its ISO 15118 exchange with the CSMS. */
class PncEvse implements EvseHooks, TimelineTarget {
  private readonly evse: Evse;
  private slot = 0;
  private iso20 = false;
  private stayMs = 0;
  private awaitingProfile = false;
  private profileTimer = -1;

  constructor(evse: Evse) { this.evse = evse; }

  private get st(): Station { return this.evse.station; }
  private count(name: string): void { this.st.ctx.sink.count(name); }

  createPhysics(model: EvseModel, registerWh: number): EvsePhysics { return new PncPhysics(model, registerWh); }

  onOnline(): void {
    if (this.evse.id === 1) pncStation(this.st).ensureV2gCertificate();
  }

  /** The EV that arrives: one of the station's regular contracts, speaking ISO 15118-2 or -20. */
  onPlugIn(stayMs: number): void {
    const pnc = this.st.plan.group.pnc;
    const r = this.evse.rng;
    this.slot = r.int(0, (pnc?.contracts ?? 1) - 1);
    this.iso20 = r.next() < (pnc?.iso20Ratio ?? 0);
    this.stayMs = stayMs;
  }

  /** Contract authorisation (C07, FLOWS.md §4.1): the accepted eMAID token, or null (the driver leaves). */
  async authorize(): Promise<IdToken | null> {
    const st = this.st;
    if (!st.online) { this.count('pnc_authorize_offline'); return null; }
    const v21 = st.version === '2.1';
    // ISO 15118-20 (EVCCID, -20 certificate install and needs) is 2.1: such an EV falls back to -2 on 2.0.1.
    if (this.iso20 && !v21) this.count('usecase_skipped_201');
    const iso20 = this.iso20 && v21;
    const ps = pncStation(st);
    const c = await ps.contract(this.slot, iso20);
    if (!c || !st.online) return null;
    const token: PncToken = { idToken: c.emaid, type: 'eMAID' };
    if (iso20) token.additionalInfo = [{ additionalIdToken: evccidOf(st.ctx.spec.seed, c.emaid), type: 'EVCCID' }];
    // The PEM chain only when the station may not and cannot verify it itself (no MO root installed).
    const central = ps.centralValidation && !c.verifiedLocally && c.pem !== undefined;
    const req: Payload = central ? { idToken: token, certificate: c.pem } : { idToken: token, iso15118CertificateHashData: c.hashData };
    this.count(central ? 'pnc_authorize_certificate' : 'pnc_authorize_hash_data');
    const out = await st.call('Authorize', req);
    if (!out.ok) { this.count('pnc_authorize_failed'); return null; }
    const cs = out.payload.certificateStatus as string | undefined;
    this.count(cs === undefined ? 'pnc_authorize_no_certificate_status' : AUTH_COUNTERS[cs] ?? 'pnc_authorize_no_certificate_status');
    return out.payload.idTokenInfo?.status === 'Accepted' && (cs === undefined || cs === 'Accepted') ? token : null;
  }

  onAuthorized(): void { void this.sendNeeds(); }

  onEnded(): void {
    this.awaitingProfile = false;
    this.st.ctx.timeline.cancel(this.profileTimer);
  }

  onTimer(kind: number): void {
    if (kind === T_PROFILE && this.awaitingProfile) {
      this.awaitingProfile = false;
      this.count('pnc_profile_missing');
    }
  }

  /** NotifyEVChargingNeeds (K15, FLOWS.md §4.5) from the EV's own parameters and the driver's departure. */
  private async sendNeeds(): Promise<void> {
    const e = this.evse;
    const st = this.st;
    const ph = e.physics as PncPhysics;
    const car = ph.car;
    const tx = e.tx;
    if (!car || !tx || !st.online) return;
    const v21 = st.version === '2.1';
    const ac = e.model.current === 'AC';
    const phases = ac ? e.model.phases : 0;
    const soc = ph.socPct ?? 50;
    const toFullWh = Math.max(0, car.batteryWh * (1 - soc / 100));
    const wantWh = Math.round(Math.min(toFullWh, Number.isFinite(car.targetEnergyWh) ? car.targetEnergyWh - ph.sessionEnergyWh : toFullWh));
    const maxW = Math.round(Math.min(car.carMaxPowerW, e.model.maxPowerW));
    const needs: Payload = {
      requestedEnergyTransfer: ac ? (phases === 1 ? 'AC_single_phase' : 'AC_three_phase') : 'DC',
      departureTime: isoTime(st.nowMs() + Math.max(60_000, this.stayMs - (st.nowMs() - tx.startedMs))),
    };
    if (this.iso20 && v21) {
      needs.v2xChargingParameters = { maxChargePower: maxW, minChargePower: ac ? Math.round(6 * e.model.voltageV * phases) : 2000, evTargetEnergyRequest: wantWh, evMinEnergyRequest: 0, evMaxEnergyRequest: Math.round(toFullWh) };
      needs.controlMode = 'ScheduledControl';
      needs.mobilityNeedsMode = 'EVCC';
    } else if (ac) {
      // Integers: 2.0.1's ACChargingParametersType has integer fields.
      needs.acChargingParameters = { energyAmount: wantWh, evMinCurrent: 6, evMaxCurrent: Math.max(6, Math.round(Math.min(32, maxW / (e.model.voltageV * phases)))), evMaxVoltage: Math.round(e.model.voltageV) };
    } else {
      const volts = car.carMaxPowerW > 150_000 ? 900 : 450;
      needs.dcChargingParameters = {
        evMaxCurrent: Math.round(maxW / (volts * 0.9)), evMaxVoltage: volts, evMaxPower: maxW, evEnergyCapacity: Math.round(car.batteryWh),
        energyAmount: wantWh, stateOfCharge: Math.round(Math.min(100, soc)), fullSoC: 100, bulkSoC: 80,
      };
    }
    const req: Payload = { evseId: e.id, maxScheduleTuples: 24, chargingNeeds: needs };
    if (v21) req.timestamp = st.now();
    this.awaitingProfile = true;
    this.st.ctx.timeline.cancel(this.profileTimer);
    this.profileTimer = st.ctx.timeline.after(PROFILE_WAIT_MS, this, T_PROFILE);
    const out = await st.call('NotifyEVChargingNeeds', req);
    const status = out.ok ? out.payload.status : undefined;
    if (status === 'Accepted' || status === 'Processing') { this.count('pnc_needs_accepted'); return; }
    this.count('pnc_needs_refused');
    this.onEnded();
  }

  /** A TxProfile for our transaction was installed: the EV takes it and reports its schedule (K16). */
  async onTxProfile(profile: Payload): Promise<void> {
    const tx = this.evse.tx;
    if (!this.awaitingProfile || !tx || profile.transactionId !== tx.id) return;
    this.onEnded();
    this.count('pnc_profiles_received');
    const st = this.st;
    const s = (profile.chargingSchedule as Payload[])[0]!;
    const periods = (s.chargingSchedulePeriod as Payload[]).slice(0, 1024).map((p) => {
      const q: Payload = { startPeriod: p.startPeriod, limit: p.limit ?? p.setpoint ?? 0 };
      if (p.numberPhases !== undefined) q.numberPhases = p.numberPhases;
      return q;
    });
    const schedule: Payload = { id: s.id, chargingRateUnit: s.chargingRateUnit, chargingSchedulePeriod: periods };
    if (s.startSchedule !== undefined) schedule.startSchedule = s.startSchedule;
    if (s.duration !== undefined) schedule.duration = s.duration;
    const req: Payload = { timeBase: s.startSchedule ?? st.now(), evseId: this.evse.id, chargingSchedule: schedule };
    if (st.version === '2.1') req.selectedChargingScheduleId = s.id;
    const out = await st.call('NotifyEVChargingSchedule', req);
    this.count(out.ok && out.payload.status === 'Accepted' ? 'pnc_schedules_accepted' : 'pnc_schedules_refused');
  }
}

/** SetChargingProfile as on any station (K01); a TxProfile for an EV waiting for one also goes to that EV. */
function setChargingProfile(st: Station, p: Payload): Payload {
  const res = st.profiles.install(p.evseId, p.chargingProfile);
  if (res.status === 'Accepted') {
    queueMicrotask(() => {
      for (const e of st.evses) if (p.evseId === 0 || e.id === p.evseId) e.onLimitChanged();
      const h = st.evses[p.evseId - 1]?.hooks;
      if (p.chargingProfile.chargingProfilePurpose === 'TxProfile' && h instanceof PncEvse) void h.onTxProfile(p.chargingProfile);
    });
  }
  return res as unknown as Payload;
}

const HANDLERS: Readonly<Record<string, StationCallHandler>> = {
  SetChargingProfile: setChargingProfile,
  CertificateSigned: (st, p) => pncStation(st).certificateSigned(p),
  InstallCertificate: (st, p) => pncStation(st).installCertificate(p),
  GetInstalledCertificateIds: (st, p) => pncStation(st).installedCertificateIds(p),
  DeleteCertificate: (st, p) => pncStation(st).deleteCertificate(p),
};

function sign(use: SignUse): StationCallHandler {
  return (st) => {
    queueMicrotask(() => void pncStation(st).requestCertificate(use));
    return { status: 'Accepted' };
  };
}

/** The `plug-and-charge` behaviour (registered in usecases/index.ts). */
export const PNC_USE_CASE: UseCase = {
  sessions: true,
  evse: (e) => new PncEvse(e),
  handlers: HANDLERS,
  triggers: {
    SignChargingStationCertificate: sign('ChargingStationCertificate'),
    SignV2GCertificate: sign('V2GCertificate'),
    SignV2G20Certificate: sign('V2G20Certificate'),
    SignCombinedCertificate: sign(undefined),
  },
};
