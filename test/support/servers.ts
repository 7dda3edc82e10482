/**
 * Small misbehaving OCPP-J servers for integration tests (STYLE habit 14): silent, slow, disconnecting, garbage,
 * version-limited, and a well-behaved recording one. All listen on 127.0.0.1, port 0. Stations connect to
 * `${server.url}/<identity>` (any path prefix is accepted, e.g. `${server.url}/ocpp/CS001`).
 */
import { encodeResult, parseFrame } from '../../src/ocpp/framing.js';
import { validatorFor, versionOf, type OcppVersion } from '../../src/ocpp/schemas.js';
import type { Payload } from '../../src/ocpp/session.js';
import { startOcppServer, type WsConnection } from '../../src/ocpp/transport.js';

export interface TestServer {
  /** ws://127.0.0.1:<port>; connect to `${url}/<identity>`. */
  readonly url: string;
  /** Every text frame received, from every connection, in arrival order. */
  readonly received: string[];
  /** WebSocket connections accepted so far (not only the open ones). */
  readonly connections: number;
  /** The identity (last path segment) of each accepted connection, in order. */
  readonly identities: string[];
  /** The negotiated subprotocol of each accepted connection, in order. */
  readonly protocols: string[];
  /** Sends a frame to every open connection (e.g. a CSMS-initiated CALL). */
  broadcast(text: string): void;
  /** Terminates every connection and stops listening. */
  close(): Promise<void>;
}

export interface ClosingServer extends TestServer {
  /** How many times the server has dropped a connection. */
  readonly drops: number;
}

/** One accepted connection as the behaviour sees it. */
interface Peer {
  readonly conn: WsConnection;
  readonly version: OcppVersion;
  /** Frames received on this connection so far, including the current one. */
  messages: number;
}

type Behaviour = (peer: Peer, text: string) => void;

const BOTH = ['ocpp2.1', 'ocpp2.0.1'] as const;

// Responses for the actions a station sends most; anything else gets `{}` or `{status: 'Accepted'}`, whichever
// the schema accepts (see minimalResponse).
const KNOWN: Record<string, () => Payload> = {
  BootNotification: () => ({ currentTime: new Date().toISOString(), interval: 300, status: 'Accepted' }),
  Heartbeat: () => ({ currentTime: new Date().toISOString() }),
  Authorize: () => ({ idTokenInfo: { status: 'Accepted' } }),
  TransactionEvent: () => ({}),
  StatusNotification: () => ({}),
  NotifyEvent: () => ({}),
  MeterValues: () => ({}),
  NotifyReport: () => ({}),
  SecurityEventNotification: () => ({}),
};

/**
 * A minimal response payload for `action` that the `version` schemas accept: Accepted boot, current time, Accepted
 * idToken; `{}` or `{status: 'Accepted'}` for the rest; `{}` when neither validates (e.g. unknown actions).
 */
export function minimalResponse(version: OcppVersion, action: string): Payload {
  const v = validatorFor(version);
  const known = KNOWN[action];
  const candidates: Payload[] = known ? [known()] : [{}, { status: 'Accepted' }];
  return candidates.find((c) => v.response(action, c) === null) ?? {};
}

/** Answers a CALL with its minimal response; ignores everything else. Returns whether it answered. */
function answer(peer: Peer, text: string): boolean {
  const r = parseFrame(text);
  if (!r.ok || r.frame.type !== 2) return false;
  peer.conn.send(encodeResult(r.frame.id, minimalResponse(peer.version, r.frame.action)));
  return true;
}

async function serve(behaviour: Behaviour, protocols: readonly string[] = BOTH, onClose?: () => void): Promise<TestServer> {
  const received: string[] = [];
  const identities: string[] = [];
  const negotiated: string[] = [];
  const open = new Set<WsConnection>();
  const server = await startOcppServer({
    host: '127.0.0.1',
    port: 0,
    protocols,
    onConnection(conn, identity) {
      identities.push(identity);
      negotiated.push(conn.protocol);
      open.add(conn);
      const peer: Peer = { conn, version: versionOf(conn.protocol) ?? '2.1', messages: 0 };
      return {
        onText(text: string) {
          received.push(text);
          peer.messages++;
          behaviour(peer, text);
        },
        onClose() { open.delete(conn); },
      };
    },
  });
  return {
    url: server.url,
    received,
    identities,
    protocols: negotiated,
    get connections() { return identities.length; },
    broadcast(text: string) { for (const c of open) c.send(text); },
    async close() {
      onClose?.();
      open.clear();
      await server.close();
    },
  };
}

/** Answers every CALL correctly at once and records every frame. */
export function recordingServer(protocols: readonly string[] = BOTH): Promise<TestServer> {
  return serve(answer, protocols);
}

/** Accepts connections and records frames, but never answers anything (calls time out). */
export function silentServer(): Promise<TestServer> {
  return serve(() => {});
}

/** Answers every CALL correctly, each `delayMs` after it arrived. */
export function slowServer(delayMs: number): Promise<TestServer> {
  const timers = new Set<NodeJS.Timeout>();
  return serve((peer, text) => {
    const t = setTimeout(() => { timers.delete(t); answer(peer, text); }, delayMs);
    timers.add(t);
  }, BOTH, () => { for (const t of timers) clearTimeout(t); timers.clear(); });
}

export interface ClosingOptions {
  /** Drop a connection when it has received this many frames (the last one is not answered). */
  afterMessages?: number;
  /** Drop a connection when a CALL of this action arrives (it is not answered), e.g. 'TransactionEvent'. */
  onAction?: string;
  /** Drop only the first `times` times over the server's life, then behave. Default: every time. */
  times?: number;
  /** 'terminate' drops TCP without a closing handshake (station sees 1006); 'close' sends close 1011. Default 'terminate'. */
  how?: 'close' | 'terminate';
}

/** Drops connections mid-conversation (after N frames or on a given action), otherwise answers correctly. */
export async function closingServer(opts: ClosingOptions): Promise<ClosingServer> {
  if (opts.afterMessages === undefined && opts.onAction === undefined) {
    throw new Error('closingServer needs afterMessages or onAction');
  }
  let drops = 0;
  const limit = opts.times ?? Infinity;
  const s = await serve((peer, text) => {
    if (drops < limit && shouldDrop(opts, peer, text)) {
      drops++;
      if (opts.how === 'close') peer.conn.close(1011, 'closingServer');
      else peer.conn.terminate();
      return;
    }
    answer(peer, text);
  });
  return Object.defineProperty(s, 'drops', { get: () => drops, enumerable: true }) as ClosingServer;
}

function shouldDrop(opts: ClosingOptions, peer: Peer, text: string): boolean {
  if (opts.afterMessages !== undefined && peer.messages >= opts.afterMessages) return true;
  if (opts.onAction !== undefined) {
    const r = parseFrame(text);
    if (r.ok && r.frame.type === 2 && r.frame.action === opts.onAction) return true;
  }
  return false;
}

/**
 * What garbageServer sends before each correct answer, `n` making ids unique: non-JSON, a non-array, a short
 * array, an unknown message type, a CALLRESULT and a CALLERROR for ids nobody used, a CALL with an invalid payload
 * (harmless action: a station must answer FormatViolation), and a CALL of an unknown action (NotImplemented).
 */
export function garbageFrames(n: number): string[] {
  return [
    'this is not json',
    '{"not":"an array"}',
    '[2]',
    `[9,"g${n}-type","Heartbeat",{}]`,
    `[3,"g${n}-unknown-id",{"currentTime":"2025-03-01T10:00:00Z"}]`,
    `[4,"g${n}-unknown-id","GenericError","no such call",{}]`,
    `[2,"g${n}-bad-payload","GetLocalListVersion",{"bogus":true}]`,
    `[2,"g${n}-no-action","NoSuchAction",{}]`,
  ];
}

/** Before answering each CALL correctly, sends garbageFrames(); frames that are not CALLs are only recorded. */
export function garbageServer(): Promise<TestServer> {
  let n = 0;
  return serve((peer, text) => {
    const r = parseFrame(text);
    if (!r.ok || r.frame.type !== 2) return;
    for (const g of garbageFrames(n++)) peer.conn.send(g);
    answer(peer, text);
  });
}

/** Negotiates only the given subprotocols (e.g. ['ocpp2.0.1']) and answers correctly in that version. */
export function versionServer(protocols: readonly string[]): Promise<TestServer> {
  return serve(answer, protocols);
}
