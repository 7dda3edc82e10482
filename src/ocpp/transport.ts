import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { clientHandshake, socketErrorKind } from './handshake.js';
import type { Wire } from './session.js';
import { isTlsError, MIN_TLS_VERSION, type TlsClientOptions } from './tls.js';

/** What a connection tells its owner. Called as methods, so `this` is the owner (no closure per socket). */
export interface ConnectionEvents {
  onText(text: string): void;
  onClose(code: number, reason: string): void;
}

const OWNER = Symbol('chargestorm.connection');
type Tagged = WebSocket & { [OWNER]?: WsConnection };

// Shared named listeners reach their connection through the socket (ws `websocket.js` style).
function onWsMessage(this: Tagged, data: RawData): void {
  const c = this[OWNER];
  if (c) c.events.onText(typeof data === 'string' ? data : (data as Buffer).toString());
}
function onWsClose(this: Tagged, code: number, reason: Buffer): void {
  const c = this[OWNER];
  if (!c || c.closed) return;
  c.closed = true;
  c.events.onClose(code, reason.toString());
}
function onWsError(this: Tagged, err: Error & { code?: string }): void {
  // 'close' follows every 'error' in ws; the close handler reports it. Listening here keeps errors from throwing.
  // The code is kept so the owner can tell why (WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: a frame above maxPayload, 1009).
  const c = this[OWNER];
  if (c && err?.code) c.lastError = err.code;
}

/** One OCPP-J WebSocket, either end. Implements the session's Wire. */
export class WsConnection implements Wire {
  readonly ws: WebSocket;
  readonly protocol: string;
  events: ConnectionEvents;
  closed = false;
  /** ws error code of the last socket error, if any (e.g. WS_ERR_UNSUPPORTED_MESSAGE_LENGTH). */
  lastError: string | undefined = undefined;

  constructor(ws: WebSocket, events: ConnectionEvents) {
    this.ws = ws;
    this.protocol = ws.protocol;
    this.events = events;
    (ws as Tagged)[OWNER] = this;
    ws.on('message', onWsMessage);
    ws.on('close', onWsClose);
    ws.on('error', onWsError);
  }

  send(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Bytes waiting in the socket's buffer (back-pressure signal). */
  get buffered(): number { return this.ws.bufferedAmount; }

  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
  }

  /** Drops the TCP connection without a closing handshake (simulated network loss). */
  terminate(): void { this.ws.terminate(); }
}

/**
 * `tls`: the TLS handshake failed (certificate rejected by either side, version or cipher refused).
 * `source-port`: the explicit `localPort` is taken on this machine (EADDRINUSE / EADDRNOTAVAIL): ours, not the CSMS's.
 */
export type ConnectErrorKind = 'refused' | 'timeout' | 'http-status' | 'no-subprotocol' | 'tls' | 'source-port' | 'error';

export type ConnectResult =
  | { ok: true; conn: WsConnection }
  | { ok: false; kind: ConnectErrorKind; status?: number; detail: string };

export interface ConnectOptions {
  /** Offered subprotocols, in preference order. */
  protocols: readonly string[];
  localAddress?: string;
  /** Source port to bind (with `localAddress`); absent = the OS picks. */
  localPort?: number;
  handshakeTimeoutMs: number;
  /** HTTP Basic credentials (security profile 1/2). */
  basicAuth?: { user: string; password: string };
  headers?: Record<string, string>;
  /** wss:// only (security profiles 2/3): trusted CAs, client certificate and key, server name. TLS ≥ 1.2 always. */
  tls?: TlsClientOptions;
}

/** ws 8's defaults for a client (`initAsClient`), for its constructor and `setSocket` when we did the handshake. */
const CLIENT_OPTIONS = { autoPong: true, maxPendingAutoPongs: 60, closeTimeout: 30_000 };
const CLIENT_SOCKET_OPTIONS = {
  allowSynchronousEvents: true, maxBufferedChunks: 256 * 1024, maxFragments: 16 * 1024, maxPayload: 100 * 1024 * 1024, skipUTF8Validation: false,
};
/** The server-side constructor form (`new WebSocket(null, undefined, options)`), which @types/ws leaves out. */
const BareWebSocket = WebSocket as unknown as new (address: null, protocols: undefined, options: typeof CLIENT_OPTIONS) => ClientInternals;

/** The ws internals a client WebSocket gets from its constructor (ws 8 `initAsClient`); `setSocket` does the rest. */
type ClientInternals = WebSocket & {
  _isServer: boolean;
  _protocol: string;
  _bufferedAmount: number;
  setSocket(socket: Socket, head: Buffer, options: typeof CLIENT_SOCKET_OPTIONS): void;
};

/** Opens a station's WebSocket; resolves with the connection or why it failed. Never rejects. */
export function connect(url: string, opts: ConnectOptions, events: ConnectionEvents): Promise<ConnectResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.basicAuth) {
    headers.authorization = `Basic ${Buffer.from(`${opts.basicAuth.user}:${opts.basicAuth.password}`).toString('base64')}`;
  }
  return url.startsWith('ws:') ? connectPlain(url, opts, headers, events) : connectWithWs(url, opts, headers, events);
}

/** ws://: our handshake (handshake.ts), then ws's framing on the socket, as its client would set it up. */
async function connectPlain(url: string, opts: ConnectOptions, headers: Record<string, string>, events: ConnectionEvents): Promise<ConnectResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    return { ok: false, kind: 'error', detail: (err as Error).message };
  }
  const r = await clientHandshake(parsed, {
    protocols: opts.protocols, headers, timeoutMs: opts.handshakeTimeoutMs,
    ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
    ...(opts.localPort !== undefined ? { localPort: opts.localPort } : {}),
  });
  if (!r.ok) return r;
  if (r.protocol === '') {
    // A CSMS that accepts none of our versions completes the handshake without the header (FLOWS.md §1.1).
    r.socket.destroy();
    return { ok: false, kind: 'no-subprotocol', detail: 'server selected no OCPP subprotocol' };
  }
  const ws = new BareWebSocket(null, undefined, CLIENT_OPTIONS);
  ws._isServer = false;
  ws._protocol = r.protocol;
  ws._bufferedAmount = 0;
  ws.setSocket(r.socket, r.head, CLIENT_SOCKET_OPTIONS);
  return { ok: true, conn: new WsConnection(ws, events) };
}

/** wss://: ws's own client (TLS options, certificate errors). */
function connectWithWs(url: string, opts: ConnectOptions, headers: Record<string, string>, events: ConnectionEvents): Promise<ConnectResult> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, opts.protocols as string[], {
        perMessageDeflate: false,
        handshakeTimeout: opts.handshakeTimeoutMs,
        localAddress: opts.localAddress,
        ...(opts.localPort !== undefined ? { localPort: opts.localPort } : {}),
        headers,
        ...(url.startsWith('wss:') ? { minVersion: MIN_TLS_VERSION, ...opts.tls } : {}),
      });
    } catch (err) {
      resolve({ ok: false, kind: 'error', detail: (err as Error).message });
      return;
    }
    let settled = false;
    const fail = (kind: ConnectErrorKind, detail: string, status?: number): void => {
      if (settled) return;
      settled = true;
      ws.removeAllListeners();
      ws.on('error', onWsError);
      ws.terminate();
      resolve({ ok: false, kind, detail, ...(status !== undefined ? { status } : {}) });
    };
    ws.once('open', () => {
      if (settled) return;
      settled = true;
      ws.removeAllListeners();
      if (!ws.protocol) {
        // A CSMS that accepts none of our versions completes the handshake without the header (FLOWS.md §1.1).
        ws.on('error', onWsError);
        ws.terminate();
        resolve({ ok: false, kind: 'no-subprotocol', detail: 'server selected no OCPP subprotocol' });
        return;
      }
      resolve({ ok: true, conn: new WsConnection(ws, events) });
    });
    ws.once('unexpected-response', (_req, res) => fail('http-status', `HTTP ${res.statusCode}`, res.statusCode));
    ws.once('error', (err: Error & { code?: string }) => {
      const msg = err.message ?? String(err);
      const socketKind = socketErrorKind(err.code, opts.localPort !== undefined);
      if (socketKind === 'refused') fail('refused', msg);
      else if (socketKind === 'source-port') fail('source-port', `${err.code}: ${msg}`);
      else if (isTlsError(err)) fail('tls', err.code ? `${err.code}: ${msg}` : msg);
      else if (/timed out/i.test(msg)) fail('timeout', msg);
      else if (/subprotocol/i.test(msg)) fail('no-subprotocol', msg);
      else fail('error', msg);
    });
    ws.once('close', () => fail('error', 'closed during handshake'));
  });
}

// ---------------------------------------------------------------------------------------------- server side

/** 429: too many upgrade requests (the embedded CSMS's detector, ATTACKS.md A01); 503: not now. */
export type AuthDecision = 'accept' | 401 | 403 | 404 | 429 | 503;

const STATUS_TEXT: Readonly<Record<number, string>> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

export interface OcppServerOptions {
  host: string;
  port: number;
  /** Subprotocols we speak, in our preference order; the first one the client also offers is selected. */
  protocols: readonly string[];
  /** Decides on the upgrade request (identity from the last path segment, percent-decoded). */
  authenticate?(identity: string, authorization: string | undefined, req: IncomingMessage): AuthDecision;
  /** A station connected with a negotiated subprotocol; returns who receives its events. */
  onConnection(conn: WsConnection, identity: string, req: IncomingMessage): ConnectionEvents;
  backlog?: number;
  /** Largest frame (bytes) ws accepts; a larger one closes the connection with 1009. Default ws's 100 MiB. */
  maxPayload?: number;
  /** Serve wss:// (security profiles 2/3); the peer certificate is then on `(req.socket as TLSSocket)`. */
  tls?: TlsServerOptions;
}

/** TLS of an OCPP server (PEM text). TLS ≥ 1.2. */
export interface TlsServerOptions {
  cert: string;
  key: string;
  /** CAs a client certificate must chain to (with `requestCert`). */
  ca?: string;
  /**
   * Mutual TLS (profile 3): the client is asked for a certificate; the handshake completes either way and
   * `authenticate` judges it (`peerCertificate(req)`), so a refusal can name the identity.
   */
  requestCert?: boolean;
  /** A client failed the TLS handshake (or spoke plain HTTP to the TLS port): the error and the client's socket. */
  onTlsError?(err: Error & { code?: string }, socket: Socket): void;
}

/** The client certificate of a TLS connection (mutual TLS), as the server's TLS layer judged it. */
export interface PeerCertificate {
  /** Chained to a trusted CA and within its validity dates. */
  authorized: boolean;
  /** Why not (OpenSSL's verify code, e.g. CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE). */
  error?: string;
  CN?: string;
  O?: string;
}

/** The certificate the TLS client of `req` presented, or null (plain connection, or no certificate). */
export function peerCertificate(req: IncomingMessage): PeerCertificate | null {
  const s = req.socket as Partial<TLSSocket>;
  if (typeof s.getPeerCertificate !== 'function') return null;
  const c = s.getPeerCertificate();
  if (!c || !c.subject) return null;
  const pick = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const cn = pick(c.subject.CN);
  const o = pick(c.subject.O);
  const err = s.authorizationError;
  return {
    authorized: s.authorized === true, ...(err ? { error: String((err as Error & { code?: string }).code ?? err) } : {}),
    ...(cn !== undefined ? { CN: cn } : {}), ...(o !== undefined ? { O: o } : {}),
  };
}

export interface OcppServer {
  readonly port: number;
  readonly host: string;
  /** ws://host:port (wss:// with TLS) — stations connect to `${url}/ocpp/<id>` (any path prefix is accepted). */
  readonly url: string;
  close(): Promise<void>;
}

const PLACEHOLDER: ConnectionEvents = { onText() {}, onClose() {} };

/** Starts an OCPP-J WebSocket server (the embedded CSMS and the tests' misbehaving servers use it). */
export function startOcppServer(opts: OcppServerOptions): Promise<OcppServer> {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => opts.protocols.find((p) => offered.has(p)) ?? false,
    ...(opts.maxPayload !== undefined ? { maxPayload: opts.maxPayload } : {}),
  });
  const plain = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('OCPP-J endpoint: connect with a WebSocket\n');
  };
  const t = opts.tls;
  const http: Server = t === undefined ? createServer(plain) : createTlsServer({
    cert: t.cert, key: t.key, minVersion: MIN_TLS_VERSION,
    ...(t.ca !== undefined ? { ca: t.ca } : {}),
    ...(t.requestCert ? { requestCert: true, rejectUnauthorized: false } : {}),
  }, plain);
  if (t !== undefined) {
    http.on('tlsClientError', (err: Error & { code?: string }, socket: Socket) => { t.onTlsError?.(err, socket); });
  }
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0]!;
    const last = path.slice(path.lastIndexOf('/') + 1);
    let identity = '';
    try { identity = decodeURIComponent(last); } catch { identity = ''; }
    const decision: AuthDecision = identity ? (opts.authenticate?.(identity, req.headers.authorization, req) ?? 'accept') : 404;
    if (decision !== 'accept') {
      const text = STATUS_TEXT[decision] ?? 'Forbidden';
      const extra = decision === 401 ? 'WWW-Authenticate: Basic realm="OCPP"\r\n' : '';
      socket.end(`HTTP/1.1 ${decision} ${text}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!ws.protocol) { ws.close(1002, 'no supported OCPP subprotocol'); return; }
      const conn = new WsConnection(ws, PLACEHOLDER);
      conn.events = opts.onConnection(conn, identity, req);
    });
  });
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: opts.host, port: opts.port, backlog: opts.backlog ?? 8192 }, () => {
      http.off('error', reject);
      const addr = http.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        port: addr.port,
        host: opts.host,
        url: `${t === undefined ? 'ws' : 'wss'}://${host}:${addr.port}`,
        close: () => new Promise<void>((done) => {
          for (const ws of wss.clients) ws.terminate();
          wss.close();
          http.close(() => done());
          http.closeAllConnections?.();
        }),
      });
    });
  });
}
