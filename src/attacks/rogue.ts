import { RpcSession, type IncomingHandler, type Payload } from '../ocpp/session.js';
import { RpcError } from '../ocpp/errors.js';
import { validatorFor, versionOf } from '../ocpp/schemas.js';
import { connect, type ConnectErrorKind, type ConnectionEvents, type ConnectOptions, type WsConnection } from '../ocpp/transport.js';
import type { StationContext } from '../station/context.js';
import { stationTls } from '../station/tls.js';

export interface RogueOptions {
  /** Identity in the URL (`<target>/<identity>`). */
  identity: string;
  /** Offered subprotocols; default the scenario's. */
  protocols?: readonly string[];
  /** Basic credentials; undefined = the scenario's (user = identity), null = none. */
  basicAuth?: { user: string; password: string } | null;
  /** Other endpoint than the scenario's target (e.g. ws:// instead of wss://). */
  target?: string;
  localAddress?: string;
  /** Extra connect options; `tls` replaces the default TLS material (below). */
  connect?: Partial<ConnectOptions>;
  /**
   * Serial number a profile-3 client certificate is issued for (CN) when no `connect.tls` is given; default the
   * identity. Under profiles 2/3 a rogue trusts the scenario's CA and, profile 3, presents a certificate issued by
   * the scenario's issuing CA like a station would (stationTls).
   */
  serialNumber?: string;
}

export type RogueOpen =
  | { ok: true; rogue: Rogue; atMs: number }
  | { ok: false; kind: ConnectErrorKind; status?: number; detail: string; atMs: number };

/**
 * An extra connection opened by an attack, outside any virtual station: a second socket with a station's
 * identity (A03), brute-force and downgrade attempts (A02, A14), pre-boot abuse (A05). It speaks OCPP through
 * the same RpcSession (raw frames allowed), answers CSMS calls with NotSupported, and remembers how it closed.
 */
export class Rogue implements ConnectionEvents, IncomingHandler {
  readonly session: RpcSession;
  conn: WsConnection | null = null;
  closeCode: number | null = null;
  closeAtMs = 0;
  private readonly closeWaiters: ((code: number) => void)[] = [];
  /** Frames the CSMS sent that were not answers to our calls (raw frames' replies among them). */
  readonly received: string[] = [];
  onRaw?: (text: string) => void;

  private constructor(private readonly ctx: StationContext, version: '2.1' | '2.0.1') {
    const spec = ctx.spec;
    this.session = new RpcSession({
      version, validator: validatorFor(version), validation: spec.validation, callTimeoutMs: spec.callTimeout,
      ids: ctx.ids, clock: ctx.clock, observer: NO_OBSERVER,
    }, this);
  }

  /** Opens a connection; resolves with it or with how the upgrade failed (HTTP status, TLS, refused ...). */
  static async open(ctx: StationContext, o: RogueOptions): Promise<RogueOpen> {
    const spec = ctx.spec;
    const target = (o.target ?? ctx.target).replace(/\/+$/, '');
    const creds = o.basicAuth === undefined
      ? (spec.security.profile >= 1 && spec.security.password ? { user: o.identity, password: spec.security.password } : undefined)
      : o.basicAuth ?? undefined;
    const holder: { r?: Rogue } = {};
    const events: ConnectionEvents = {
      onText: (t) => holder.r?.onText(t),
      onClose: (code) => holder.r?.onClose(code),
    };
    let tls: ConnectOptions['tls'];
    if (o.connect?.tls === undefined && target.startsWith('wss:') && spec.security.profile >= 2) {
      const t = stationTls(spec.security, o.identity, o.serialNumber ?? o.identity);
      if (t.ok) tls = t.tls;
    }
    const res = await connect(`${target}/${encodeURIComponent(o.identity)}`, {
      protocols: o.protocols ?? spec.protocols,
      handshakeTimeoutMs: spec.callTimeout,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      ...(creds ? { basicAuth: creds } : {}),
      ...(tls ? { tls } : {}),
      ...o.connect,
    }, events);
    const atMs = ctx.clock.nowMs();
    if (!res.ok) return { ok: false, kind: res.kind, ...(res.status !== undefined ? { status: res.status } : {}), detail: res.detail, atMs };
    const r = new Rogue(ctx, versionOf(res.conn.protocol) ?? '2.1');
    holder.r = r;
    r.conn = res.conn;
    r.session.attach(res.conn);
    return { ok: true, rogue: r, atMs };
  }

  onText(text: string): void {
    this.onRaw?.(text);
    this.session.onText(text);
  }

  onClose(code: number): void {
    this.conn = null;
    this.closeCode = code;
    this.closeAtMs = this.ctx.clock.nowMs();
    this.session.detach();
    for (const w of this.closeWaiters.splice(0)) w(code);
  }

  get open(): boolean { return this.conn !== null; }

  /** Resolves with the close code when the CSMS (or we) closed, or null after `ms`. */
  closed(ms: number): Promise<number | null> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(null), ms);
      this.closeWaiters.push((c) => { clearTimeout(t); resolve(c); });
    });
  }

  handleCall(action: string, _p: Payload): RpcError {
    return new RpcError('NotSupported', `${action} not supported here`);
  }

  close(): void {
    const c = this.conn;
    if (c) c.close(1000, 'bye');
  }
}

const NO_OBSERVER = { callDone() {}, incomingDone() {}, protocolEvent() {} };
