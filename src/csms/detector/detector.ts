import type { Clock } from '../../util/clock.js';
import { RpcError, type RpcErrorCode } from '../../ocpp/errors.js';
import type { CallOutcome, Payload, ProtocolEventKind } from '../../ocpp/session.js';
import type { AuthDecision, WsConnection } from '../../ocpp/transport.js';
import type { CertificateRule } from '../auth.js';
import type { CsmsLog } from '../options.js';
import { AlertHub, Category, type AlertCounters, type AlertEntity, type AlertSink, type Severity } from './alert.js';
import { onAuthorizeCertificates, onEvCertificate, onSignCertificate } from './certs.js';
import { onRefusedTxToken } from './tx-tokens.js';
import type { ActiveToken, Ctx, DetectorActions } from './context.js';
import { POWER_NEUTRAL } from './context.js';
import { bootVerdict, onConnectorStatus, onFirmwareStatus, onSecurityEvent, type BootVerdict } from './device.js';
import { Enforcer, FrameVerdict } from './enforce.js';
import { FleetStats } from './fleet.js';
import type { DetectorThresholds, ResolvedDetectorOptions } from './options.js';
import { observeRate } from './rates.js';
import { JsonlSink, WebhookSink } from './sink.js';
import { RATE_CLASSES, rateClassOf, StationDet } from './station.js';
import { onChargingNeeds } from './needs.js';
import { onAuthorize, onMeterValues, onTransactionEvent } from './tx.js';

/** What the detector needs from the CSMS it runs in. */
export interface DetectorHost {
  clock: Clock;
  log: CsmsLog;
  /** Security profile the CSMS enforces (0-3). */
  securityProfile: number;
  /** Subprotocols the CSMS offers. */
  protocols: readonly string[];
  /** Sends RequestStopTransaction (A11 reaction); called after the current answer went out. */
  stopTransaction(stationId: string, transactionId: string): void;
}

/** Counters for reports and tests (a copy). */
export interface DetectorStats {
  alerts: AlertCounters;
  /** Alerts the sinks dropped (bounded queues; never critical ones). */
  sinkDropped: number;
  actions: DetectorActions;
  stations: number;
  ips: number;
  activeTokens: number;
  fleetPowerW: number;
  drainsIgnored: number;
}

/** Codes we answer for frames that are not valid OCPP CALLs (protocol events cover the schema violations). */
const INVALID_CODES = new Set<string>(['NotImplemented', 'NotSupported', 'MessageTypeNotSupported']);
const INVALID_EVENTS = new Set<ProtocolEventKind>(['garbage-in', 'ignored-type', 'invalid-call-in', 'unexpected-result']);
const SECURITY_CONFIG = new Set(['SecurityCtrlr', 'CertificateSigned', 'InstallCertificate', 'DeleteCertificate', 'SetNetworkProfile']);

/**
 * The embedded CSMS's real-time anomaly detector (ATTACKS.md §5, docs/csms-detector.md): L0 enforcement, L1
 * protocol and physics invariants, L2 streaming statistics, then correlation/dedup into the alert sinks. It sees
 * only the wire: upgrade requests, frames, the CALLs with the answers the handlers gave, and the commands the
 * CSMS sent. Event time is the CSMS clock at frame receipt; state per station is fixed-size.
 */
export class Detector implements Ctx {
  readonly t: Readonly<DetectorThresholds>;
  readonly o: ResolvedDetectorOptions;
  readonly hub: AlertHub;
  readonly fleet: FleetStats;
  readonly tokens = new Map<string, ActiveToken>();
  readonly tokenEnded = new Map<string, { readonly sd: StationDet; readonly ms: number }>();
  readonly fleetRates = new Float64Array(RATE_CLASSES);
  readonly actions: DetectorActions = {
    closed1008: 0, closed1009: 0, framesDropped: 0, upgrades429: 0, duplicatesRejected: 0, halfOpenDropped: 0, bootsRejected: 0,
    bootsQuarantined: 0, concurrentTx: 0, invalidatedTx: 0, stopsRequested: 0, billingHolds: 0, csrRejected: 0, certificatesRefused: 0,
    internalErrors: 0,
  };
  private readonly host: DetectorHost;
  private readonly stations = new Map<string, StationDet>();
  private readonly enforcer: Enforcer;
  private readonly startMs: number;
  /** The station whose frame is being processed (session observer events carry no connection). */
  private current: StationDet | null = null;
  private currentMs = 0;
  private currentVerdict: FrameVerdict = FrameVerdict.Ok;
  private lastPruneMs = 0;
  private reportedError = false;

  constructor(o: ResolvedDetectorOptions, host: DetectorHost, sinks?: readonly AlertSink[]) {
    this.o = o;
    this.t = o.t;
    this.host = host;
    const now = host.clock.nowMs();
    this.startMs = now;
    const onError = (m: string): void => host.log('warn', m);
    const list: AlertSink[] = sinks ? [...sinks] : [];
    if (!sinks && o.alertsFile !== undefined) list.push(new JsonlSink(o.alertsFile, o.t.queueCap, onError));
    if (!sinks && o.alertsWebhook !== undefined) {
      list.push(new WebhookSink({
        url: o.alertsWebhook, cap: o.t.queueCap, batch: o.t.webhookBatch, flushMs: o.t.webhookFlushMs, timeoutMs: o.t.webhookTimeoutMs,
        seed: o.seed, now: () => host.clock.nowMs(), onError,
      }));
    }
    this.hub = new AlertHub(o.instance, o.cooldownMs, o.t.alertRate, o.t.alertBurst, now, list, o.onAlert);
    this.fleet = new FleetStats(o.t, (...a) => this.alert(...a), (ms) => this.warm(ms));
    this.enforcer = new Enforcer(this);
  }

  // -------------------------------------------------------------------------------------------------- Ctx

  warm(nowMs: number): boolean { return nowMs - this.startMs >= this.t.warmupMs; }

  alert(nowMs: number, category: Category, severity: Severity, entity: AlertEntity, evidence: Record<string, unknown>, score?: number): void {
    const a = this.hub.raise(nowMs, category, severity, entity, evidence, score);
    if (a !== null) {
      const who = entity === 'fleet' ? 'fleet' : entity.stationId ?? entity.ip ?? entity.idToken ?? '?';
      this.host.log('info', `alert ${a.alertId} ${category} (${severity}) ${who}: ${String(evidence.rule)}`);
    }
  }

  stopTx(stationId: string, transactionId: string): void {
    setImmediate(() => this.host.stopTransaction(stationId, transactionId));
  }

  // ------------------------------------------------------------------------------------------ connections

  /** WebSocket upgrade request; may turn an accept into 429 (upgrade flood) and raises L0 alerts. */
  upgrade(identity: string, ip: string, authorization: string | undefined, offered: string | undefined, decision: AuthDecision): AuthDecision {
    const now = this.host.clock.nowMs();
    let sd = this.stations.get(identity);
    const d = this.enforcer.upgrade(sd, identity, ip, authorization, offered, decision, this.host.securityProfile, this.host.protocols, now);
    if (d === 'accept' && sd === undefined) {
      // Created only for identities that authenticated: random identities of an enumeration never get state.
      sd = this.station(identity, now);
      sd.basic = authorization !== undefined;
      sd.upgrades.take(now);
    }
    return d;
  }

  /** A TLS handshake refused before any upgrade request (profiles 2/3): downgrade and certificate alerts. */
  tlsRefused(ip: string, refusal: string): void {
    this.enforcer.tlsRefused(ip, refusal, this.host.securityProfile, this.host.clock.nowMs());
  }

  /** Profile 3: a client certificate refused at the upgrade (missing, not verified, CN ≠ serial number, wrong O). */
  certificateRefused(identity: string, ip: string, rule: CertificateRule, evidence: Record<string, unknown>): void {
    this.enforcer.certificateRefused(identity, ip, rule, evidence, this.host.clock.nowMs());
  }

  /** A connection was accepted; returns the station's detector state for the link to keep. */
  open(identity: string, ip: string): StationDet {
    const now = this.host.clock.nowMs();
    const sd = this.station(identity, now);
    sd.ip = ip;
    sd.ipState = ip ? this.enforcer.ip(ip, now) : null;
    sd.connected = true;
    sd.closing = false;
    sd.lastFrameMs = now;
    return sd;
  }

  /**
   * A second connection for an identity that is connected (A03). Policy: the newcomer is refused (the caller
   * closes it with 1008) and the old connection is pinged; if it answers, the identity is live elsewhere and we
   * alert; if not within `duplicateProbeMs`, it was half-open and is dropped, so the real station gets in on
   * its next retry. Never both.
   */
  duplicate(identity: string, ip: string, old: WsConnection): void {
    const now = this.host.clock.nowMs();
    const sd = this.station(identity, now);
    this.actions.duplicatesRejected++;
    if (sd.probing) return;
    sd.probing = true;
    const oldIp = sd.ip;
    const ws = old.ws;
    let settled = false;
    const done = (alive: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.off('pong', onPong);
      sd.probing = false;
      if (alive) {
        this.alert(this.host.clock.nowMs(), Category.impersonation, 'high', { stationId: identity, ip }, { rule: 'L0.duplicate-connection', liveIp: oldIp, newIp: ip, policy: 'reject-newcomer' });
      } else {
        this.actions.halfOpenDropped++;
        old.terminate();
      }
    };
    const onPong = (): void => done(true);
    const timer = setTimeout(() => done(false), this.t.duplicateProbeMs);
    ws.once('pong', onPong);
    try { ws.ping(); } catch { done(false); }
  }

  /** The connection closed; `tooBig` when ws refused an oversized frame (maxPayload). */
  closed(sd: StationDet, tooBig: boolean): void {
    sd.connected = false;
    if (tooBig) this.enforcer.oversized(sd, this.host.clock.nowMs());
  }

  // --------------------------------------------------------------------------------------------- frames

  /** Before the session parses a frame (received at `now`): size limit and buckets. Starts the attribution of session events. */
  frame(sd: StationDet, length: number, now = this.host.clock.nowMs()): FrameVerdict {
    // Frames still buffered after we decided to close are dropped without counting them again.
    if (sd.closing) return FrameVerdict.Drop;
    sd.lastFrameMs = now;
    const ip = sd.ipState;
    if (ip !== null) ip.lastMs = now;
    const v = this.enforcer.frame(sd, ip, length, now);
    if (v === FrameVerdict.Close1008 || v === FrameVerdict.Close1009) sd.closing = true;
    if (v !== FrameVerdict.Ok) return v;
    this.current = sd;
    this.currentMs = now;
    this.currentVerdict = FrameVerdict.Ok;
    return v;
  }

  /** After the session handled the frame: what the invalid-frame rule decided meanwhile. */
  frameDone(): FrameVerdict {
    const sd = this.current;
    this.current = null;
    const v = this.currentVerdict;
    this.currentVerdict = FrameVerdict.Ok;
    if (v !== FrameVerdict.Ok && sd !== null) sd.closing = true;
    return v;
  }

  /** Session observer: protocol events of the current frame (A04). */
  protocolEvent(kind: ProtocolEventKind): void {
    const sd = this.current;
    if (sd === null || !INVALID_EVENTS.has(kind)) return;
    const v = this.enforcer.invalid(sd, kind, this.currentMs);
    if (v !== FrameVerdict.Ok) this.currentVerdict = v;
  }

  /** Session observer: a CALL of the current frame was answered, `code` = CALLERROR code or null. */
  answered(action: string, code: RpcErrorCode | null): void {
    const sd = this.current;
    if (sd === null || code === null) return;
    const now = this.currentMs;
    observeRate(this, sd, rateClassOf(action), now, 1);
    if (code === 'SecurityError') this.enforcer.stateAbuse(sd, action, now);
    else if (INVALID_CODES.has(code)) {
      const v = this.enforcer.invalid(sd, code, now);
      if (v !== FrameVerdict.Ok) this.currentVerdict = v;
    }
  }

  /**
   * A CALL the handlers answered with `answer`: the L1/L2 rules for its action. Returns the answer to send —
   * the same object unless a policy amends it (ConcurrentTx, Invalid for a forged remote start, certificate
   * refusals, InvalidCSR). Never throws: an internal error leaves the answer as it was.
   */
  call(sd: StationDet, action: string, p: Payload, answer: Payload | RpcError): Payload | RpcError {
    const now = this.current === sd ? this.currentMs : this.host.clock.nowMs();
    try {
      let weight = 1;
      if (action === 'TransactionEvent' && p.offline === true) {
        // An offline backlog flush (F03) is many events at once by design: it costs the buckets little.
        const back = 1 - this.t.offlineCost;
        sd.msgBucket.refund(back);
        sd.ipState?.msgBucket.refund(back);
        weight = 0;
      }
      if (now - sd.lastCommandMs >= this.t.commandedMs) observeRate(this, sd, rateClassOf(action), now, weight);
      if (answer instanceof RpcError) return answer;
      switch (action) {
        case 'TransactionEvent': {
          onRefusedTxToken(this, sd, p, answer, now);
          return onTransactionEvent(this, sd, p, answer, now);
        }
        case 'MeterValues': onMeterValues(this, sd, p, now); return answer;
        case 'Authorize': {
          const a = onAuthorize(this, sd, p, answer, now);
          return p.certificate !== undefined || p.iso15118CertificateHashData !== undefined ? onAuthorizeCertificates(this, sd, p, a, now) : a;
        }
        case 'StatusNotification': onConnectorStatus(this, sd, p.evseId, p.connectorStatus, now); return answer;
        case 'NotifyEvent': this.notifyEvent(sd, p, now); return answer;
        case 'FirmwareStatusNotification': onFirmwareStatus(this, sd, p, now); return answer;
        case 'SecurityEventNotification': onSecurityEvent(this, sd, p, now); return answer;
        case 'SignCertificate': return onSignCertificate(this, sd, p, answer, now);
        case 'Get15118EVCertificate': onEvCertificate(this, sd, answer, now); return answer;
        case 'NotifyEVChargingNeeds': onChargingNeeds(this, sd, p, now); return answer;
        default: return answer;
      }
    } catch (err) {
      this.internalError(err);
      return answer;
    }
  }

  /** A SEND (type 6): counted in the rates. */
  send(sd: StationDet, action: string): void {
    const now = this.current === sd ? this.currentMs : this.host.clock.nowMs();
    observeRate(this, sd, rateClassOf(action), now, 1);
  }

  private notifyEvent(sd: StationDet, p: Payload, now: number): void {
    const data = p.eventData;
    if (!Array.isArray(data)) return;
    for (const e of data as Payload[]) {
      if (e?.component?.name === 'Connector' && e?.variable?.name === 'AvailabilityState') onConnectorStatus(this, sd, e.component.evse?.id, e.actualValue, now);
    }
  }

  /** BootNotification, asked by its handler before answering (A03 fingerprint, A13 firmware policy). */
  bootVerdict(stationId: string, p: Payload): BootVerdict {
    const sd = this.stations.get(stationId);
    if (sd === undefined) return undefined;
    try {
      return bootVerdict(this, sd, p, this.current === sd ? this.currentMs : this.host.clock.nowMs());
    } catch (err) {
      this.internalError(err);
      return undefined;
    }
  }

  // ------------------------------------------------------------------------------------------- commands

  /** A CSMS→station CALL is going out: what we issued is what the station's messages are checked against. */
  commandSent(stationId: string, action: string, p: Payload): void {
    const sd = this.stations.get(stationId);
    if (sd === undefined) return;
    const now = this.host.clock.nowMs();
    sd.lastCommandMs = now;
    if (!POWER_NEUTRAL.has(action)) sd.lastPowerCommandMs = now;
    switch (action) {
      case 'RequestStartTransaction':
        if (typeof p.remoteStartId === 'number') sd.recordRemoteStart(p.remoteStartId);
        return;
      case 'UpdateFirmware':
        // A station busy installing rejects a second request and goes on reporting the first one's requestId.
        sd.fwPrevRequestId = sd.fwRequestId;
        sd.fwRequestId = typeof p.requestId === 'number' ? p.requestId : NaN;
        sd.fwIssuedMs = now;
        // Installed without SignatureVerified only matters when we sent a signature to verify.
        sd.fwSignatureVerified = typeof p.firmware?.signature !== 'string';
        return;
      case 'Reset':
        sd.resetMs = now;
        return;
      case 'SetVariables':
        if (Array.isArray(p.setVariableData) && (p.setVariableData as Payload[]).some((d) => SECURITY_CONFIG.has(d?.component?.name))) sd.securityConfigMs = now;
        return;
      case 'CertificateSigned': case 'InstallCertificate': case 'DeleteCertificate': case 'SetNetworkProfile':
        sd.securityConfigMs = now;
    }
  }

  /** The outcome of a command whose effect depends on the station accepting it (charging profiles, A12a). */
  commandDone(stationId: string, action: string, p: Payload, outcome: CallOutcome): void {
    const sd = this.stations.get(stationId);
    if (sd === undefined || !outcome.ok || outcome.payload.status !== 'Accepted') return;
    const now = this.host.clock.nowMs();
    if (action === 'ClearChargingProfile') { sd.profileLimitW = NaN; sd.profileTxId = null; return; }
    if (action !== 'SetChargingProfile') return;
    const prof = p.chargingProfile as Payload | undefined;
    const sched = Array.isArray(prof?.chargingSchedule) ? (prof!.chargingSchedule as Payload[])[0] : undefined;
    const period = Array.isArray(sched?.chargingSchedulePeriod) ? (sched!.chargingSchedulePeriod as Payload[])[0] : undefined;
    const limit = period?.limit;
    if (typeof limit !== 'number') return;
    // A limit in A is per phase: taken as three phases at 230 V (the AC fleet's wiring).
    sd.profileLimitW = sched!.chargingRateUnit === 'A' ? limit * 230 * (typeof period!.numberPhases === 'number' ? period!.numberPhases : 3) : limit;
    sd.profileSetMs = now;
    sd.profileTxId = typeof prof!.transactionId === 'string' ? prof!.transactionId : null;
  }

  // ---------------------------------------------------------------------------------------------- upkeep

  tick(nowMs: number): void {
    this.hub.tick(nowMs);
    this.fleet.tick(nowMs);
    if (nowMs - this.lastPruneMs < 10_000) return;
    this.lastPruneMs = nowMs;
    this.enforcer.prune(nowMs);
    for (const [k, v] of this.tokens) if (v.tx.ended || nowMs - v.sd.lastFrameMs > this.t.tokenActiveMs) this.tokens.delete(k);
  }

  stats(): DetectorStats {
    const c = this.hub.counters;
    return {
      alerts: { ...c, byCategory: { ...c.byCategory } },
      sinkDropped: this.hub.dropped,
      actions: { ...this.actions },
      stations: this.stations.size,
      ips: this.enforcer.trackedIps,
      activeTokens: this.tokens.size,
      fleetPowerW: Math.round(this.fleet.aggW),
      drainsIgnored: this.fleet.drainsIgnored,
    };
  }

  /** Flushes the sinks (bounded wait). */
  close(): Promise<void> { return this.hub.close(); }

  /** Detector state of an identity (tests, reports). */
  stationState(id: string): StationDet | undefined { return this.stations.get(id); }

  private station(id: string, now: number): StationDet {
    let sd = this.stations.get(id);
    if (sd === undefined) { sd = new StationDet(id, this.t, now); this.stations.set(id, sd); }
    return sd;
  }

  private internalError(err: unknown): void {
    this.actions.internalErrors++;
    if (this.reportedError) return;
    this.reportedError = true;
    this.host.log('warn', `detector internal error (further ones only counted): ${(err as Error)?.stack ?? String(err)}`);
  }
}
