import { NotSupported, SecurityError, type RpcError } from '../ocpp/errors.js';
import { RpcSession, type IncomingHandler, type Payload, type SessionOptions } from '../ocpp/session.js';
import type { OcppVersion } from '../ocpp/schemas.js';
import type { ConnectionEvents, WsConnection } from '../ocpp/transport.js';
import type { CsmsCore, HandlerContext } from './context.js';
import { CALL_HANDLERS, SEND_HANDLERS } from './handlers/index.js';
import type { StationState } from './state.js';

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

  constructor(owner: LinkOwner, state: StationState, conn: WsConnection, version: OcppVersion) {
    this.core = owner;
    this.state = state;
    this.conn = conn;
    this.version = version;
    this.session = new RpcSession(owner.sessionOptions(version), this);
    this.session.attach(conn);
  }

  onText(text: string): void {
    this.state.lastSeenMs = this.core.nowMs();
    this.session.onText(text);
  }

  onClose(code: number, reason: string): void {
    this.session.detach();
    this.core.linkClosed(this, code, reason);
  }

  handleCall(action: string, payload: Payload): Payload | RpcError {
    if (action !== 'BootNotification' && !this.state.accepted && !this.invitedWhilePending(action, payload)) {
      // B02/B03: until the boot is Accepted every other station CALL is refused (FLOWS.md §2.1).
      return new SecurityError(`${action} before BootNotification was accepted`);
    }
    const h = CALL_HANDLERS.get(action);
    if (h === undefined) return new NotSupported(`${action} is sent by the CSMS, not by a charging station`);
    return h(this, payload);
  }

  handleSend(action: string, payload: Payload): void {
    this.core.counters.count(this.core.counters.sendsIn, action);
    if (!this.state.accepted) return;
    SEND_HANDLERS.get(action)?.(this, payload);
  }

  /** A Pending station may send what the CSMS asked it for (FLOWS.md §2.1); a report stays open while `tbc`. */
  private invitedWhilePending(action: string, payload: Payload): boolean {
    if (this.state.bootStatus !== 'Pending') return false;
    return this.state.takeInvitation(action, action === 'NotifyReport' && payload.tbc === true);
  }
}
