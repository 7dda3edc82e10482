/**
 * An OCPP server with exact timing, run in its own process so that its timers do not share an event loop with
 * the stations being measured: answers every CALL `delayMs` after it arrived, and optionally holds every answer
 * back once (a stall) from `stallAtMs` after start for `stallMs`. Start it with `startTimedServer()`; the module
 * only serves when launched with CHARGESTORM_TIMED_SERVER set (node --test also loads helper modules).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeResult, parseFrame } from '../../src/ocpp/framing.js';
import { startOcppServer, type WsConnection } from '../../src/ocpp/transport.js';
import { minimalResponse } from './servers.js';

export interface TimedServerOptions { delayMs: number; stallAtMs?: number; stallMs?: number }
export interface TimedServer { url: string; close(): Promise<void> }

export async function startTimedServer(o: TimedServerOptions): Promise<TimedServer> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, CHARGESTORM_TIMED_SERVER: JSON.stringify(o) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve(String(m)));
    child.once('exit', (code) => reject(new Error(`timed server exited ${code}`)));
  });
  return {
    url,
    close: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}

// libuv timers start from the loop's cached time and fire within about a millisecond of their time, early or
// late: arm for the whole milliseconds left, then poll on setImmediate through the last one, so the answer goes
// out at its time and never before. The polling costs this process CPU, not the generator's (its own process).
function sendAt(conn: WsConnection, reply: string, due: number): void {
  const left = due - performance.now();
  if (left <= 0) conn.send(reply);
  else if (left < 1) setImmediate(sendAt, conn, reply, due);
  else setTimeout(sendAt, Math.floor(left), conn, reply, due);
}

async function serve(o: TimedServerOptions): Promise<void> {
  const t0 = performance.now();
  const stallFrom = o.stallAtMs ?? Infinity;
  const stallTo = stallFrom + (o.stallMs ?? 0);
  // Compile the schemas minimalResponse consults before any station connects.
  for (const a of ['BootNotification', 'Heartbeat', 'StatusNotification']) minimalResponse('2.1', a);
  const server = await startOcppServer({
    host: '127.0.0.1', port: 0, protocols: ['ocpp2.1'],
    onConnection(conn: WsConnection) {
      return {
        onText(text: string) {
          const arrived = performance.now();
          const r = parseFrame(text);
          if (!r.ok || r.frame.type !== 2) return;
          const reply = encodeResult(r.frame.id, minimalResponse('2.1', r.frame.action));
          // Due `delayMs` after arrival, or at the end of the stall if it falls inside it.
          let due = arrived + o.delayMs;
          if (due - t0 >= stallFrom && due - t0 < stallTo) due = t0 + stallTo;
          sendAt(conn, reply, due);
        },
        onClose() {},
      };
    },
  });
  process.send?.(`${server.url}/ocpp`);
  process.on('SIGTERM', () => { void server.close().then(() => process.exit(0)); });
}

if (process.env.CHARGESTORM_TIMED_SERVER) void serve(JSON.parse(process.env.CHARGESTORM_TIMED_SERVER) as TimedServerOptions);
