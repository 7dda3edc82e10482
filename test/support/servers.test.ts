import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/util/clock.js';
import { IdSource } from '../../src/util/ids.js';
import { encodeCall, parseFrame } from '../../src/ocpp/framing.js';
import { validatorFor, versionOf, type OcppVersion } from '../../src/ocpp/schemas.js';
import { RpcSession } from '../../src/ocpp/session.js';
import { connect, type ConnectionEvents, type WsConnection } from '../../src/ocpp/transport.js';
import { RecordingObserver } from './fakes.js';
import {
  closingServer, garbageFrames, garbageServer, minimalResponse, recordingServer, silentServer, slowServer, versionServer,
  type TestServer,
} from './servers.js';

const servers: TestServer[] = [];
const conns: WsConnection[] = [];
after(async () => {
  for (const c of conns) c.terminate();
  await Promise.all(servers.map((s) => s.close()));
});

async function track<T extends TestServer>(p: Promise<T>): Promise<T> {
  const s = await p;
  servers.push(s);
  return s;
}

/** Collects a client connection's frames and lets a test wait for a condition on them. */
class Inbox implements ConnectionEvents {
  readonly texts: string[] = [];
  closed: { code: number; reason: string } | null = null;
  private wake: (() => void) | null = null;
  onText(text: string): void { this.texts.push(text); this.wake?.(); }
  onClose(code: number, reason: string): void { this.closed = { code, reason }; this.wake?.(); }

  async until(what: string, cond: () => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(this.texts)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => { clearTimeout(t); r(); };
      });
      this.wake = null;
    }
  }
  frames(): unknown[][] { return this.texts.map((t) => JSON.parse(t) as unknown[]); }
}

async function client(url: string, identity = 'CS001', protocols: string[] = ['ocpp2.1', 'ocpp2.0.1']): Promise<{ conn: WsConnection; inbox: Inbox }> {
  const inbox = new Inbox();
  const r = await connect(`${url}/ocpp/${identity}`, { protocols, handshakeTimeoutMs: 2000 }, inbox);
  if (!r.ok) return assert.fail(`connect failed: ${r.kind} ${r.detail}`);
  conns.push(r.conn);
  return { conn: r.conn, inbox };
}

const BOOT = { reason: 'PowerUp', chargingStation: { model: 'SIM-AC22', vendorName: 'SimVendor' } };
const TX = {
  eventType: 'Started', timestamp: '2026-01-01T12:00:00Z', triggerReason: 'Authorized', seqNo: 0,
  transactionInfo: { transactionId: 'tx-1' },
};

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Asserts `text` is a CALLRESULT for `id` whose payload is valid for `action` in `version`. */
function assertValidResult(text: string, id: string, action: string, version: OcppVersion): void {
  const r = parseFrame(text);
  assert.ok(r.ok && r.frame.type === 3, text);
  assert.equal(r.frame.id, id);
  assert.equal(validatorFor(version).response(action, r.frame.payload), null, `${action} response ${text}`);
}

const STATION_ACTIONS = [
  'BootNotification', 'Heartbeat', 'StatusNotification', 'NotifyEvent', 'Authorize', 'TransactionEvent', 'MeterValues',
  'NotifyReport', 'SecurityEventNotification',
];

test('minimalResponse is schema-valid for the common station actions in both versions', () => {
  for (const version of ['2.1', '2.0.1'] as const) {
    for (const action of STATION_ACTIONS) {
      assert.equal(validatorFor(version).response(action, minimalResponse(version, action)), null, `${version} ${action}`);
    }
    // Beyond the table: `{status: 'Accepted'}` where the schema wants a status.
    assert.deepEqual(minimalResponse(version, 'FirmwareStatusNotification'), {});
    assert.deepEqual(minimalResponse(version, 'DataTransfer'), { status: 'Accepted' });
    assert.deepEqual(minimalResponse(version, 'NoSuchAction'), {});
  }
  assert.equal(minimalResponse('2.1', 'BootNotification').status, 'Accepted');
});

test('recordingServer answers every CALL correctly and records every frame', async () => {
  const s = await track(recordingServer());
  const { conn, inbox } = await client(s.url, 'CS001');
  assert.equal(conn.protocol, 'ocpp2.1');
  const sent = STATION_ACTIONS.map((action, i) => encodeCall(`m${i}`, action, action === 'BootNotification' ? BOOT : {}));
  for (const text of sent) conn.send(text);
  await inbox.until('all answers', () => inbox.texts.length === sent.length);
  STATION_ACTIONS.forEach((action, i) => assertValidResult(inbox.texts[i]!, `m${i}`, action, '2.1'));
  assert.deepEqual(s.received, sent);
  assert.equal(s.connections, 1);
  assert.deepEqual(s.identities, ['CS001']);
  assert.deepEqual(s.protocols, ['ocpp2.1']);

  // Non-CALL frames are recorded but not answered.
  conn.send('[3,"csms-1",{}]');
  s.broadcast(encodeCall('csms-2', 'ClearCache', {}));
  await inbox.until('the broadcast CALL', () => inbox.texts.length === sent.length + 1);
  assert.deepEqual(inbox.frames().at(-1), [2, 'csms-2', 'ClearCache', {}]);
  await sleep(20);
  assert.equal(s.received.at(-1), '[3,"csms-1",{}]');
  assert.equal(inbox.texts.length, sent.length + 1);
});

test('silentServer accepts and records, but never answers', async () => {
  const s = await track(silentServer());
  const { conn, inbox } = await client(s.url);
  const call = encodeCall('h1', 'Heartbeat', {});
  conn.send(call);
  await sleep(150);
  assert.deepEqual(inbox.texts, []);
  assert.deepEqual(s.received, [call]);
  assert.equal(s.connections, 1);
  assert.equal(inbox.closed, null);
});

test('slowServer answers correctly, only after the delay', async () => {
  const s = await track(slowServer(150));
  const { conn, inbox } = await client(s.url);
  const t0 = performance.now();
  conn.send(encodeCall('b1', 'BootNotification', BOOT));
  await sleep(60);
  assert.deepEqual(inbox.texts, [], 'not before the delay');
  await inbox.until('the answer', () => inbox.texts.length === 1);
  assert.ok(performance.now() - t0 >= 140, `answered after ${performance.now() - t0} ms`);
  assertValidResult(inbox.texts[0]!, 'b1', 'BootNotification', '2.1');
});

test('closingServer({onAction, times: 1}) drops the first TransactionEvent, then behaves', async () => {
  const s = await track(closingServer({ onAction: 'TransactionEvent', times: 1 }));
  const first = await client(s.url, 'CS-A');
  first.conn.send(encodeCall('b1', 'BootNotification', BOOT));
  await first.inbox.until('boot answer', () => first.inbox.texts.length === 1);
  first.conn.send(encodeCall('t1', 'TransactionEvent', TX));
  await first.inbox.until('the drop', () => first.inbox.closed !== null);
  assert.equal(first.inbox.closed!.code, 1006, 'terminated without a closing handshake');
  assert.equal(first.inbox.texts.length, 1, 'the TransactionEvent was not answered');
  assert.equal(s.drops, 1);

  const second = await client(s.url, 'CS-A');
  second.conn.send(encodeCall('t2', 'TransactionEvent', TX));
  await second.inbox.until('the answer', () => second.inbox.texts.length === 1);
  assertValidResult(second.inbox.texts[0]!, 't2', 'TransactionEvent', '2.1');
  assert.equal(s.drops, 1);
  assert.equal(s.connections, 2);
  assert.equal(second.inbox.closed, null);
});

test('closingServer({afterMessages: 2, how: "close"}) closes with 1011 on the second frame of every connection', async () => {
  const s = await track(closingServer({ afterMessages: 2, how: 'close' }));
  for (let round = 1; round <= 2; round++) {
    const { conn, inbox } = await client(s.url);
    conn.send(encodeCall('h1', 'Heartbeat', {}));
    await inbox.until('first answer', () => inbox.texts.length === 1);
    conn.send(encodeCall('h2', 'Heartbeat', {}));
    await inbox.until('the close', () => inbox.closed !== null);
    assert.equal(inbox.closed!.code, 1011);
    assert.equal(inbox.texts.length, 1);
    assert.equal(s.drops, round);
  }
  await assert.rejects(closingServer({}), /afterMessages or onAction/);
});

test('garbageServer sends garbage, yet a station session still gets its answer', async () => {
  const s = await track(garbageServer());
  const obs = new RecordingObserver();
  const session = new RpcSession({
    version: '2.1', validator: validatorFor('2.1'), validation: 'strict', callTimeoutMs: 2000,
    ids: new IdSource('st-'), clock: systemClock, observer: obs,
  }, { handleCall: () => ({ versionNumber: 1 }) });
  const inbox = new Inbox();
  const events: ConnectionEvents = {
    onText: (t) => { inbox.onText(t); session.onText(t); },
    onClose: (c, r) => { inbox.onClose(c, r); session.detach(); },
  };
  const r = await connect(`${s.url}/ocpp/CS-G`, { protocols: ['ocpp2.1'], handshakeTimeoutMs: 2000 }, events);
  assert.ok(r.ok);
  conns.push(r.conn);
  session.attach(r.conn);

  const o = await session.call('Heartbeat', {});
  assert.equal(o.ok, true, JSON.stringify(o));
  assert.deepEqual(inbox.texts.slice(0, -1), garbageFrames(0));
  const kinds = new Set(obs.kinds());
  for (const k of ['garbage-in', 'ignored-type', 'unexpected-result', 'invalid-call-in'] as const) assert.ok(kinds.has(k), `no ${k} in ${[...kinds]}`);
  assert.deepEqual(obs.incoming, [{ action: 'GetLocalListVersion', code: 'FormatViolation' }, { action: 'NoSuchAction', code: 'NotImplemented' }]);

  // What the station answered is on record at the server: CALLERRORs for the garbage it could not read or accept.
  await sleep(20);
  const answers = s.received.slice(1).map((t) => JSON.parse(t) as unknown[]);
  assert.deepEqual(answers.map((f) => f.slice(0, 3)), [
    [4, '-1', 'RpcFrameworkError'], [4, '-1', 'RpcFrameworkError'], [4, '-1', 'RpcFrameworkError'],
    [4, 'g0-bad-payload', 'FormatViolation'], [4, 'g0-no-action', 'NotImplemented'],
  ]);
  session.detach();
});

test('versionServer(["ocpp2.0.1"]) negotiates only 2.0.1 and answers in 2.0.1', async () => {
  const s = await track(versionServer(['ocpp2.0.1']));
  const { conn, inbox } = await client(s.url, 'CS-V', ['ocpp2.1', 'ocpp2.0.1']);
  assert.equal(conn.protocol, 'ocpp2.0.1');
  assert.equal(versionOf(conn.protocol), '2.0.1');
  conn.send(encodeCall('b1', 'BootNotification', BOOT));
  await inbox.until('boot answer', () => inbox.texts.length === 1);
  assertValidResult(inbox.texts[0]!, 'b1', 'BootNotification', '2.0.1');

  const refused = await connect(`${s.url}/ocpp/CS-V2`, { protocols: ['ocpp2.1'], handshakeTimeoutMs: 2000 }, new Inbox());
  assert.equal(refused.ok, false);
  assert.ok(!refused.ok && refused.kind === 'no-subprotocol', JSON.stringify(refused));
  assert.deepEqual(s.protocols, ['ocpp2.0.1']);
});

test('close() drops connected stations', async () => {
  const s = await recordingServer();
  const { inbox } = await client(s.url);
  await s.close();
  await inbox.until('the close', () => inbox.closed !== null);
  assert.equal(inbox.closed!.code, 1006);
});
