/**
 * A recording WebSocket tap for integration tests: listens on 127.0.0.1, port 0, and forwards every connection to
 * an upstream OCPP-J server (the embedded CSMS, a test server) with the same path, the same offered subprotocols
 * and the same Authorization header, then records every text frame in both directions, in the order it passed.
 * The station sees the subprotocol the upstream selected; an upstream HTTP refusal is passed back as the same
 * status. Tests point stations at `${tap.url}/ocpp` instead of the server's own URL.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { parseFrame, type Frame } from '../../src/ocpp/framing.js';

/** `toCsms`: station → upstream; `toStation`: upstream → station. */
export type TapDirection = 'toCsms' | 'toStation';

export interface TappedFrame {
  /** Index of the tapped connection (0, 1, ... in order of upgrade). */
  readonly conn: number;
  /** Last path segment, percent-decoded. */
  readonly identity: string;
  /** The subprotocol both ends agreed on. */
  readonly protocol: string;
  readonly dir: TapDirection;
  readonly text: string;
  /** Date.now() when the tap received it. */
  readonly atMs: number;
}

export interface Tap {
  /** ws://127.0.0.1:<port>; a station connects to `${url}/<prefix>/<identity>` and reaches upstream + same path. */
  readonly url: string;
  /** Every frame in both directions, in the order the tap forwarded them. */
  readonly frames: readonly TappedFrame[];
  /** Connections that completed the handshake on both sides. */
  readonly connections: number;
  /** Terminates every tapped connection (both legs) without a closing handshake: a simulated network loss. */
  terminateAll(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** A parsed tapped frame (undefined `frame` when the text is not a valid OCPP-J frame). */
export interface ParsedTappedFrame extends TappedFrame {
  readonly frame: Frame | undefined;
}

/** Parses every tapped frame once. */
export function parseTapped(frames: readonly TappedFrame[]): ParsedTappedFrame[] {
  return frames.map((f) => {
    const r = parseFrame(f.text);
    return { ...f, frame: r.ok ? r.frame : undefined };
  });
}

/** Close codes that may not be sent in a close frame (RFC 6455 §7.4.1) are passed on as a TCP drop. */
function sendable(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

const CHOSEN = Symbol('tap.chosen');
type TaggedRequest = IncomingMessage & { [CHOSEN]?: string };

function ignore(): void {}

/** Starts a tap in front of `upstream` (ws://host:port, without path). */
export async function startTap(upstream: string): Promise<Tap> {
  const base = upstream.replace(/\/+$/, '');
  const frames: TappedFrame[] = [];
  const sockets = new Set<WebSocket>();
  let connections = 0;
  let upgrades = 0;
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (_offered: Set<string>, req: IncomingMessage) => (req as TaggedRequest)[CHOSEN] || false,
  });
  const http = createServer((_req, res) => { res.writeHead(426).end(); });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (closing) { socket.destroy(); return; }
    const path = req.url ?? '/';
    const bare = path.split('?')[0]!;
    const last = bare.slice(bare.lastIndexOf('/') + 1);
    let identity = last;
    try { identity = decodeURIComponent(last); } catch { /* keep raw */ }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const headers: Record<string, string> = {};
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const up = new WebSocket(base + path, offered, { perMessageDeflate: false, headers });
    sockets.add(up);
    up.on('error', ignore);
    // Upstream frames may arrive before the station's leg is ready: keep them until then.
    const early: RawData[] = [];
    const onEarly = (data: RawData): void => { early.push(data); };
    up.on('message', onEarly);
    let opened = false;
    up.once('unexpected-response', (_r, res) => {
      opened = true; // settled: the refusal is passed on below, not as a dropped socket
      sockets.delete(up);
      const status = res.statusCode ?? 502;
      socket.end(`HTTP/1.1 ${status} ${res.statusMessage ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      res.resume();
      up.terminate();
    });
    // Upstream unreachable (refused, reset during its handshake): the station's handshake fails the same way.
    up.once('close', () => { sockets.delete(up); if (!opened) socket.destroy(); });
    up.once('open', () => {
      opened = true;
      (req as TaggedRequest)[CHOSEN] = up.protocol;
      wss.handleUpgrade(req, socket, head, (down) => {
        sockets.add(down);
        down.on('error', ignore);
        const conn = upgrades++;
        const protocol = down.protocol;
        if (!protocol || closing) { down.terminate(); up.terminate(); return; }
        connections++;
        const record = (dir: TapDirection, data: RawData): string => {
          const text = data.toString();
          frames.push({ conn, identity, protocol, dir, text, atMs: Date.now() });
          return text;
        };
        down.on('message', (data: RawData) => {
          const text = record('toCsms', data);
          if (up.readyState === WebSocket.OPEN) up.send(text);
        });
        up.off('message', onEarly);
        up.on('message', (data: RawData) => {
          const text = record('toStation', data);
          if (down.readyState === WebSocket.OPEN) down.send(text);
        });
        for (const data of early.splice(0)) {
          const text = record('toStation', data);
          down.send(text);
        }
        down.on('close', (code: number, reason: Buffer) => {
          sockets.delete(down);
          if (up.readyState === WebSocket.OPEN) {
            if (sendable(code)) up.close(code, reason.toString()); else up.terminate();
          } else if (up.readyState === WebSocket.CONNECTING) up.terminate();
        });
        up.on('close', (code: number, reason: Buffer) => {
          sockets.delete(up);
          if (down.readyState === WebSocket.OPEN) {
            if (sendable(code)) down.close(code, reason.toString()); else down.terminate();
          }
        });
        if (up.readyState !== WebSocket.OPEN) down.terminate();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: '127.0.0.1', port: 0 }, () => { http.off('error', reject); resolve(); });
  });
  const port = (http.address() as AddressInfo).port;

  return {
    url: `ws://127.0.0.1:${port}`,
    frames,
    get connections() { return connections; },
    terminateAll() { for (const s of [...sockets]) s.terminate(); },
    close: () => new Promise<void>((done) => {
      closing = true;
      for (const s of [...sockets]) s.terminate();
      sockets.clear();
      wss.close();
      http.close(() => done());
      http.closeAllConnections();
    }),
  };
}
