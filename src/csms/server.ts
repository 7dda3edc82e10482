import { ExitCode, ToolError } from '../util/errors.js';
import { idMatcher } from '../util/glob.js';
import type { RpcErrorCode } from '../ocpp/errors.js';
import type { CallOutcome, Payload, ProtocolEventKind, SessionObserver, SessionOptions } from '../ocpp/session.js';
import { validatorFor, versionOf, type OcppVersion } from '../ocpp/schemas.js';
import { peerCertificate, startOcppServer, type AuthDecision, type ConnectionEvents, type OcppServer, type TlsServerOptions, type WsConnection } from '../ocpp/transport.js';
import { tlsRefusalOf } from '../ocpp/tls.js';
import { authDecision, certificateDecision } from './auth.js';
import type { TlsPki } from './pki/tls.js';
import { COMMAND_BUILDERS, followUpOf, type CommandContext } from './commands.js';
import { StationLink, type LinkOwner } from './link.js';
import { resolveOptions, type CsmsOptions, type ResolvedCsmsOptions } from './options.js';
import { CommandSchedule, selectStations, type Firing } from './schedule.js';
import { StationState, type StationView, type TxState } from './state.js';
import { StatsCounters, type CsmsStats } from './stats.js';
import type { IncomingMessage } from 'node:http';
import { Detector, type DetectorStats } from './detector/detector.js';

/** The embedded reference CSMS, running. */
export interface Csms {
  /** ws://host:port (wss:// under profiles 2/3) — stations connect to `${url}/ocpp/<identity>` (any path prefix works). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Profiles 2/3 without certificate files: the generated TLS test PKI (its CA is what stations must trust). */
  readonly tlsPki: TlsPki | null;
  /** Stops the tick, drops every connection and closes the listener. */
  close(): Promise<void>;
  /** Counters since start (a copy). */
  stats(): CsmsStats;
  /** What the CSMS knows about a station (also after it disconnected), or undefined if it never connected. */
  station(id: string): StationView | undefined;
  /** Identities with an open connection now. */
  connectedIds(): string[];
  /**
   * Sends a CSMS→station CALL to a connected station and resolves with its outcome (never rejects); counted
   * in `stats().commands` like scheduled commands. A station not connected gives `disconnected`.
   */
  send(id: string, action: string, payload: Payload): Promise<CallOutcome>;
  /** Starts the scenario's command schedule; `at` counts from `runStartMs` (default: now). */
  startSchedule(runStartMs?: number): void;
  /** Runs one tick now (schedule and liveness); the CSMS also ticks by itself every `tickMs`. */
  tick(): void;
  /** The anomaly detector's counters, or null when it is off (docs/csms-detector.md). */
  detectorStats(): DetectorStats | null;
}

const DISCONNECTED: CallOutcome = Object.freeze({ ok: false, kind: 'disconnected' });
/** Events of a connection the detector refused at once (duplicate identity): nothing to do. */
const REFUSED: ConnectionEvents = Object.freeze({ onText() {}, onClose() {} });
/** Commands whose outcome the detector needs (the profile limit applies only once the station accepted it). */
const DETECTOR_OUTCOMES = new Set(['SetChargingProfile', 'ClearChargingProfile']);
const LIVENESS_EVERY_MS = 1000;

/** Starts the embedded CSMS on `host:port` (port 0 = ephemeral). */
export async function startCsms(options: CsmsOptions = {}): Promise<Csms> {
  const csms = new EmbeddedCsms(resolveOptions(options));
  await csms.listen();
  return csms;
}

class EmbeddedCsms implements Csms, LinkOwner, SessionObserver {
  readonly opts: ResolvedCsmsOptions;
  readonly counters = new StatsCounters();
  readonly blocked: ReadonlySet<string>;
  readonly tokensInUse = new Map<string, { readonly state: StationState; readonly tx: TxState }>();
  readonly detector: Detector | null;
  private readonly stations = new Map<string, StationState>();
  private readonly links = new Map<string, StationLink>();
  private readonly sessionOpts = new Map<OcppVersion, SessionOptions>();
  private readonly schedule: CommandSchedule;
  private server: OcppServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private nextRequestId = 1;
  /** requestId / remoteStartId source of the command builders; unique per CSMS. */
  private readonly nextId = (): number => this.nextRequestId++;
  private lastLivenessMs = 0;
  /** Tokens the CSMS vouched for itself, lower-cased (only kept when there is a token registry). */
  private readonly vouched = new Set<string>();

  constructor(opts: ResolvedCsmsOptions) {
    this.opts = opts;
    this.blocked = new Set(opts.spec.blockedTokens.map((t) => t.toLowerCase()));
    this.schedule = new CommandSchedule(opts.spec.commands);
    this.detector = opts.detector === null ? null : new Detector(opts.detector, {
      clock: opts.clock, log: opts.log, securityProfile: opts.security.profile, protocols: opts.protocols,
      stopTransaction: (id, transactionId) => { void this.send(id, 'RequestStopTransaction', { transactionId }); },
    });
  }

  get url(): string { return this.server!.url; }
  get port(): number { return this.server!.port; }
  get host(): string { return this.server!.host; }
  get tlsPki(): TlsPki | null { return this.opts.tls?.pki ?? null; }

  async listen(): Promise<void> {
    const o = this.opts;
    try {
      this.server = await startOcppServer({
        host: o.host,
        port: o.port,
        protocols: o.protocols,
        authenticate: (identity, authorization, req) => this.authenticate(identity, authorization, req),
        onConnection: (conn, identity, req) => this.onConnection(conn, identity, req),
        ...(o.tls !== null ? { tls: this.tlsOptions() } : {}),
        // Detector L0: ws refuses frames of maxFrameBytes or more itself (close 1009) before buffering them.
        ...(o.detector !== null ? { maxPayload: o.detector.t.maxFrameBytes - 1 } : {}),
      });
    } catch (err) {
      throw new ToolError('E_CSMS_LISTEN', `CSMS cannot listen on ${o.host}:${o.port}: ${(err as Error).message}`, ExitCode.runtimeError);
    }
    this.timer = setInterval(() => this.tick(), o.tickMs);
    this.timer.unref();
    o.log('info', `CSMS listening on ${this.server.url} (${o.protocols.join(', ')}, security profile ${o.security.profile})`);
  }

  /** wss:// (profiles 2/3); profile 3 asks for a client certificate chained to the client CA (mutual TLS). */
  private tlsOptions(): TlsServerOptions {
    const t = this.opts.tls!;
    const mutual = this.opts.security.profile === 3;
    return {
      cert: t.cert, key: t.key, ...(mutual ? { ca: t.clientCa, requestCert: true } : {}),
      onTlsError: (err, socket) => {
        const refusal = tlsRefusalOf(err);
        const ip = ipOfAddress(socket.remoteAddress);
        this.counters.count(this.counters.handshakesRefused, `tls:${refusal}`);
        this.opts.log('info', `TLS handshake from ${ip || '?'} refused (${refusal}): ${err.code ?? err.message}`);
        if (refusal !== 'handshake') this.detector?.tlsRefused(ip, refusal);
      },
    };
  }

  async close(): Promise<void> {
    if (this.timer !== null) { clearInterval(this.timer); this.timer = null; }
    if (this.closed || this.server === null) return;
    this.closed = true;
    await this.server.close();
    await this.detector?.close();
  }

  nowMs(): number { return this.opts.clock.nowMs(); }

  sessionOptions(version: OcppVersion): SessionOptions {
    let so = this.sessionOpts.get(version);
    if (so === undefined) {
      const o = this.opts;
      so = { version, validator: validatorFor(version), validation: o.validation, callTimeoutMs: o.callTimeoutMs, ids: o.ids, clock: o.clock, observer: this };
      this.sessionOpts.set(version, so);
    }
    return so;
  }

  // ------------------------------------------------------------------------------------------- connections

  private authenticate(identity: string, authorization: string | undefined, req: IncomingMessage): AuthDecision {
    const security = this.opts.security;
    let d = authDecision(identity, authorization, security, this.opts.knownStations);
    if (d === 'accept' && security.profile === 3) {
      const peer = peerCertificate(req);
      const v = certificateDecision(peer, security, this.stations.get(identity)?.serialNumber);
      if (!v.ok) {
        d = 403;
        this.counters.count(this.counters.handshakesRefused, v.rule.slice(3));
        this.opts.log('warn', `${identity}: ${v.detail}`);
        this.detector?.certificateRefused(identity, ipOf(req), v.rule, { detail: v.detail, ...(peer?.error ? { verifyError: peer.error } : {}) });
      }
    }
    if (this.detector !== null) {
      d = this.detector.upgrade(identity, ipOf(req), authorization, req.headers['sec-websocket-protocol'], d);
    }
    if (d !== 'accept') {
      this.counters.count(this.counters.handshakesRefused, String(d));
      this.opts.log('info', `refused ${identity}: HTTP ${d}`);
    }
    return d;
  }

  private onConnection(conn: WsConnection, identity: string, req: IncomingMessage): ConnectionEvents {
    // The transport only completes handshakes on a subprotocol we offered, so the version is known.
    const version = versionOf(conn.protocol)!;
    const now = this.nowMs();
    const s = this.counters;
    let state = this.stations.get(identity);
    if (state === undefined) {
      state = new StationState(identity);
      this.stations.set(identity, state);
      s.stationsSeen++;
    }
    const old = this.links.get(identity);
    if (old !== undefined && this.detector !== null) {
      // Detector policy (A03, docs/csms-detector.md): refuse the newcomer while the old connection is alive.
      s.duplicateConnections++;
      conn.close(1008, 'identity already connected');
      this.detector.duplicate(identity, ipOf(req), old.conn);
      return REFUSED;
    }
    if (old !== undefined) {
      // One connection per identity: the newer one wins (the older is usually a half-open leftover).
      s.duplicateConnections++;
      this.opts.log('warn', `${identity} connected again; closing its older connection`);
      old.conn.close(1008, 'replaced by a newer connection');
    }
    state.connected = true;
    state.certificateCn = this.opts.security.profile === 3 ? peerCertificate(req)?.CN : undefined;
    state.version = version;
    state.connectedMs = now;
    state.lastSeenMs = now;
    const link = new StationLink(this, state, conn, version, this.detector?.open(identity, ipOf(req)) ?? null);
    this.links.set(identity, link);
    s.connections++;
    s.connected++;
    s.count(s.protocols, conn.protocol);
    this.opts.observer.connection?.(identity, true);
    this.opts.log('debug', `${identity} connected (${conn.protocol})`);
    return link;
  }

  linkClosed(link: StationLink, code: number, reason: string): void {
    const s = this.counters;
    const id = link.state.id;
    s.disconnects++;
    s.connected--;
    if (this.links.get(id) === link) {
      this.links.delete(id);
      link.state.connected = false;
    }
    this.opts.observer.connection?.(id, false);
    this.opts.log('debug', `${id} disconnected (${code}${reason ? ` ${reason}` : ''})`);
  }

  // ----------------------------------------------------------------------------------------- session observer

  callDone(action: string, intendedUs: number, sentUs: number, doneUs: number, outcome: CallOutcome): void {
    this.counters.commandDone(action, outcome);
    this.opts.observer.callDone?.(action, intendedUs, sentUs, doneUs, outcome);
  }

  incomingDone(action: string, code: RpcErrorCode | null): void {
    this.detector?.answered(action, code);
    const s = this.counters;
    s.count(s.callsIn, action);
    if (code !== null) s.count(s.callErrorsSent, code);
    this.opts.observer.incomingDone?.(action, code);
  }

  protocolEvent(kind: ProtocolEventKind, detail: string): void {
    this.detector?.protocolEvent(kind);
    this.counters.count(this.counters.protocolEvents, kind);
    this.opts.observer.protocolEvent?.(kind, detail);
  }

  // ---------------------------------------------------------------------------------------------- public API

  stats(): CsmsStats {
    let accepted = 0;
    for (const l of this.links.values()) if (l.state.accepted) accepted++;
    return this.counters.snapshot(accepted);
  }

  station(id: string): StationView | undefined { return this.stations.get(id); }

  detectorStats(): DetectorStats | null { return this.detector?.stats() ?? null; }

  knowsToken(idToken: string): boolean {
    const known = this.opts.knownTokens;
    return known === undefined || this.vouched.has(idToken.toLowerCase()) || known(idToken);
  }

  vouchFor(idToken: string): void {
    if (this.opts.knownTokens !== undefined) this.vouched.add(idToken.toLowerCase());
  }

  connectedIds(): string[] { return [...this.links.keys()]; }

  send(id: string, action: string, payload: Payload): Promise<CallOutcome> {
    this.counters.commandSent(action);
    const link = this.links.get(id);
    if (link === undefined) {
      this.counters.commandDone(action, DISCONNECTED);
      return Promise.resolve(DISCONNECTED);
    }
    return this.dispatch(link, action, payload);
  }

  startSchedule(runStartMs: number = this.nowMs()): void {
    this.schedule.start(runStartMs);
    if (this.opts.spec.commands.length > 0) this.opts.log('info', `command schedule started (${this.opts.spec.commands.length} commands)`);
  }

  tick(): void {
    const now = this.nowMs();
    if (this.schedule.active) for (const f of this.schedule.due(now)) this.fire(f);
    if (now - this.lastLivenessMs >= LIVENESS_EVERY_MS) this.scanLiveness(now);
    this.detector?.tick(now);
  }

  // ---------------------------------------------------------------------------------------------- internals

  /** Notes what the request will make the station send, then sends it; the outcome is counted in callDone. */
  private dispatch(link: StationLink, action: string, payload: Payload): Promise<CallOutcome> {
    const followUp = followUpOf(action, payload);
    if (followUp !== undefined) {
      const state = link.state;
      if (followUp === 'NotifyReport' && typeof payload.requestId === 'number') {
        state.reportRequestId = payload.requestId;
        this.counters.reportsRequested++;
      }
      if (!state.accepted) state.invite(followUp);
    }
    // The station will start with the token we send: ours, hence known.
    if (action === 'RequestStartTransaction' && typeof payload.idToken?.idToken === 'string') this.vouchFor(payload.idToken.idToken);
    const det = this.detector;
    if (det === null) return link.session.call(action, payload);
    det.commandSent(link.state.id, action, payload);
    const done = link.session.call(action, payload);
    if (DETECTOR_OUTCOMES.has(action)) void done.then((o) => det.commandDone(link.state.id, action, payload, o));
    return done;
  }

  private fire(f: Firing): void {
    const { spec } = f;
    const build = COMMAND_BUILDERS[spec.action];
    if (build === undefined) {
      this.opts.log('warn', `command ${spec.action} has no payload builder; skipped`);
      return;
    }
    const candidates: StationLink[] = [];
    // Rejected/Pending stations are left alone: "the CSMS sends nothing" to them (FLOWS.md §2.1).
    const match = spec.match ? idMatcher(spec.match) : null;
    for (const l of this.links.values()) if (l.state.accepted && (match === null || match(l.state.id))) candidates.push(l);
    const chosen = selectStations(candidates, spec.fraction, this.opts.seed, f.index, f.fireNo);
    const heartbeatInterval = this.opts.spec.heartbeatInterval;
    const tariff = this.opts.spec.tariff;
    let sent = 0;
    for (const link of chosen) {
      const ctx: CommandContext = {
        state: link.state, version: link.version, params: spec.params, heartbeatInterval, nextId: this.nextId, nowMs: this.nowMs(),
        ...(tariff ? { tariff } : {}), send: (action, payload) => this.send(link.state.id, action, payload),
      };
      const payload = build(ctx);
      if (payload === null) { this.counters.commandSkipped(spec.action); continue; }
      this.counters.commandSent(spec.action);
      void this.dispatch(link, spec.action, payload);
      sent++;
    }
    this.opts.log('info', `${spec.action} #${f.fireNo}: sent to ${sent} of ${candidates.length} accepted stations`);
  }

  private scanLiveness(now: number): void {
    this.lastLivenessMs = now;
    const limitMs = this.opts.staleAfterIntervals * this.opts.spec.heartbeatInterval * 1000;
    let stale = 0;
    for (const l of this.links.values()) if (now - l.state.lastSeenMs > limitMs) stale++;
    this.counters.stale = stale;
  }
}

/** Source address of an upgrade request (IPv4-mapped IPv6 shown as IPv4). */
function ipOf(req: IncomingMessage): string {
  return ipOfAddress(req.socket.remoteAddress);
}

function ipOfAddress(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
