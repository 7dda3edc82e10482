import { NotSupported, SecurityError, type RpcError } from '../ocpp/errors.js';
import { RpcSession, type IncomingHandler, type Payload, type SessionOptions } from '../ocpp/session.js';
import type { OcppVersion } from '../ocpp/schemas.js';
import type { ConnectionEvents, WsConnection } from '../ocpp/transport.js';
import type { CsmsCore, HandlerContext } from './context.js';
import { CALL_HANDLERS, SEND_HANDLERS } from './handlers/index.js';
import type { StationState } from './state.js';
import type { Detector } from './detector/detector.js';
import { FrameVerdict } from './detector/enforce.js';
import type { StationDet } from './detector/station.js';

/** What a link needs from the CSMS beyond what handlers see. */
export interface LinkOwner extends CsmsCore {
  sessionOptions(version: OcppVersion): SessionOptions;
  linkClosed(link: StationLink, code: number, reason: string): void;
}

/**
 * One station connection on the CSMS side: its RPC session, the boot gate, and dispatch through the handler
 * table. Receives socket and session events as methods (no closure per message or per socket).
 */
export class StationLink implements ConnectionEvents, IncomingHandler, HandlerContext {
  readonly core: LinkOwner;
  readonly state: StationState;
  readonly conn: WsConnection;
  readonly session: RpcSession;
  readonly version: OcppVersion;
  // Detector (docs/csms-detector.md): its per-station state; both null when the detector is off.
  private readonly det: Detector | null;
  private readonly sd: StationDet | null;

  constructor(owner: LinkOwner, state: StationState, conn: WsConnection, version: OcppVersion, sd: StationDet | null = null) {
    this.core = owner;
    this.state = state;
    this.conn = conn;
    this.version = version;
    this.det = sd === null ? null : owner.detector ?? null;
    this.sd = this.det === null ? null : sd;
    this.session = new RpcSession(owner.sessionOptions(version), this);
    this.session.attach(conn);
  }

  onText(text: string): void {
    const now = this.core.nowMs();
    this.state.lastSeenMs = now;
    const det = this.det;
    if (det === null) { this.session.onText(text); return; }
    // Detector L0: frame size and rate buckets before parsing; invalid-frame abuse decided while parsing.
    let v = det.frame(this.sd!, text.length, now);
    if (v === FrameVerdict.Ok) {
      this.session.onText(text);
      v = det.frameDone();
    }
    if (v === FrameVerdict.Close1008) this.conn.close(1008, 'policy violation');
    else if (v === FrameVerdict.Close1009) this.conn.close(1009, 'frame too big');
  }

  onClose(code: number, reason: string): void {
    this.session.detach();
    if (this.det !== null) this.det.closed(this.sd!, this.conn.lastError === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    this.core.linkClosed(this, code, reason);
  }

  handleCall(action: string, payload: Payload): Payload | RpcError {
    if (action !== 'BootNotification' && !this.state.accepted && !this.invitedWhilePending(action, payload)) {
      // B02/B03: until the boot is Accepted every other station CALL is refused (FLOWS.md §2.1).
      return new SecurityError(`${action} before BootNotification was accepted`);
    }
    const h = CALL_HANDLERS.get(action);
    if (h === undefined) return new NotSupported(`${action} is sent by the CSMS, not by a charging station`);
    const out = h(this, payload);
    // Detector L1/L2: sees the CALL with the handlers' answer; may amend it (ConcurrentTx, Invalid, InvalidCSR).
    return this.det === null ? out : this.det.call(this.sd!, action, payload, out);
  }

  handleSend(action: string, payload: Payload): void {
    this.core.counters.count(this.core.counters.sendsIn, action);
    this.det?.send(this.sd!, action);
    if (!this.state.accepted) return;
    SEND_HANDLERS.get(action)?.(this, payload);
  }

  /** A Pending station may send what the CSMS asked it for (FLOWS.md §2.1); a report stays open while `tbc`. */
  private invitedWhilePending(action: string, payload: Payload): boolean {
    if (this.state.bootStatus !== 'Pending') return false;
    return this.state.takeInvitation(action, action === 'NotifyReport' && payload.tbc === true);
  }
}
