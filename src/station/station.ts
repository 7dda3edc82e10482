import { isoTime } from '../util/clock.js';
import { Rng, mixSeed } from '../util/rng.js';
import type { TimelineTarget } from '../util/timeline.js';
import { RpcSession, type CallOutcome, type IncomingHandler, type Payload } from '../ocpp/session.js';
import { RpcError } from '../ocpp/errors.js';
import { validatorFor, versionOf, type OcppVersion } from '../ocpp/schemas.js';
import { connect, type ConnectionEvents, type WsConnection } from '../ocpp/transport.js';
import type { StationGroupSpec } from '../scenario/spec.js';
import type { StationContext } from './context.js';
import { TxQueue } from './tx-queue.js';
import { stationIdentity, type Identity } from './identity.js';
import { stationTls, type StationTls } from './tls.js';
import { DeviceModel } from './device-model.js';
import { ProfileStore } from './smart-charging.js';
import { Evse, EvseTimer } from './evse.js';
import { handleIncoming } from './handlers.js';
import { pickToken, type PoolShare } from './draw.js';
import { FirmwareUpdate } from './firmware.js';
import { connectionSource } from './source.js';

/** Connection and boot state (OCPP 2.1 B01-B04). */
export type LinkState = 'idle' | 'connecting' | 'booting' | 'pending' | 'rejected' | 'accepted' | 'backoff' | 'stopped';

// Timeline event kinds of a station (EVSE kinds start at 100, see evse.ts).
const T_CONNECT = 1;
const T_HEARTBEAT = 2;
const T_BOOT = 3;
const T_TX_RETRY = 4;
const T_RESET = 5;
const T_FIRMWARE = 6;

/**
 * Hooks the attack library (src/attacks) sets on the stations it subverts; ordinary stations have none. Each is
 * called on one path only and costs nothing when absent.
 */
export interface StationHooks {
  /** Connected, about to send BootNotification: frames sent here precede the boot (A05). */
  beforeBoot?(st: Station): Promise<void>;
  /** Rewrites the BootNotification request about to be sent (A03 fingerprint, A13/F04 firmware version). */
  bootRequest?(payload: Payload): void;
  /** The BootNotification (as sent) got this outcome (A13 records the Pending/Accepted answer). */
  bootAnswered?(payload: Payload, outcome: CallOutcome): void;
  /** The connection closed with `code` (A01 observes the CSMS's 1008/1009 on the socket it flooded). */
  closed?(code: number): void;
  /** A TransactionEvent was answered by the CSMS (A10 captures what it replays). */
  txDelivered?(payload: Payload, response: Payload): void;
  /** True while the station's network is down (F03 outage): connection attempts fail without reaching the CSMS. */
  networkDown?(st: Station): boolean;
}

/** Explicit source ports tried after a taken one, before letting the OS choose (station/source.ts). */
const SOURCE_PORT_RETRIES = 3;

/** Where a station sits in the run's deterministic plan. */
export interface StationPlan {
  /** Global index across all shards: identity and every random choice derive from (seed, index). */
  readonly index: number;
  readonly id: string;
  readonly group: StationGroupSpec;
}

/**
 * One virtual OCPP 2.1 charging station: connection with RetryBackOff reconnects (FLOWS.md §1.6), boot
 * (Accepted / Pending / Rejected), heartbeat, EVSEs with charging sessions, the ordered TransactionEvent queue
 * that survives disconnects, and answers to every CSMS-initiated call.
 */
export class Station implements IncomingHandler, ConnectionEvents, TimelineTarget {
  readonly ctx: StationContext;
  readonly plan: StationPlan;
  readonly identity: Identity;
  readonly rng: Rng;
  readonly dm: DeviceModel;
  readonly profiles: ProfileStore;
  readonly evses: Evse[];
  readonly txQueue = new TxQueue();
  readonly session: RpcSession;
  /** The firmware it runs and an UpdateFirmware in progress (L01). */
  readonly firmware: FirmwareUpdate;

  link: LinkState = 'idle';
  conn: WsConnection | null = null;
  version: OcppVersion = '2.1';
  /** Booted (Accepted) at least once on this power cycle: a plain reconnect sends no BootNotification (§1.6). */
  booted = false;
  bootReason: string = 'PowerUp';
  private backoffStep = 0;
  /** Connection attempts so far: picks the source port band (station/source.ts). */
  private connectAttempts = 0;
  private heartbeatToken = -1;
  private txInFlight = false;
  private txRetryToken = -1;
  private stopping = false;
  private connectStartUs = 0;
  /** Profiles 2/3: trusted CAs and client certificate, built at the first connect. */
  private tls: StationTls | null = null;
  private offlineSinceMs = 0;
  /** Clock offset learnt from the CSMS (BootNotification/Heartbeat currentTime). */
  clockOffsetMs = 0;
  /** Attack hooks (see StationHooks). */
  hooks: StationHooks = NO_HOOKS;

  constructor(ctx: StationContext, plan: StationPlan) {
    this.ctx = ctx;
    this.plan = plan;
    this.rng = new Rng(mixSeed(ctx.spec.seed, plan.index, 1));
    this.identity = stationIdentity(ctx.spec.seed, plan.index, plan.group);
    this.dm = new DeviceModel(plan.group.evses, this.dmOverrides());
    // A new HeartbeatInterval from SetVariables takes effect now, not after the heartbeat already scheduled.
    this.dm.onChange = (c) => { if (c.variable === 'HeartbeatInterval' && this.online) this.armHeartbeat(); };
    this.profiles = new ProfileStore(plan.group.evses);
    this.evses = plan.group.evses.map((model, i) => new Evse(this, i + 1, model));
    this.firmware = new FirmwareUpdate(this, this.identity.firmwareVersion);
    // The session's version is fixed per connection; it is replaced on each connect with the negotiated one.
    this.session = this.newSession('2.1');
  }

  get id(): string { return this.plan.id; }
  get online(): boolean { return this.link === 'accepted'; }
  /** stop() or shutdown() was called: the station delivers what it has queued but starts no new sessions. */
  get draining(): boolean { return this.stopping; }
  /** Station time: the run clock corrected by what the CSMS told us. */
  nowMs(): number { return this.ctx.clock.nowMs() + this.clockOffsetMs; }
  now(): string { return isoTime(this.nowMs()); }

  /** Powers the station on and connects; resolves when the first connection attempt has finished. */
  start(): Promise<void> {
    if (this.link !== 'idle' && this.link !== 'stopped') return Promise.resolve();
    this.stopping = false;
    this.booted = false;
    this.bootReason = 'PowerUp';
    for (const e of this.evses) e.powerOn();
    return this.open();
  }

  /**
   * Graceful stop (ramp-down / end of run): ends running transactions as a driver would, waits until the queue
   * is delivered or `deadlineMs` passes, then closes the socket. Resolves when the station is down.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.stopping = true;
    for (const e of this.evses) e.endSession('Local', 'StopAuthorized');
    const clock = this.ctx.clock;
    while ((this.txQueue.length > 0 || this.session.busy) && this.conn && clock.nowMs() < deadlineMs) {
      await new Promise((r) => setTimeout(r, 50));
    }
    this.shutdown();
  }

  /** Stops immediately: no more events, socket closed, nothing scheduled. */
  shutdown(): void {
    this.stopping = true;
    this.link = 'stopped';
    for (const e of this.evses) e.cancelTimers();
    this.ctx.timeline.cancel(this.heartbeatToken);
    this.ctx.timeline.cancel(this.txRetryToken);
    const c = this.conn;
    if (c) { this.conn = null; c.events = NULL_EVENTS; c.close(1000, 'station stopped'); this.session.detach(); this.ctx.sink.connected(-1); }
  }

  /** Simulated network loss: drop TCP without a closing handshake; reconnect with back-off follows. */
  dropConnection(): void {
    this.conn?.terminate();
  }

  // ------------------------------------------------------------------------------------------ connection

  private async open(): Promise<void> {
    if (this.stopping) return;
    this.link = 'connecting';
    if (this.hooks.networkDown?.(this)) {
      this.ctx.sink.connect(0, false, 'network-down');
      this.scheduleReconnect();
      return;
    }
    const spec = this.ctx.spec;
    this.connectStartUs = this.ctx.clock.monoUs();
    if (spec.security.profile >= 2 && this.tls === null) this.tls = stationTls(spec.security, this.id, this.identity.serialNumber);
    if (this.tls !== null && !this.tls.ok) {
      this.ctx.sink.connect(0, false, 'tls');
      this.ctx.sink.log?.(this.id, `connect failed: ${this.tls.detail}`);
      this.scheduleReconnect();
      return;
    }
    const url = `${this.ctx.target}/${encodeURIComponent(this.id)}`;
    const options = {
      protocols: spec.protocols,
      handshakeTimeoutMs: spec.callTimeout,
      ...(spec.security.profile >= 1 && spec.security.password ? { basicAuth: { user: this.id, password: spec.security.password } } : {}),
      ...(this.tls !== null ? { tls: this.tls.tls } : {}),
    };
    let res = await connect(url, { ...options, ...connectionSource(spec, this.plan.index, this.connectAttempts++) }, this);
    // A taken source port is this machine's business, not the CSMS's: take the next band, then the OS's choice.
    for (let retry = 1; !res.ok && res.kind === 'source-port' && !this.stopping; retry++) {
      this.ctx.sink.count('source_port_retries');
      const source = connectionSource(spec, this.plan.index, this.connectAttempts++);
      if (retry > SOURCE_PORT_RETRIES) delete source.localPort;
      res = await connect(url, { ...options, ...source }, this);
    }
    const us = this.ctx.clock.monoUs() - this.connectStartUs;
    if (!res.ok) {
      this.ctx.sink.connect(us, false, res.kind === 'http-status' ? `http-${res.status}` : res.kind);
      this.ctx.sink.log?.(this.id, `connect failed: ${res.detail}`);
      this.scheduleReconnect();
      return;
    }
    if (this.stopping) { res.conn.close(1000, 'station stopped'); return; }
    this.ctx.sink.connect(us, true);
    this.ctx.sink.connected(1);
    this.conn = res.conn;
    this.backoffStep = 0;
    const v = versionOf(res.conn.protocol) ?? '2.1';
    if (v !== this.session.version) this.replaceSession(v);
    this.version = v;
    this.session.attach(res.conn);
    if (this.booted) {
      // Plain reconnect: no new BootNotification (FLOWS.md §1.6); report connectors if offline long enough.
      this.link = 'accepted';
      const offlineS = (this.ctx.clock.nowMs() - this.offlineSinceMs) / 1000;
      if (offlineS > this.dm.int('OCPPCommCtrlr', 'OfflineThreshold', 60)) for (const e of this.evses) e.reportStatus();
      this.ctx.sink.count('reconnects');
      this.armHeartbeat();
      this.flushTx();
      this.ctx.onOnline?.(this);
    } else {
      void this.boot();
    }
  }

  /** ws closed (by either side, or the network). */
  onClose(code: number): void {
    if (!this.conn) return;
    this.hooks.closed?.(code);
    this.conn = null;
    this.session.detach();
    this.ctx.sink.connected(-1);
    if (this.stopping) { this.link = 'stopped'; return; }
    this.ctx.sink.count('disconnects');
    this.ctx.sink.log?.(this.id, `connection closed (${code})`);
    this.offlineSinceMs = this.ctx.clock.nowMs();
    this.ctx.timeline.cancel(this.heartbeatToken);
    this.scheduleReconnect();
  }

  onText(text: string): void { this.session.onText(text); }

  /** RetryBackOff (FLOWS.md §1.6): min + rand(range), doubling at most RepeatTimes times, reset on success. */
  private scheduleReconnect(): void {
    if (this.stopping) return;
    this.link = 'backoff';
    const r = this.ctx.spec.reconnect;
    const base = r.waitMinimum * 2 ** Math.min(this.backoffStep, r.repeatTimes);
    this.backoffStep++;
    this.ctx.timeline.after(base + this.rng.next() * r.randomRange, this, T_CONNECT);
  }

  // ------------------------------------------------------------------------------------------------- boot

  private async boot(): Promise<void> {
    this.link = this.link === 'pending' ? 'pending' : 'booting';
    const id = this.identity;
    if (this.hooks.beforeBoot) {
      await this.hooks.beforeBoot(this);
      if (this.stopping || !this.conn) return;
    }
    const request: Payload = {
      reason: this.bootReason,
      chargingStation: { model: id.model, vendorName: id.vendorName, serialNumber: id.serialNumber, firmwareVersion: this.firmware.version, modem: id.modem },
    };
    this.hooks.bootRequest?.(request);
    const out = await this.session.call('BootNotification', request);
    this.hooks.bootAnswered?.(request, out);
    if (this.stopping || !this.conn) return;
    if (!out.ok) {
      this.ctx.sink.log?.(this.id, `BootNotification failed: ${out.kind} ${out.code ?? ''}`);
      this.ctx.timeline.after(10_000, this, T_BOOT);
      return;
    }
    const p = out.payload;
    this.learnTime(p.currentTime);
    const interval = Number(p.interval) > 0 ? Number(p.interval) : 0;
    if (p.status === 'Accepted') {
      this.link = 'accepted';
      this.booted = true;
      if (interval > 0) this.dm.set('OCPPCommCtrlr', 'HeartbeatInterval', String(interval));
      this.ctx.sink.count('boot_accepted');
      for (const e of this.evses) e.reportStatus();
      this.armHeartbeat();
      this.flushTx();
      for (const e of this.evses) e.onOnline();
      this.ctx.onOnline?.(this);
      this.firmware.onBooted();
      return;
    }
    // Pending: only BootNotification again after `interval` (0 → a sane delay); Rejected: silence until then.
    this.link = p.status === 'Pending' ? 'pending' : 'rejected';
    this.ctx.sink.count(p.status === 'Pending' ? 'boot_pending' : 'boot_rejected');
    this.ctx.timeline.after((interval || 10) * 1000, this, T_BOOT);
  }

  learnTime(currentTime: unknown): void {
    if (typeof currentTime !== 'string') return;
    const t = Date.parse(currentTime);
    if (Number.isFinite(t)) this.clockOffsetMs = t - this.ctx.clock.nowMs();
  }

  private armHeartbeat(): void {
    this.ctx.timeline.cancel(this.heartbeatToken);
    const s = this.dm.int('OCPPCommCtrlr', 'HeartbeatInterval', 300);
    if (s > 0) this.heartbeatToken = this.ctx.timeline.after(s * 1000, this, T_HEARTBEAT);
  }

  private async heartbeat(): Promise<void> {
    if (!this.online) return;
    this.armHeartbeat();
    const out = await this.call('Heartbeat', {});
    if (out.ok) this.learnTime(out.payload.currentTime);
  }

  // --------------------------------------------------------------------------------------- outgoing calls

  /**
   * A station-initiated CALL. A CSMS that lost our boot (restart) answers SecurityError: boot again.
   */
  async call(action: string, payload: unknown, intendedUs?: number): Promise<CallOutcome> {
    const out = await this.session.call(action, payload, intendedUs !== undefined ? { intendedUs } : undefined);
    if (!out.ok && out.kind === 'callerror' && out.code === 'SecurityError' && this.link === 'accepted' && action !== 'BootNotification') {
      this.ctx.sink.count('reboot_after_security_error');
      this.link = 'booting';
      this.booted = false;
      this.bootReason = 'Unknown';
      void this.boot();
    }
    return out;
  }

  /**
   * Appends a TransactionEvent to the ordered queue (offline: true when the station is not online now) and
   * delivers in order (OCPP 2.1 E12).
   */
  enqueueTx(payload: Payload): void {
    if (!this.online) {
      payload.offline = true;
      this.ctx.sink.count('offline_queued');
    }
    const dropped = this.txQueue.push(payload);
    if (dropped) this.ctx.sink.count('offline_dropped', dropped);
    this.flushTx();
  }

  private flushTx(): void {
    if (this.txInFlight || !this.online || this.txQueue.length === 0) return;
    const e = this.txQueue.peek()!;
    this.txInFlight = true;
    e.attempts++;
    void this.call('TransactionEvent', e.payload).then((out) => this.txDone(out));
  }

  private txDone(out: CallOutcome): void {
    this.txInFlight = false;
    const e = this.txQueue.peek();
    if (!e) return;
    if (out.ok) {
      this.txQueue.shift();
      if (e.payload.offline === true) this.ctx.sink.count('offline_delivered');
      this.hooks.txDelivered?.(e.payload, out.payload);
      this.evseOf(e.payload)?.onTxResponse(e.payload, out.payload);
      this.flushTx();
      return;
    }
    if (out.kind === 'disconnected') { e.attempts--; return; } // resent after reconnect; not a delivery failure
    const maxAttempts = this.dm.int('OCPPCommCtrlr', 'MessageAttempts', 3, 'TransactionEvent');
    if (out.kind === 'invalid-request' || e.attempts >= maxAttempts) {
      // Retries exhausted (FLOWS.md §1.7): drop it and go on.
      this.txQueue.shift();
      this.ctx.sink.count('tx_events_dropped');
      this.flushTx();
      return;
    }
    const waitS = this.dm.int('OCPPCommCtrlr', 'MessageAttemptInterval', 10, 'TransactionEvent') * e.attempts;
    this.txRetryToken = this.ctx.timeline.after(waitS * 1000, this, T_TX_RETRY);
  }

  private evseOf(p: Payload): Evse | undefined {
    const txId = p.transactionInfo?.transactionId;
    return this.evses.find((e) => e.tx?.id === txId) ?? this.evses.find((e) => e.lastTxId === txId);
  }

  // ------------------------------------------------------------------------------------ incoming + timers

  handleCall(action: string, payload: Payload): Payload | RpcError | Promise<Payload | RpcError> {
    return handleIncoming(this, action, payload);
  }

  onTimer(kind: number, arg: number): void {
    switch (kind) {
      case T_CONNECT: void this.open(); return;
      case T_HEARTBEAT: void this.heartbeat(); return;
      case T_BOOT: if (this.conn && !this.stopping) void this.boot(); return;
      case T_TX_RETRY: this.flushTx(); return;
      case T_RESET: this.reboot(); return;
      case T_FIRMWARE: this.firmware.step(); return;
      default:
        if (kind >= EvseTimer.base) this.evses[arg]?.onTimer(kind);
    }
  }

  /** The next step of a firmware update in `ms` (firmware.ts). */
  armFirmware(ms: number): void {
    this.ctx.timeline.after(ms, this, T_FIRMWARE);
  }

  /** Reset: end (or keep) transactions, drop the link, and boot again with reason RemoteReset. */
  scheduleReset(afterMs: number): void {
    this.ctx.timeline.after(afterMs, this, T_RESET);
  }

  /**
   * Reboots now: running transactions end (ImmediateReset), the link drops, and the station boots again with
   * `reason` (RemoteReset after a Reset; FirmwareUpdate after an installation).
   */
  reboot(reason = 'RemoteReset'): void {
    for (const e of this.evses) e.endSession('ImmediateReset', 'ResetCommand');
    this.booted = false;
    this.bootReason = reason;
    this.ctx.timeline.cancel(this.heartbeatToken);
    const c = this.conn;
    if (c) {
      this.conn = null;
      c.events = NULL_EVENTS;
      c.close(1000, 'reset');
      this.session.detach();
      this.ctx.sink.connected(-1);
    }
    this.offlineSinceMs = this.ctx.clock.nowMs();
    for (const e of this.evses) e.powerOn();
    this.ctx.sink.count('resets');
    this.link = 'backoff';
    this.ctx.timeline.after(1000, this, T_CONNECT);
  }

  private newSession(version: OcppVersion): RpcSession {
    const spec = this.ctx.spec;
    return new RpcSession({
      version, validator: validatorFor(version), validation: spec.validation, callTimeoutMs: spec.callTimeout,
      ids: this.ctx.ids, clock: this.ctx.clock, observer: this.ctx.observer,
    }, this);
  }

  private replaceSession(version: OcppVersion): void {
    (this as { session: RpcSession }).session = this.newSession(version);
  }

  private evseBase = -1;

  /** This EVSE's slice of the fleet's token pool: its index among every EVSE of the plan (groups in file order). */
  tokenShare(evseId: number): PoolShare {
    const groups = this.ctx.spec.groups;
    if (this.evseBase < 0) {
      let base = 0;
      let index = 0;
      for (const g of groups) {
        if (g === this.plan.group) { base += (this.plan.index - index) * g.evses.length; break; }
        base += g.count * g.evses.length;
        index += g.count;
      }
      this.evseBase = base;
    }
    let count = 0;
    for (const g of groups) count += g.count * g.evses.length;
    return { index: this.evseBase + evseId - 1, count };
  }

  /** A free EVSE for a new session: operative, available, no transaction. */
  freeEvse(): Evse | undefined {
    for (const e of this.evses) if (!e.tx && e.operative && e.status === 'Available') return e;
    return undefined;
  }

  /** No call of ours outstanding or queued: an arrival-rate executor may use this station now. */
  get idle(): boolean {
    return this.online && !this.session.busy && this.session.queued === 0;
  }

  /** The payload of one workload iteration of kind `work` (a station→CSMS call with this station's data). */
  workPayload(work: string): Payload {
    switch (work) {
      case 'Heartbeat': return EMPTY;
      case 'Authorize': return { idToken: pickToken(this.ctx.spec.sessions.idTokens, this.ctx.spec.seed, this.rng) };
      case 'MeterValues': return { evseId: 1, meterValue: [this.evses[0]!.sampleMeterValue()] };
      case 'StatusNotification': {
        const e = this.evses[0]!;
        return { timestamp: this.now(), connectorStatus: e.status, evseId: e.id, connectorId: e.connectorId };
      }
      default: return { vendorId: 'org.chargestorm', messageId: 'ping' };
    }
  }

  private dmOverrides(): Record<string, string> {
    const spec = this.ctx.spec;
    const r = spec.reconnect;
    return {
      'SampledDataCtrlr.TxUpdatedInterval': String(Math.max(1, Math.round(spec.sessions.meterInterval / 1000))),
      'OCPPCommCtrlr.RetryBackOffWaitMinimum': String(Math.round(r.waitMinimum / 1000)),
      'OCPPCommCtrlr.RetryBackOffRandomRange': String(Math.round(r.randomRange / 1000)),
      'OCPPCommCtrlr.RetryBackOffRepeatTimes': String(r.repeatTimes),
      'OCPPCommCtrlr.MessageTimeout[Default]': String(Math.round(spec.callTimeout / 1000)),
      'SecurityCtrlr.SecurityProfile': String(spec.security.profile),
      // Profile 3: the O of the station's TLS certificate (and of its CSRs).
      ...(spec.security.organization !== undefined ? { 'SecurityCtrlr.OrganizationName': spec.security.organization } : {}),
      'SecurityCtrlr.Identity': this.plan.id,
    };
  }
}

const NULL_EVENTS: ConnectionEvents = { onText() {}, onClose() {} };
const NO_HOOKS: StationHooks = Object.freeze({});
const EMPTY: Payload = Object.freeze({}) as Payload;
