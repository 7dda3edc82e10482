import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCsms, type Csms } from '../../src/csms/server.js';
import { validatorFor } from '../../src/ocpp/schemas.js';
import { TestClient, until } from './client.js';

/** Nothing the CSMS sent was invalid: no InternalError (an invalid response becomes one) and the client saw no bad frame. */
function assertClean(csms: Csms, ...clients: TestClient[]): void {
  assert.equal(csms.stats().callErrorsSent.InternalError, undefined);
  assert.equal(csms.stats().protocolEvents['invalid-out'], undefined);
  for (const c of clients) assert.deepEqual(c.observer.protocol, [], `${c.id} saw protocol problems`);
}

test('boot Accepted with the scenario interval, then Heartbeat', async () => {
  const csms = await startCsms({ spec: { heartbeatInterval: 42 } });
  try {
    const c = await TestClient.open(csms.url, 'CS-BOOT');
    assert.equal(c.version, '2.1');
    const boot = await c.boot();
    assert.equal(boot.status, 'Accepted');
    assert.equal(boot.interval, 42);
    assert.ok(!Number.isNaN(Date.parse(boot.currentTime)));
    const hb = await c.call('Heartbeat', {});
    assert.ok(hb.ok);
    assert.ok(Math.abs(Date.parse(hb.payload.currentTime) - Date.now()) < 5000);
    const st = csms.station('CS-BOOT')!;
    assert.equal(st.bootStatus, 'Accepted');
    assert.equal(st.bootReason, 'PowerUp');
    assert.equal(st.version, '2.1');
    assert.ok(st.lastHeartbeatMs > 0);
    const s = csms.stats();
    assert.equal(s.connected, 1);
    assert.equal(s.accepted, 1);
    assert.deepEqual(s.boots, { total: 1, accepted: 1, pending: 0, rejected: 0 });
    assert.equal(s.heartbeats, 1);
    assert.deepEqual(s.callsIn, { BootNotification: 1, Heartbeat: 1 });
    assert.deepEqual(s.protocols, { 'ocpp2.1': 1 });
    assertClean(csms, c);
    await c.close();
    await until(() => csms.stats().connected === 0);
    assert.equal(csms.station('CS-BOOT')!.connected, false);
    assert.equal(csms.stats().disconnects, 1);
  } finally {
    await csms.close();
  }
});

test('a CALL before the boot is accepted gets SecurityError', async () => {
  const csms = await startCsms();
  try {
    const c = await TestClient.open(csms.url, 'CS-EARLY');
    const hb = await c.call('Heartbeat', {});
    assert.equal(hb.ok, false);
    assert.equal(!hb.ok && hb.kind, 'callerror');
    assert.equal(!hb.ok && hb.code, 'SecurityError');
    const st = await c.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    assert.equal(!st.ok && st.code, 'SecurityError');
    assert.equal(csms.stats().callErrorsSent.SecurityError, 2);
    assert.equal(csms.station('CS-EARLY')!.connectorStatus(1), undefined);
    await c.boot();
    assert.ok((await c.call('Heartbeat', {})).ok);
    assertClean(csms, c);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('Pending boot: retry interval, only invited CALLs, then Accepted on the next boot', async () => {
  const csms = await startCsms({ spec: { bootStatus: 'Pending', heartbeatInterval: 300 }, bootRetryInterval: 2 });
  try {
    const c = await TestClient.open(csms.url, 'CS-PEND');
    const first = await c.boot();
    assert.equal(first.status, 'Pending');
    assert.equal(first.interval, 2);
    const hb = await c.call('Heartbeat', {});
    assert.equal(!hb.ok && hb.code, 'SecurityError');
    // A Pending station may answer what the CSMS asks and send the resulting NotifyReport (FLOWS.md §2.1).
    const report = await csms.send('CS-PEND', 'GetBaseReport', { requestId: 77, reportBase: 'ConfigurationInventory' });
    assert.ok(report.ok);
    assert.equal(report.payload.status, 'Accepted');
    const part = await c.call('NotifyReport', { requestId: 77, generatedAt: new Date().toISOString(), seqNo: 0, tbc: true });
    assert.ok(part.ok);
    const last = await c.call('NotifyReport', { requestId: 77, generatedAt: new Date().toISOString(), seqNo: 1 });
    assert.ok(last.ok);
    const extra = await c.call('NotifyReport', { requestId: 77, generatedAt: new Date().toISOString(), seqNo: 2 });
    assert.equal(!extra.ok && extra.code, 'SecurityError');
    assert.deepEqual(csms.stats().reports, { requested: 1, notifyReports: 2, completed: 1 });
    assert.equal(csms.stats().accepted, 0);
    const second = await c.boot();
    assert.equal(second.status, 'Accepted');
    assert.equal(second.interval, 300);
    assert.ok((await c.call('Heartbeat', {})).ok);
    assert.deepEqual(csms.stats().boots, { total: 2, accepted: 1, pending: 1, rejected: 0 });
    assertClean(csms, c);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('Rejected boot, then Accepted; scheduled commands skip stations not accepted', async () => {
  const csms = await startCsms({
    spec: { bootStatus: 'Rejected', commands: [{ at: 0, every: 0, action: 'GetVariables', fraction: 1, params: {} }] },
    bootRetryInterval: 1,
  });
  try {
    const c = await TestClient.open(csms.url, 'CS-REJ');
    assert.equal((await c.boot()).status, 'Rejected');
    csms.startSchedule();
    csms.tick();
    assert.equal(csms.stats().commands.GetVariables, undefined);
    assert.equal((await c.boot()).status, 'Accepted');
    assert.equal(csms.stats().boots.rejected, 1);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('a 2.0.1-only CSMS negotiates ocpp2.0.1 and speaks the 2.0.1 schemas', async () => {
  const csms = await startCsms({ protocols: ['ocpp2.0.1'] });
  try {
    const c = await TestClient.open(csms.url, 'CS-201');
    assert.equal(c.conn.protocol, 'ocpp2.0.1');
    assert.equal(c.version, '2.0.1');
    const boot = await c.boot();
    assert.equal(boot.status, 'Accepted');
    assert.equal(validatorFor('2.0.1').response('BootNotification', boot), null);
    assert.equal(csms.station('CS-201')!.version, '2.0.1');
    // A 2.1-only action does not exist on this connection.
    const vat = await c.session.call('VatNumberValidation', { vatNumber: 'NL1' }, { raw: true });
    assert.equal(!vat.ok && vat.code, 'NotImplemented');
    // A client that offers only 2.1 gets no subprotocol.
    const only21 = await TestClient.tryOpen(csms.url, 'CS-21', { protocols: ['ocpp2.1'] });
    assert.equal(only21.ok, false);
    assert.equal(!only21.ok && only21.kind, 'no-subprotocol');
    assert.deepEqual(csms.stats().protocols, { 'ocpp2.0.1': 1 });
    assertClean(csms, c);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('send() reaches a connected station and counts the outcome; unknown station → disconnected', async () => {
  const csms = await startCsms();
  try {
    const c = await TestClient.open(csms.url, 'CS-SEND');
    await c.boot();
    const o = await csms.send('CS-SEND', 'UnlockConnector', { evseId: 1, connectorId: 1 });
    assert.ok(o.ok);
    assert.equal(o.payload.status, 'Unlocked');
    assert.deepEqual(c.received.map((r) => r.action), ['UnlockConnector']);
    const bad = await csms.send('CS-SEND', 'UnlockConnector', { evseId: 'one' });
    assert.equal(!bad.ok && bad.kind, 'invalid-request');
    const gone = await csms.send('NOBODY', 'Reset', { type: 'Immediate' });
    assert.equal(!gone.ok && gone.kind, 'disconnected');
    // An invalid answer is refused by the client's own session, which reports InternalError instead.
    c.responder = () => ({ status: 'Nonsense' });
    const invalid = await csms.send('CS-SEND', 'Reset', { type: 'Immediate' });
    assert.equal(!invalid.ok && invalid.code, 'InternalError');
    const s = csms.stats();
    assert.deepEqual(s.commands.UnlockConnector, { sent: 2, skipped: 0, outcomes: { Unlocked: 1, 'invalid-request': 1 } });
    assert.deepEqual(s.commands.Reset, { sent: 2, skipped: 0, outcomes: { disconnected: 1, 'callerror:InternalError': 1 } });
    await c.close();
  } finally {
    await csms.close();
  }
});

test('a second connection of the same identity replaces the first; state survives reconnects', async () => {
  const csms = await startCsms();
  try {
    const a = await TestClient.open(csms.url, 'CS-DUP');
    await a.boot();
    const b = await TestClient.open(csms.url, 'CS-DUP');
    await until(() => a.closed);
    // No new BootNotification after a plain reconnect (FLOWS.md §1.6): the boot is remembered.
    assert.ok((await b.call('Heartbeat', {})).ok);
    const s = csms.stats();
    assert.equal(s.duplicateConnections, 1);
    assert.equal(s.stationsSeen, 1);
    await until(() => csms.stats().connected === 1);
    assert.equal(csms.station('CS-DUP')!.connected, true);
    assert.deepEqual(csms.connectedIds(), ['CS-DUP']);
    await b.close();
  } finally {
    await csms.close();
  }
});

test('liveness: a connected station silent beyond the limit counts as stale', async () => {
  const { ManualClock } = await import('../../src/util/clock.js');
  const clock = new ManualClock(Date.now());
  const csms = await startCsms({ clock, spec: { heartbeatInterval: 10 }, staleAfterIntervals: 2 });
  try {
    const c = await TestClient.open(csms.url, 'CS-QUIET');
    await c.boot();
    csms.tick();
    assert.equal(csms.stats().stale, 0);
    clock.advance(21_000);
    csms.tick();
    assert.equal(csms.stats().stale, 1);
    assert.ok((await c.call('Heartbeat', {})).ok);
    clock.advance(1_000);
    csms.tick();
    assert.equal(csms.stats().stale, 0);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('with validation off, malformed payloads get a CALLERROR, never a crash', async () => {
  const csms = await startCsms({ validation: 'off' });
  try {
    const c = await TestClient.open(csms.url, 'CS-GARBAGE');
    await c.boot();
    for (const action of ['TransactionEvent', 'NotifyEvent', 'GetCertificateChainStatus', 'StatusNotification', 'Authorize']) {
      const o = await c.session.call(action, { nonsense: true }, { raw: true });
      assert.ok(o.ok || o.kind === 'callerror' || o.kind === 'invalid-response', `${action}: ${JSON.stringify(o)}`);
    }
    assert.ok((await c.call('Heartbeat', {})).ok);
    await c.close();
  } finally {
    await csms.close();
  }
});

test('a port already in use is a ToolError', async () => {
  const a = await startCsms();
  try {
    await assert.rejects(startCsms({ port: a.port }), (e: Error & { code?: string }) => e.code === 'E_CSMS_LISTEN');
  } finally {
    await a.close();
  }
});
