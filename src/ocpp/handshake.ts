import { createHash, randomFillSync } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';

/**
 * The client side of the WebSocket opening handshake (RFC 6455 §4.1) straight over TCP, for `ws://` URLs.
 *
 * ws's own client goes through node:http (ClientRequest, an HTTP parser, an Agent-less socket set-up), which
 * costs about as much CPU as everything else in a connect: on the 2-core machine a plain `ws` client connected
 * ~4,400 stations/s to a `ws` server and this handshake ~8,000/s. It writes one request, reads the response
 * head, checks it as ws does (101, Upgrade/Connection, Sec-WebSocket-Accept, a subprotocol we offered, no
 * extension we did not ask for) and hands the socket and any bytes after the head to the caller (transport.ts
 * wraps them in a ws WebSocket for framing). `wss://` keeps ws's client: TLS dominates there.
 */

export type HandshakeFailure =
  | 'refused' | 'timeout' | 'http-status' | 'no-subprotocol' | 'source-port' | 'error';

export type HandshakeResult =
  | { ok: true; socket: Socket; head: Buffer; protocol: string }
  | { ok: false; kind: HandshakeFailure; status?: number; detail: string };

export interface HandshakeOptions {
  protocols: readonly string[];
  headers: Readonly<Record<string, string>>;
  localAddress?: string;
  localPort?: number;
  timeoutMs: number;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Larger response heads are refused (ws's client has node:http's 16 KiB limit). */
const MAX_HEAD = 16 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

// Sec-WebSocket-Key: 16 random bytes, drawn from a pool refilled 256 keys at a time.
const keyPool = Buffer.alloc(16 * 256);
let keyNext = keyPool.length;
function newKey(): string {
  if (keyNext === keyPool.length) { randomFillSync(keyPool); keyNext = 0; }
  keyNext += 16;
  return keyPool.toString('base64', keyNext - 16, keyNext);
}

export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** Opens `url` (ws://) and completes the opening handshake. Never rejects. */
export function clientHandshake(url: URL, o: HandshakeOptions): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? 80 : Number(url.port);
    const key = newKey();
    let request = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
      + `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n`;
    if (o.protocols.length > 0) request += `Sec-WebSocket-Protocol: ${o.protocols.join(',')}\r\n`;
    for (const [name, value] of Object.entries(o.headers)) request += `${name}: ${value}\r\n`;
    request += '\r\n';

    let socket: Socket;
    try {
      socket = tcpConnect({
        host, port,
        ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
        ...(o.localPort !== undefined ? { localPort: o.localPort } : {}),
      });
    } catch (err) {
      resolve({ ok: false, kind: 'error', detail: (err as Error).message });
      return;
    }
    socket.setNoDelay(true);
    let settled = false;
    let received: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail('timeout', 'Opening handshake has timed out'), o.timeoutMs);

    function finish(): void {
      settled = true;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
    }
    function fail(kind: HandshakeFailure, detail: string, status?: number): void {
      if (settled) return;
      finish();
      socket.on('error', ignore);
      socket.destroy();
      resolve({ ok: false, kind, detail, ...(status !== undefined ? { status } : {}) });
    }
    function onError(err: Error & { code?: string }): void {
      const kind = socketErrorKind(err.code, o.localPort !== undefined);
      fail(kind ?? 'error', kind === 'source-port' ? `${err.code}: ${err.message}` : err.message);
    }
    function onClose(): void { fail('error', 'closed during handshake'); }
    function onData(chunk: Buffer): void {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const end = received.indexOf(CRLFCRLF);
      if (end < 0) {
        if (received.length > MAX_HEAD) fail('error', `response head larger than ${MAX_HEAD} bytes`);
        return;
      }
      const verdict = judge(received.toString('latin1', 0, end), key, o.protocols);
      if (!verdict.ok) { fail(verdict.kind, verdict.detail, verdict.status); return; }
      finish();
      resolve({ ok: true, socket, head: received.subarray(end + 4), protocol: verdict.protocol });
    }
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(request);
  });
}

function ignore(): void {}

/**
 * What a socket error before the handshake says about the connect: the CSMS refused it, or (with an explicit
 * source port) that port is taken here. Undefined for anything else.
 */
export function socketErrorKind(code: string | undefined, explicitPort: boolean): 'refused' | 'source-port' | undefined {
  if (code === 'ECONNREFUSED') return 'refused';
  if (explicitPort && (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL')) return 'source-port';
  return undefined;
}

type Verdict = { ok: true; protocol: string } | { ok: false; kind: HandshakeFailure; status?: number; detail: string };

/** The response head (status line and headers, without the blank line) judged as RFC 6455 §4.1 and ws do. */
export function judge(head: string, key: string, offered: readonly string[]): Verdict {
  const lines = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!status) return { ok: false, kind: 'error', detail: `not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}` };
  const code = Number(status[1]);
  if (code !== 101) return { ok: false, kind: 'http-status', status: code, detail: `HTTP ${code}` };
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, kind: 'error', detail: `malformed response header: ${JSON.stringify(line.slice(0, 80))}` };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  if ((headers.get('upgrade') ?? '').toLowerCase() !== 'websocket') return { ok: false, kind: 'error', detail: 'Invalid Upgrade header' };
  if (!(headers.get('connection') ?? '').toLowerCase().split(',').some((t) => t.trim() === 'upgrade')) {
    return { ok: false, kind: 'error', detail: 'Invalid Connection header' };
  }
  if (headers.get('sec-websocket-accept') !== acceptFor(key)) return { ok: false, kind: 'error', detail: 'Invalid Sec-WebSocket-Accept header' };
  if (headers.has('sec-websocket-extensions')) {
    return { ok: false, kind: 'error', detail: 'Server sent a Sec-WebSocket-Extensions header but no extension was requested' };
  }
  const protocol = headers.get('sec-websocket-protocol');
  if (protocol === undefined) return { ok: true, protocol: '' };
  if (!offered.includes(protocol)) return { ok: false, kind: 'no-subprotocol', detail: `Server sent an invalid subprotocol: ${protocol}` };
  return { ok: true, protocol };
}
