// The test instruments themselves: the tap forwards faithfully and records both directions; the audit flags what
// the acceptance tests rely on it to flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ConnectionEvents } from '../../src/ocpp/transport.js';
import { encodeCall } from '../../src/ocpp/framing.js';
import { auditFrames, type RecordedFrame } from './audit.js';
import { scriptedServer } from './scripted.js';
import { startTap } from './tap.js';
import { waitFor } from './fleet.js';

class Inbox implements ConnectionEvents {
  readonly texts: string[] = [];
  closed: number | null = null;
  onText(text: string): void { this.texts.push(text); }
  onClose(code: number): void { this.closed = code; }
}

test('tap: same path and subprotocol upstream, every frame recorded with its direction, refusals passed through', async () => {
  const server = await scriptedServer({ protocols: ['ocpp2.0.1'], authenticate: (id) => (id === 'NOPE' ? 404 : 'accept') });
  const tap = await startTap(server.url);
  try {
    const inbox = new Inbox();
    const r = await connect(`${tap.url}/ocpp/CS%7C1`, { protocols: ['ocpp2.1', 'ocpp2.0.1'], handshakeTimeoutMs: 2000 }, inbox);
    assert.ok(r.ok);
    assert.equal(r.conn.protocol, 'ocpp2.0.1', 'the upstream choice reaches the station');
    r.conn.send(encodeCall('m1', 'Heartbeat', {}));
    assert.ok(await waitFor(() => inbox.texts.length === 1, 2000));
    assert.deepEqual(server.calls().map((c) => [c.identity, c.action]), [['CS|1', 'Heartbeat']]);
    const pending = server.call('CS|1', 'ClearCache', {});
    assert.ok(await waitFor(() => inbox.texts.length === 2, 2000));
    const callId = (JSON.parse(inbox.texts[1]!) as unknown[])[1] as string;
    r.conn.send(JSON.stringify([3, callId, { status: 'Accepted' }]));
    assert.equal((await pending)?.type, 3);
    assert.deepEqual(tap.frames.map((f) => [f.dir, f.identity, f.protocol, f.conn]), [
      ['toCsms', 'CS|1', 'ocpp2.0.1', 0], ['toStation', 'CS|1', 'ocpp2.0.1', 0],
      ['toStation', 'CS|1', 'ocpp2.0.1', 0], ['toCsms', 'CS|1', 'ocpp2.0.1', 0],
    ]);
    assert.deepEqual(tap.frames.map((f) => f.text), server.log.map((l) => l.text), 'byte-identical, same order');
    // A close from upstream reaches the station.
    server.terminate('CS|1');
    assert.ok(await waitFor(() => inbox.closed !== null, 2000));

    const refused = await connect(`${tap.url}/ocpp/NOPE`, { protocols: ['ocpp2.0.1'], handshakeTimeoutMs: 2000 }, new Inbox());
    assert.equal(!refused.ok && refused.kind, 'http-status');
    assert.equal(!refused.ok && refused.status, 404);
    assert.equal(tap.connections, 1);
  } finally {
    await tap.close();
    await server.close();
  }
});

test('audit: flags invalid requests, invalid results, unknown ids, CALLERRORs, 2.1-only traffic on 2.0.1', () => {
  const f = (dir: 'toCsms' | 'toStation', text: string, protocol = 'ocpp2.1'): RecordedFrame => ({ conn: 0, protocol, dir, text });
  const clean = auditFrames([
    f('toCsms', '[2,"a","Heartbeat",{}]'), f('toStation', '[3,"a",{"currentTime":"2026-01-01T00:00:00Z"}]'),
    f('toStation', '[2,"b","ClearCache",{}]'), f('toCsms', '[3,"b",{"status":"Accepted"}]'),
  ]);
  assert.deepEqual([clean.stationProblems, clean.csmsProblems, clean.errors], [[], [], []]);
  assert.deepEqual(clean.stationCalls[0]?.response, { currentTime: '2026-01-01T00:00:00Z' });
  assert.equal(clean.answered.get('ClearCache'), 1);

  const bad = auditFrames([
    f('toCsms', '[2,"a","Heartbeat",{"extra":1}]'),
    f('toStation', '[2,"b","ClearCache",{}]'), f('toCsms', '[3,"b",{"status":"Maybe"}]'),
    f('toCsms', '[3,"zz",{}]'),
    f('toStation', '[4,"a","GenericError","no",{}]'),
    f('toCsms', 'not json'),
    f('toCsms', '[2,"c","NotifyPeriodicEventStream",{}]', 'ocpp2.0.1'),
    f('toCsms', '[6,"d","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2026-01-01T00:00:00Z","data":[]}]', 'ocpp2.0.1'),
  ]);
  const p = bad.stationProblems.join('\n');
  assert.match(p, /HeartbeatRequest FormatViolation/);
  assert.match(p, /ClearCacheResponse PropertyConstraintViolation/);
  assert.match(p, /CALLRESULT for unknown id zz/);
  assert.match(p, /unparsable frame not json/);
  assert.match(p, /2\.1-only action NotifyPeriodicEventStream on ocpp2\.0\.1/);
  assert.match(p, /message type 6 on ocpp2\.0\.1/);
  assert.deepEqual(bad.errors, ['csms@0 Heartbeat CALLERROR GenericError: no']);
});
