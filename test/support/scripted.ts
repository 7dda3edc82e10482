/**
 * A scripted OCPP-J server for integration tests that need a CSMS with a plan: the test's responder decides the
 * answer to each station CALL (a payload, a CALLERROR, silence, or dropping the connection), upgrades can be refused
 * per identity, and the test can drop connections and send its own CALLs. Every frame both ways is logged with
 * its time, identity and connection number. Listens on 127.0.0.1, port 0; stations connect to `${url}/ocpp/<id>`.
 */
import { encodeCall, encodeError, encodeResult, parseFrame, type Frame } from '../../src/ocpp/framing.js';
import { RpcError } from '../../src/ocpp/errors.js';
import { versionOf, type OcppVersion } from '../../src/ocpp/schemas.js';
import type { Payload } from '../../src/ocpp/session.js';
import { startOcppServer, type AuthDecision, type WsConnection } from '../../src/ocpp/transport.js';
import { minimalResponse } from './servers.js';

export interface LoggedFrame {
  readonly atMs: number;
  readonly identity: string;
  /** Connection number over the server's life (0, 1, ...). */
  readonly conn: number;
  readonly protocol: string;
  /** `toCsms`: from the station; `toStation`: from this server. */
  readonly dir: 'toCsms' | 'toStation';
  readonly text: string;
  readonly frame: Frame | undefined;
}

/** A station CALL the responder sees. */
export interface IncomingCall {
  readonly identity: string;
  readonly conn: number;
  readonly version: OcppVersion;
  readonly id: string;
  readonly action: string;
  readonly payload: Payload;
  readonly atMs: number;
}

/**
 * What to do with a station CALL: a payload (sent as CALLRESULT), an RpcError (CALLERROR), `'silence'` (never
 * answer), `'drop'` (terminate the TCP connection without answering), or undefined (the minimal valid response).
 */
export type Reaction = Payload | RpcError | 'silence' | 'drop' | undefined;
/** A promise of a reaction answers later (on the same connection, if it is still open). */
export type Responder = (call: IncomingCall, server: ScriptedServer) => Reaction | Promise<Reaction>;

export interface ScriptedOptions {
  protocols?: readonly string[];
  responder?: Responder;
  /** Decides each upgrade; default accept. */
  authenticate?(identity: string): AuthDecision;
}

interface Open {
  readonly conn: WsConnection;
  readonly n: number;
  readonly identity: string;
  readonly version: OcppVersion;
}

export interface ScriptedServer {
  readonly url: string;
  readonly log: readonly LoggedFrame[];
  /** Connections accepted so far, per identity (in order). */
  connections(identity?: string): number;
  /** Upgrades refused so far (authenticate said no). */
  readonly refused: readonly { identity: string; atMs: number }[];
  /** Connections accepted so far, with the time the handshake completed and the client's address:port. */
  readonly accepted: readonly { identity: string; conn: number; atMs: number; from: string }[];
  /** Station CALLs in arrival order (optionally of one identity and/or action). */
  calls(identity?: string, action?: string): IncomingCall[];
  /** Whether `identity` has an open connection. */
  isOpen(identity: string): boolean;
  /** Drops `identity`'s open connection without a closing handshake; returns whether there was one. */
  terminate(identity: string): boolean;
  /** Sends a CALL to `identity` and resolves with the answering frame (undefined: no answer within timeoutMs). */
  call(identity: string, action: string, payload: Payload, timeoutMs?: number): Promise<Frame | undefined>;
  close(): Promise<void>;
}

const BOTH = ['ocpp2.1', 'ocpp2.0.1'] as const;

export async function scriptedServer(opts: ScriptedOptions = {}): Promise<ScriptedServer> {
  const log: LoggedFrame[] = [];
  const refused: { identity: string; atMs: number }[] = [];
  const accepted: { identity: string; conn: number; atMs: number; from: string }[] = [];
  const calls: IncomingCall[] = [];
  const open = new Map<string, Open>();
  const perIdentity = new Map<string, number>();
  const waiting = new Map<string, (f: Frame) => void>();
  const timers = new Set<NodeJS.Timeout>();
  let conns = 0;
  let ids = 0;
  let self: ScriptedServer;

  const send = (o: Open, text: string): void => {
    const r = parseFrame(text);
    log.push({ atMs: Date.now(), identity: o.identity, conn: o.n, protocol: o.conn.protocol, dir: 'toStation', text, frame: r.ok ? r.frame : undefined });
    o.conn.send(text);
  };

  const onText = (o: Open, text: string): void => {
    const r = parseFrame(text);
    const atMs = Date.now();
    log.push({ atMs, identity: o.identity, conn: o.n, protocol: o.conn.protocol, dir: 'toCsms', text, frame: r.ok ? r.frame : undefined });
    if (!r.ok) return;
    const f = r.frame;
    if (f.type === 3 || f.type === 4) {
      const w = waiting.get(f.id);
      if (w) { waiting.delete(f.id); w(f); }
      return;
    }
    if (f.type !== 2) return;
    const call: IncomingCall = { identity: o.identity, conn: o.n, version: o.version, id: f.id, action: f.action, payload: f.payload as Payload, atMs };
    calls.push(call);
    const reaction = opts.responder?.(call, self);
    if (reaction instanceof Promise) {
      void reaction.then((later) => { if (open.get(o.identity) === o) react(o, f.id, f.action, later); });
      return;
    }
    react(o, f.id, f.action, reaction);
  };

  const react = (o: Open, id: string, action: string, reaction: Reaction): void => {
    if (reaction === 'silence') return;
    if (reaction === 'drop') { o.conn.terminate(); return; }
    if (reaction instanceof RpcError) { send(o, encodeError(4, id, reaction.rpcCode, reaction.message)); return; }
    send(o, encodeResult(id, reaction ?? minimalResponse(o.version, action)));
  };

  const server = await startOcppServer({
    host: '127.0.0.1',
    port: 0,
    protocols: opts.protocols ?? BOTH,
    authenticate(identity) {
      const d = opts.authenticate?.(identity) ?? 'accept';
      if (d !== 'accept') refused.push({ identity, atMs: Date.now() });
      return d;
    },
    onConnection(conn, identity, req) {
      const o: Open = { conn, n: conns++, identity, version: versionOf(conn.protocol) ?? '2.1' };
      open.set(identity, o);
      accepted.push({ identity, conn: o.n, atMs: Date.now(), from: `${req.socket.remoteAddress}:${req.socket.remotePort}` });
      perIdentity.set(identity, (perIdentity.get(identity) ?? 0) + 1);
      return {
        onText(text: string) { onText(o, text); },
        onClose() { if (open.get(identity) === o) open.delete(identity); },
      };
    },
  });

  self = {
    url: server.url,
    log,
    refused,
    accepted,
    connections: (identity) => identity === undefined ? conns : perIdentity.get(identity) ?? 0,
    calls: (identity, action) => calls.filter((c) => (identity === undefined || c.identity === identity) && (action === undefined || c.action === action)),
    isOpen: (identity) => open.has(identity),
    terminate(identity) {
      const o = open.get(identity);
      if (!o) return false;
      open.delete(identity);
      o.conn.terminate();
      return true;
    },
    call(identity, action, payload, timeoutMs = 3000) {
      const o = open.get(identity);
      if (!o) return Promise.resolve(undefined);
      const id = `csms-${ids++}`;
      return new Promise((resolve) => {
        const t = setTimeout(() => { timers.delete(t); waiting.delete(id); resolve(undefined); }, timeoutMs);
        timers.add(t);
        waiting.set(id, (f) => { clearTimeout(t); timers.delete(t); resolve(f); });
        send(o, encodeCall(id, action, payload));
      });
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const w of waiting.values()) w({ type: 4, id: '', code: 'GenericError', description: 'server closed', details: {} });
      waiting.clear();
      open.clear();
      await server.close();
    },
  };
  return self;
}
