// A tiny OCPP client for the CSMS tests: a real socket (`connect`) and a real RpcSession, nothing of the
// station module. It records what the CSMS asks it and answers with a per-test responder.
import { systemClock } from '../../src/util/clock.js';
import { IdSource } from '../../src/util/ids.js';
import { RpcError } from '../../src/ocpp/errors.js';
import { RpcSession, type CallOutcome, type IncomingHandler, type Payload, type SessionObserver } from '../../src/ocpp/session.js';
import { validatorFor, versionOf, type OcppVersion } from '../../src/ocpp/schemas.js';
import { connect, type ConnectionEvents, type ConnectResult, type WsConnection } from '../../src/ocpp/transport.js';
import { isoTime } from '../../src/util/clock.js';
import type { TlsClientOptions } from '../../src/ocpp/tls.js';

export type Responder = (action: string, payload: Payload) => Payload | RpcError;

/** Counts what the client session saw go wrong, so tests can assert the CSMS never misbehaved. */
export class RecordingObserver implements SessionObserver {
  readonly protocol: string[] = [];
  readonly outcomes: { action: string; outcome: CallOutcome }[] = [];
  callDone(action: string, _i: number, _s: number, _d: number, outcome: CallOutcome): void { this.outcomes.push({ action, outcome }); }
  incomingDone(): void {}
  protocolEvent(kind: string, detail: string): void { this.protocol.push(`${kind}: ${detail}`); }
}

export interface ClientOptions {
  protocols?: readonly string[];
  basicAuth?: { user: string; password: string };
  /** wss:// targets: trusted CA, client certificate and key. */
  tls?: TlsClientOptions;
  responder?: Responder;
}

const ids = new IdSource('test');

export class TestClient implements IncomingHandler, ConnectionEvents {
  readonly id: string;
  readonly version: OcppVersion;
  readonly conn: WsConnection;
  readonly session: RpcSession;
  readonly observer = new RecordingObserver();
  readonly received: { action: string; payload: Payload }[] = [];
  responder: Responder;
  closed = false;
  private waiters: { action: string; resolve: (p: Payload) => void }[] = [];

  private constructor(id: string, conn: WsConnection, responder: Responder) {
    this.id = id;
    this.conn = conn;
    this.version = versionOf(conn.protocol)!;
    this.responder = responder;
    conn.events = this;
    this.session = new RpcSession({
      version: this.version, validator: validatorFor(this.version), validation: 'strict', callTimeoutMs: 5000,
      ids, clock: systemClock, observer: this.observer,
    }, this);
    this.session.attach(conn);
  }

  static async tryOpen(baseUrl: string, id: string, o: ClientOptions = {}): Promise<ConnectResult> {
    return connect(`${baseUrl}/ocpp/${encodeURIComponent(id)}`, {
      protocols: o.protocols ?? ['ocpp2.1', 'ocpp2.0.1'], handshakeTimeoutMs: 3000,
      ...(o.basicAuth ? { basicAuth: o.basicAuth } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
    }, { onText() {}, onClose() {} });
  }

  static async open(baseUrl: string, id: string, o: ClientOptions = {}): Promise<TestClient> {
    const r = await TestClient.tryOpen(baseUrl, id, o);
    if (!r.ok) throw new Error(`connect ${id}: ${r.kind} ${r.detail}`);
    return new TestClient(id, r.conn, o.responder ?? defaultResponder);
  }

  onText(text: string): void { this.session.onText(text); }
  onClose(): void { this.closed = true; this.session.detach(); }

  handleCall(action: string, payload: Payload): Payload | RpcError {
    this.received.push({ action, payload });
    const w = this.waiters.findIndex((x) => x.action === action);
    if (w >= 0) this.waiters.splice(w, 1)[0]!.resolve(payload);
    return this.responder(action, payload);
  }

  /** Resolves with the payload of the next CALL of that action the CSMS sends (or one already received). */
  nextCall(action: string, timeoutMs = 3000): Promise<Payload> {
    const seen = this.received.find((r) => r.action === action);
    if (seen) return Promise.resolve(seen.payload);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${action} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ action, resolve: (p) => { clearTimeout(t); resolve(p); } });
    });
  }

  call(action: string, payload: Payload): Promise<CallOutcome> { return this.session.call(action, payload); }

  async boot(): Promise<Payload> {
    const o = await this.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'TEST', vendorName: 'chargestorm' } });
    if (!o.ok) throw new Error(`boot failed: ${o.kind} ${o.code ?? ''}`);
    return o.payload;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const ws = this.conn.ws;
      ws.once('close', () => resolve());
      this.conn.close();
    });
  }
}

/** What a well-behaved station answers to the commands the tests send. */
export function defaultResponder(action: string, payload: Payload): Payload | RpcError {
  switch (action) {
    case 'GetVariables':
      return { getVariableResult: (payload.getVariableData as Payload[]).map((d) => ({ attributeStatus: 'Accepted', attributeValue: '60', component: d.component, variable: d.variable })) };
    case 'SetVariables':
      return { setVariableResult: (payload.setVariableData as Payload[]).map((d) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })) };
    case 'UnlockConnector': return { status: 'Unlocked' };
    case 'GetCompositeSchedule': return { status: 'Accepted' };
    case 'ClearChargingProfile': return { status: 'Unknown' };
    case 'GetChargingProfiles': return { status: 'NoProfiles' };
    case 'DataTransfer': return { status: 'UnknownVendorId' };
    default: return { status: 'Accepted' };
  }
}

export function now(): string { return isoTime(Date.now()); }

/** Polls until `cond` holds (the CSMS updates its state when frames arrive, a tick later than our promises). */
export async function until(cond: () => boolean, timeoutMs = 5000, state?: () => unknown): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met in time${state ? `: ${JSON.stringify(state())}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
