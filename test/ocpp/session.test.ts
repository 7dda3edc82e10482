import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/clock.js';
import { IdSource } from '../../src/util/ids.js';
import { NotSupported, RpcError } from '../../src/ocpp/errors.js';
import { encodeCall, encodeError, encodeResult, encodeSend } from '../../src/ocpp/framing.js';
import { validatorFor, type OcppVersion } from '../../src/ocpp/schemas.js';
import { RpcSession, type CallOutcome, type IncomingHandler, type Payload, type ValidationMode } from '../../src/ocpp/session.js';
import { sweeper } from '../../src/ocpp/sweeper.js';
import { FakeWire, RecordingObserver, flush } from '../support/fakes.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const T0_US = T0 * 1000;
const NOW = '2026-01-01T12:00:00Z';
const BOOT = { reason: 'PowerUp', chargingStation: { model: 'SIM-AC22', vendorName: 'SimVendor' } };
const BOOT_RES = { currentTime: NOW, interval: 300, status: 'Accepted' };
const HB_RES = { currentTime: NOW };
const STREAM = { id: 1, pending: 0, basetime: NOW, data: [{ t: 0, v: '230.4' }] };
const BATTERY_SWAP = {
  eventType: 'BatteryIn', requestId: 1, idToken: { idToken: 'A', type: 'Central' },
  batteryData: [{ evseId: 1, serialNumber: 'B1', soC: 50, soH: 90 }],
};

/** A handler whose answer each test can replace; records what it was given. */
class TestHandler implements IncomingHandler {
  readonly calls: { action: string; payload: Payload }[] = [];
  readonly sends: { action: string; payload: Payload }[] = [];
  answer: (action: string, payload: Payload) => Payload | RpcError | Promise<Payload | RpcError> = () => ({ status: 'Accepted' });
  handleCall(action: string, payload: Payload): Payload | RpcError | Promise<Payload | RpcError> {
    this.calls.push({ action, payload });
    return this.answer(action, payload);
  }
  handleSend(action: string, payload: Payload): void {
    this.sends.push({ action, payload });
  }
}

interface Setup {
  s: RpcSession;
  clock: ManualClock;
  wire: FakeWire;
  obs: RecordingObserver;
  handler: TestHandler;
}

const live: RpcSession[] = [];
afterEach(() => {
  // Leave nothing registered with the process-wide sweeper.
  for (const s of live.splice(0)) s.detach();
});

function setup(o: { version?: OcppVersion; validation?: ValidationMode; timeoutMs?: number } = {}): Setup {
  const version = o.version ?? '2.1';
  const clock = new ManualClock(T0);
  const wire = new FakeWire();
  const obs = new RecordingObserver();
  const handler = new TestHandler();
  const s = new RpcSession({
    version,
    validator: validatorFor(version),
    validation: o.validation ?? 'strict',
    callTimeoutMs: o.timeoutMs ?? 30_000,
    ids: new IdSource('t-'),
    clock,
    observer: obs,
  }, handler);
  s.attach(wire);
  live.push(s);
  return { s, clock, wire, obs, handler };
}

/** Records when a call's promise settles, so tests can assert it has not yet. */
function track(p: Promise<CallOutcome>): { outcome: CallOutcome | undefined; p: Promise<CallOutcome> } {
  const t = { outcome: undefined as CallOutcome | undefined, p };
  void p.then((o) => { t.outcome = o; });
  return t;
}

function idOf(frame: unknown[]): string {
  assert.equal(typeof frame[1], 'string');
  return frame[1] as string;
}

// ---------------------------------------------------------------------------------------------- calls out

test('one outstanding call per direction: the second waits until the first is answered', async () => {
  const { s, wire, obs } = setup();
  const a = track(s.call('BootNotification', BOOT));
  const b = track(s.call('Heartbeat', {}));
  assert.equal(wire.sent.length, 1);
  assert.deepEqual(wire.frames()[0]!.slice(0, 3), [2, 't-0', 'BootNotification']);
  assert.equal(s.busy, true);
  assert.equal(s.queued, 1);

  s.onText(encodeResult('t-0', BOOT_RES));
  assert.deepEqual(await a.p, { ok: true, payload: BOOT_RES });
  assert.equal(wire.sent.length, 2);
  assert.deepEqual(wire.frames()[1], [2, 't-1', 'Heartbeat', {}]);
  assert.equal(s.queued, 0);
  assert.equal(b.outcome, undefined);

  s.onText(encodeResult('t-1', HB_RES));
  assert.deepEqual(await b.p, { ok: true, payload: HB_RES });
  assert.equal(s.busy, false);
  assert.deepEqual(obs.calls.map((c) => [c.action, c.outcome.ok]), [['BootNotification', true], ['Heartbeat', true]]);
  assert.deepEqual(obs.events, []);
});

test('message ids are unique over many calls, including SENDs', async () => {
  const { s, wire } = setup();
  for (let i = 0; i < 50; i++) {
    const p = s.call('Heartbeat', {});
    assert.ok(s.sendUnconfirmed('NotifyPeriodicEventStream', STREAM));
    const call = wire.frames().filter((f) => f[0] === 2).at(-1)!;
    s.onText(encodeResult(idOf(call), HB_RES));
    assert.equal((await p).ok, true);
  }
  const ids = wire.frames().map(idOf);
  assert.equal(ids.length, 100);
  assert.equal(new Set(ids).size, 100);
});

test('a CALLERROR answer ends the call as callerror with its code and description', async () => {
  const { s, wire } = setup();
  const p = s.call('Heartbeat', {});
  s.onText(encodeError(4, idOf(wire.last()), 'SecurityError', 'boot first'));
  assert.deepEqual(await p, { ok: false, kind: 'callerror', code: 'SecurityError', description: 'boot first' });
  assert.equal(s.busy, false);
});

test('answers for unknown ids are reported and leave the pending call alone', async () => {
  const { s, wire, obs } = setup();
  const p = track(s.call('Heartbeat', {}));
  s.onText(encodeResult('nope', HB_RES));
  s.onText(encodeError(4, 'nope', 'GenericError', ''));
  assert.deepEqual(obs.kinds(), ['unexpected-result', 'unexpected-result']);
  await flush();
  assert.equal(p.outcome, undefined);
  s.onText(encodeResult(idOf(wire.last()), HB_RES));
  assert.equal((await p.p).ok, true);
});

// ---------------------------------------------------------------------------------------------- calls in

test('an incoming CALL is answered while our own CALL is pending', async () => {
  const { s, wire, handler, obs } = setup();
  const p = track(s.call('BootNotification', BOOT));
  s.onText(encodeCall('csms-1', 'ClearCache', {}));
  assert.deepEqual(handler.calls, [{ action: 'ClearCache', payload: {} }]);
  assert.deepEqual(wire.frames()[1], [3, 'csms-1', { status: 'Accepted' }]);
  assert.deepEqual(obs.incoming, [{ action: 'ClearCache', code: null }]);
  await flush();
  assert.equal(p.outcome, undefined, 'our call is still pending');
  assert.equal(s.busy, true);
  s.onText(encodeResult('t-0', BOOT_RES));
  assert.equal((await p.p).ok, true);
});

test('invalid incoming payloads are answered with the matching CALLERROR and never reach the handler', () => {
  const { s, wire, handler, obs } = setup();
  const cases: [string, unknown, string][] = [
    ['ClearCache', { bogus: 1 }, 'FormatViolation'],
    ['Reset', {}, 'OccurrenceConstraintViolation'],
    ['Reset', { type: 'Sometime' }, 'PropertyConstraintViolation'],
    ['Reset', { type: 'Immediate', evseId: '1' }, 'TypeConstraintViolation'],
  ];
  cases.forEach(([action, payload, code], i) => {
    s.onText(encodeCall(`in-${i}`, action, payload));
    const f = wire.last();
    assert.deepEqual(f.slice(0, 3), [4, `in-${i}`, code], `${action} ${JSON.stringify(payload)}`);
    assert.equal(typeof f[3], 'string');
    assert.ok((f[3] as string).length > 0 && (f[3] as string).length <= 255);
  });
  assert.deepEqual(handler.calls, []);
  assert.deepEqual(obs.incoming.map((x) => x.code), cases.map((c) => c[2]));
  assert.deepEqual(obs.kinds(), ['invalid-call-in', 'invalid-call-in', 'invalid-call-in', 'invalid-call-in']);
});

test('a CALL whose payload is not an object is a FormatViolation; an unreadable frame is answered under "-1"', () => {
  const { s, wire, obs, handler } = setup();
  s.onText('[2,"in-1","ClearCache",[]]');
  assert.deepEqual(wire.last().slice(0, 3), [4, 'in-1', 'FormatViolation']);
  assert.deepEqual(obs.incoming, [{ action: 'ClearCache', code: 'FormatViolation' }]);
  s.onText('this is not json');
  assert.deepEqual(wire.last().slice(0, 3), [4, '-1', 'RpcFrameworkError']);
  assert.deepEqual(obs.kinds(), ['garbage-in', 'garbage-in']);
  assert.deepEqual(handler.calls, []);
});

test('unknown message types are ignored; malformed results and errors are not answered', () => {
  const { s, wire, obs } = setup();
  s.onText('[7,"u1","Heartbeat",{}]');
  s.onText('[3,"r1",{},{}]');
  s.onText('[4,"e1","GenericError"]');
  assert.deepEqual(wire.sent, []);
  assert.deepEqual(obs.kinds(), ['ignored-type', 'garbage-in', 'garbage-in']);
});

test('unknown action → NotImplemented', () => {
  const { s, wire, handler, obs } = setup();
  s.onText(encodeCall('in-1', 'MakeCoffee', {}));
  assert.deepEqual(wire.last().slice(0, 3), [4, 'in-1', 'NotImplemented']);
  assert.deepEqual(handler.calls, []);
  assert.deepEqual(obs.incoming, [{ action: 'MakeCoffee', code: 'NotImplemented' }]);
});

test('handler throwing or returning an RpcError → CALLERROR with its code, description and details', () => {
  const { s, wire, handler, obs } = setup();
  handler.answer = () => { throw new NotSupported('no display', { why: 'headless' }); };
  s.onText(encodeCall('in-1', 'ClearDisplayMessage', { id: 1 }));
  assert.deepEqual(wire.last(), [4, 'in-1', 'NotSupported', 'no display', { why: 'headless' }]);
  handler.answer = () => new RpcError('SecurityError', 'not accepted yet');
  s.onText(encodeCall('in-2', 'ClearCache', {}));
  assert.deepEqual(wire.last(), [4, 'in-2', 'SecurityError', 'not accepted yet', {}]);
  assert.deepEqual(obs.incoming.map((x) => x.code), ['NotSupported', 'SecurityError']);
});

test('handler throwing a generic error, or returning no payload → InternalError', () => {
  const { s, wire, handler, obs } = setup();
  handler.answer = () => { throw new Error('kaboom'); };
  s.onText(encodeCall('in-1', 'ClearCache', {}));
  assert.deepEqual(wire.last().slice(0, 4), [4, 'in-1', 'InternalError', 'kaboom']);
  handler.answer = () => undefined as unknown as Payload;
  s.onText(encodeCall('in-2', 'ClearCache', {}));
  assert.deepEqual(wire.last().slice(0, 3), [4, 'in-2', 'InternalError']);
  assert.deepEqual(obs.incoming.map((x) => x.code), ['InternalError', 'InternalError']);
});

test('a handler answer that fails response validation becomes InternalError, not an invalid CALLRESULT', () => {
  const { s, wire, obs, handler } = setup();
  handler.answer = () => ({ status: 'Maybe' });
  s.onText(encodeCall('in-1', 'ClearCache', {}));
  assert.deepEqual(wire.last().slice(0, 3), [4, 'in-1', 'InternalError']);
  assert.match(wire.last()[3] as string, /status/);
  assert.deepEqual(obs.kinds(), ['invalid-out']);
});

test('handler returning a promise: answered when it settles, with its payload or error', async () => {
  const { s, wire, handler, obs } = setup();
  let release!: (p: Payload) => void;
  handler.answer = () => new Promise<Payload>((r) => { release = r; });
  s.onText(encodeCall('in-1', 'ClearCache', {}));
  assert.deepEqual(wire.sent, [], 'nothing is sent before the promise settles');
  release({ status: 'Rejected' });
  await flush();
  assert.deepEqual(wire.last(), [3, 'in-1', { status: 'Rejected' }]);

  handler.answer = () => Promise.reject(new Error('async kaboom'));
  s.onText(encodeCall('in-2', 'ClearCache', {}));
  await flush();
  assert.deepEqual(wire.last().slice(0, 4), [4, 'in-2', 'InternalError', 'async kaboom']);

  handler.answer = () => Promise.resolve(new RpcError('GenericError', 'later'));
  s.onText(encodeCall('in-3', 'ClearCache', {}));
  await flush();
  assert.deepEqual(wire.last().slice(0, 4), [4, 'in-3', 'GenericError', 'later']);
  assert.deepEqual(obs.incoming.map((x) => x.code), [null, 'InternalError', 'GenericError']);
});

// ---------------------------------------------------------------------------------------------- responses

test('2.1: an invalid CALLRESULT ends the call as invalid-response and is reported with CALLRESULTERROR', async () => {
  const { s, wire } = setup({ version: '2.1' });
  const p = s.call('Heartbeat', {});
  const id = idOf(wire.last());
  s.onText(encodeResult(id, { currentTime: 'yesterday' }));
  const o = await p;
  assert.equal(o.ok, false);
  assert.ok(!o.ok);
  assert.equal(o.kind, 'invalid-response');
  assert.equal(o.code, 'PropertyConstraintViolation');
  assert.equal(wire.sent.length, 2);
  assert.deepEqual(wire.last().slice(0, 3), [5, id, 'PropertyConstraintViolation']);
  assert.equal(s.busy, false);
});

test('2.0.1: an invalid CALLRESULT ends the call as invalid-response, but no type 5 exists to report it', async () => {
  const { s, wire } = setup({ version: '2.0.1' });
  const p = s.call('Heartbeat', {});
  s.onText(encodeResult(idOf(wire.last()), { currentTime: 5 }));
  const o = await p;
  assert.ok(!o.ok);
  assert.equal(o.kind, 'invalid-response');
  assert.equal(o.code, 'TypeConstraintViolation');
  assert.deepEqual(wire.frames().map((f) => f[0]), [2], 'only our CALL went out');
});

test('the queue moves on after an invalid-response', async () => {
  const { s, wire } = setup();
  const a = s.call('Heartbeat', {});
  const b = s.call('Heartbeat', {});
  s.onText(encodeResult('t-0', {}));
  assert.equal((await a).ok, false);
  assert.deepEqual(wire.frames().map((f) => f.slice(0, 2)), [[2, 't-0'], [5, 't-0'], [2, 't-1']]);
  s.onText(encodeResult('t-1', HB_RES));
  assert.equal((await b).ok, true);
});

test('an incoming CALLRESULTERROR is reported on 2.1 and ignored on 2.0.1; it does not end our call', async () => {
  for (const version of ['2.1', '2.0.1'] as const) {
    const { s, wire, obs } = setup({ version });
    const p = track(s.call('Heartbeat', {}));
    const id = idOf(wire.last());
    s.onText(encodeError(5, id, 'FormatViolation', 'your result was bad'));
    assert.deepEqual(obs.kinds(), [version === '2.1' ? 'callresulterror-in' : 'ignored-type']);
    await flush();
    assert.equal(p.outcome, undefined, version);
    s.onText(encodeResult(id, HB_RES));
    assert.equal((await p.p).ok, true);
  }
});

// ---------------------------------------------------------------------------------------------- timeouts

test('timeout through the sweeper: the call ends as timeout and the queue continues', async () => {
  const { s, clock, wire, obs } = setup({ timeoutMs: 1000 });
  const a = track(s.call('BootNotification', BOOT));
  const b = track(s.call('Heartbeat', {}));
  clock.advance(999);
  sweeper.sweep();
  await flush();
  assert.equal(a.outcome, undefined, 'not yet due');
  assert.equal(wire.sent.length, 1);

  clock.advance(2);
  sweeper.sweep();
  assert.deepEqual(await a.p, { ok: false, kind: 'timeout' });
  assert.equal(wire.sent.length, 2);
  assert.deepEqual(wire.last(), [2, 't-1', 'Heartbeat', {}]);
  assert.equal(obs.calls[0]!.doneUs - obs.calls[0]!.sentUs, 1001 * 1000);

  // The late answer to the timed-out call does not end the next one.
  s.onText(encodeResult('t-0', BOOT_RES));
  assert.deepEqual(obs.kinds(), ['unexpected-result']);
  await flush();
  assert.equal(b.outcome, undefined);

  // The next call has a fresh deadline.
  clock.advance(500);
  sweeper.sweep();
  await flush();
  assert.equal(b.outcome, undefined);
  s.onText(encodeResult('t-1', HB_RES));
  assert.equal((await b.p).ok, true);
});

test('a sweep expires every due call of several sessions, and only due ones', async () => {
  const one = setup({ timeoutMs: 100 });
  const two = setup({ timeoutMs: 10_000 });
  const a = track(one.s.call('Heartbeat', {}));
  const b = track(two.s.call('Heartbeat', {}));
  one.clock.advance(200);
  two.clock.advance(200);
  sweeper.sweep();
  assert.deepEqual(await a.p, { ok: false, kind: 'timeout' });
  await flush();
  assert.equal(b.outcome, undefined);
});

// ---------------------------------------------------------------------------------------------- detach

test('detach ends the pending and the queued calls as disconnected', async () => {
  const { s, wire, obs } = setup();
  const ps = [s.call('BootNotification', BOOT), s.call('Heartbeat', {}), s.call('Heartbeat', {})];
  s.detach();
  assert.deepEqual(await Promise.all(ps), [
    { ok: false, kind: 'disconnected' }, { ok: false, kind: 'disconnected' }, { ok: false, kind: 'disconnected' },
  ]);
  assert.equal(s.connected, false);
  assert.equal(s.busy, false);
  assert.equal(s.queued, 0);
  assert.equal(obs.calls.length, 3);
  assert.equal(wire.sent.length, 1, 'the queued calls never went out');

  assert.deepEqual(await s.call('Heartbeat', {}), { ok: false, kind: 'disconnected' });
  assert.equal(s.sendUnconfirmed('NotifyPeriodicEventStream', STREAM), false);
  assert.equal(s.sendRaw('[2,"x","Heartbeat",{}]'), false);
  assert.equal(wire.sent.length, 1);

  // A late answer arriving after detach is not matched to anything.
  s.onText(encodeResult('t-0', BOOT_RES));
  assert.deepEqual(obs.kinds(), ['unexpected-result']);
});

test('after re-attach, calls flow on the new wire with fresh ids', async () => {
  const { s, wire } = setup();
  void s.call('Heartbeat', {});
  s.detach();
  const wire2 = new FakeWire();
  s.attach(wire2);
  const p = s.call('Heartbeat', {});
  assert.equal(wire2.sent.length, 1);
  const id = idOf(wire2.last());
  assert.notEqual(id, idOf(wire.last()));
  s.onText(encodeResult(id, HB_RES));
  assert.equal((await p).ok, true);
});

// ---------------------------------------------------------------------------------------------- validation modes

test('strict: an invalid outgoing request is refused, never sent, and counted', async () => {
  const { s, wire, obs } = setup({ validation: 'strict' });
  const o = await s.call('Heartbeat', { bogus: 1 });
  assert.ok(!o.ok);
  assert.equal(o.kind, 'invalid-request');
  assert.equal(o.code, 'FormatViolation');
  assert.deepEqual(wire.sent, []);
  assert.deepEqual(obs.kinds(), ['invalid-out']);
  assert.equal(obs.calls.length, 1);
  assert.equal(s.busy, false);
});

test('strict: raw calls skip outgoing validation (attacks)', async () => {
  const { s, wire, obs } = setup({ validation: 'strict' });
  const p = s.call('Heartbeat', { bogus: 1 }, { raw: true });
  assert.deepEqual(wire.last(), [2, 't-0', 'Heartbeat', { bogus: 1 }]);
  s.onText(encodeResult('t-0', HB_RES));
  assert.equal((await p).ok, true);
  assert.deepEqual(obs.events, []);
});

test('warn: invalid frames in and out are counted and go through', async () => {
  const { s, wire, obs, handler } = setup({ validation: 'warn' });
  const p = s.call('Heartbeat', { bogus: 1 });
  assert.deepEqual(wire.last(), [2, 't-0', 'Heartbeat', { bogus: 1 }]);
  s.onText(encodeResult('t-0', { currentTime: 'later' }));
  assert.deepEqual(await p, { ok: true, payload: { currentTime: 'later' } });
  s.onText(encodeCall('in-1', 'Reset', { type: 'Sometime' }));
  assert.deepEqual(handler.calls, [{ action: 'Reset', payload: { type: 'Sometime' } }]);
  assert.deepEqual(wire.last(), [3, 'in-1', { status: 'Accepted' }]);
  handler.answer = () => ({ status: 'Maybe' });
  s.onText(encodeCall('in-2', 'Reset', { type: 'Immediate' }));
  assert.deepEqual(wire.last(), [3, 'in-2', { status: 'Maybe' }]);
  assert.deepEqual(obs.kinds(), ['warn-invalid-out', 'warn-invalid-in', 'warn-invalid-in', 'warn-invalid-out']);
  assert.ok(!wire.frames().some((f) => f[0] === 5), 'warn never sends CALLRESULTERROR');
});

test('off: nothing is validated and nothing is counted', async () => {
  const { s, wire, obs, handler } = setup({ validation: 'off' });
  const p = s.call('Heartbeat', { bogus: 1 });
  s.onText(encodeResult('t-0', { currentTime: 5 }));
  assert.deepEqual(await p, { ok: true, payload: { currentTime: 5 } });
  s.onText(encodeCall('in-1', 'Reset', { type: 'Sometime' }));
  assert.equal(handler.calls.length, 1);
  assert.deepEqual(wire.last(), [3, 'in-1', { status: 'Accepted' }]);
  assert.deepEqual(obs.events, []);
});

// ---------------------------------------------------------------------------------------------- SEND

test('2.1: sendUnconfirmed sends a type 6 frame without occupying the call slot', async () => {
  const { s, wire, obs } = setup({ version: '2.1' });
  const p = s.call('Heartbeat', {});
  assert.equal(s.sendUnconfirmed('NotifyPeriodicEventStream', STREAM), true);
  assert.deepEqual(wire.last(), [6, 't-1', 'NotifyPeriodicEventStream', STREAM]);
  assert.equal(s.queued, 0);
  s.onText(encodeResult('t-0', HB_RES));
  assert.equal((await p).ok, true);
  assert.equal(obs.calls.length, 1, 'a SEND has no outcome to report');
});

test('2.1: sendUnconfirmed refuses an invalid payload unless raw', () => {
  const { s, wire } = setup({ version: '2.1' });
  assert.equal(s.sendUnconfirmed('NotifyPeriodicEventStream', { id: 1 }), false);
  assert.deepEqual(wire.sent, []);
  assert.equal(s.sendUnconfirmed('NotifyPeriodicEventStream', { id: 1 }, true), true);
  assert.deepEqual(wire.last(), [6, 't-0', 'NotifyPeriodicEventStream', { id: 1 }]);
});

test('2.0.1: sendUnconfirmed returns false and sends nothing (no type 6 in 2.0.1)', () => {
  const { s, wire } = setup({ version: '2.0.1' });
  assert.equal(s.sendUnconfirmed('NotifyPeriodicEventStream', STREAM), false);
  assert.equal(s.sendUnconfirmed('NotifyPeriodicEventStream', STREAM, true), false);
  assert.deepEqual(wire.sent, []);
});

test('an incoming SEND reaches the handler and is never answered', () => {
  const { s, wire, handler, obs } = setup({ version: '2.1' });
  s.onText(encodeSend('csms-s1', 'NotifyPeriodicEventStream', STREAM));
  assert.deepEqual(handler.sends, [{ action: 'NotifyPeriodicEventStream', payload: STREAM }]);
  assert.deepEqual(obs.kinds(), ['send-in']);
  s.onText(encodeSend('csms-s2', 'NotifyPeriodicEventStream', { id: 1 }));
  assert.equal(handler.sends.length, 1, 'strict: an invalid SEND is dropped');
  assert.deepEqual(obs.kinds(), ['send-in', 'invalid-call-in']);
  assert.deepEqual(wire.sent, []);
  assert.deepEqual(handler.calls, []);
});

test('an incoming SEND on 2.0.1 is an unknown message type: ignored', () => {
  const { s, wire, handler, obs } = setup({ version: '2.0.1' });
  s.onText(encodeSend('csms-s1', 'NotifyPeriodicEventStream', STREAM));
  assert.deepEqual(handler.sends, []);
  assert.deepEqual(obs.kinds(), ['ignored-type']);
  assert.deepEqual(wire.sent, []);
});

test('a malformed incoming SEND is never answered either (FLOWS.md §1.3: "the receiver never answers it")', () => {
  // BUG (src/ocpp/framing.ts + session.ts): parseFrame puts `action` on SEND errors, and RpcSession.onText answers
  // every error result that carries an action, so a SEND with a non-object payload or 5 elements gets a CALLERROR.
  for (const version of ['2.1', '2.0.1'] as const) {
    const { s, wire } = setup({ version });
    s.onText('[6,"csms-s1","NotifyPeriodicEventStream",[]]');
    s.onText('[6,"csms-s2","NotifyPeriodicEventStream",{},{}]');
    assert.deepEqual(wire.sent, [], `${version}: a SEND got an answer`);
  }
});

// ---------------------------------------------------------------------------------------------- 2.0.1

test('2.0.1: a 2.1-only action is refused before it is sent, in strict and warn modes', async () => {
  for (const validation of ['strict', 'warn'] as const) {
    const { s, wire } = setup({ version: '2.0.1', validation });
    const o = await s.call('BatterySwap', BATTERY_SWAP);
    assert.ok(!o.ok);
    assert.equal(o.kind, 'invalid-request', validation);
    assert.equal(o.code, 'NotSupported', validation);
    assert.deepEqual(wire.sent, [], validation);
  }
  // The same call is fine on 2.1.
  const { s, wire } = setup({ version: '2.1' });
  void s.call('BatterySwap', BATTERY_SWAP);
  assert.deepEqual(wire.last().slice(0, 3), [2, 't-0', 'BatterySwap']);
});

test('2.0.1: an incoming 2.1-only action is NotImplemented', () => {
  const { s, wire, handler } = setup({ version: '2.0.1' });
  s.onText(encodeCall('in-1', 'RequestBatterySwap', { idToken: { idToken: 'A', type: 'Central' }, requestId: 1 }));
  assert.deepEqual(wire.last().slice(0, 3), [4, 'in-1', 'NotImplemented']);
  assert.deepEqual(handler.calls, []);
});

test('2.0.1: payloads are checked against the 2.0.1 schemas', () => {
  const { s, wire } = setup({ version: '2.0.1' });
  // RequestStartTransaction's `transactionLimit` exists only in 2.1 (FLOWS.md §1.8).
  s.onText(encodeCall('in-1', 'RequestStartTransaction', { idToken: { idToken: 'A', type: 'Central' }, remoteStartId: 1, transactionLimit: { maxCost: 5 } }));
  assert.deepEqual(wire.last().slice(0, 3), [4, 'in-1', 'FormatViolation']);
});

// ---------------------------------------------------------------------------------------------- timing

test('callDone reports intended and sent time: a queued call\'s latency includes its queueing (coordinated omission)', async () => {
  const { s, clock, obs } = setup();
  const a = s.call('BootNotification', BOOT); // intended = sent = T0
  clock.advance(50);
  const b = s.call('Heartbeat', {}); // intended T0+50, waits behind a
  clock.advance(100);
  s.onText(encodeResult('t-0', BOOT_RES)); // a done T0+150; b sent T0+150
  clock.advance(20);
  s.onText(encodeResult('t-1', HB_RES)); // b done T0+170
  await Promise.all([a, b]);
  assert.deepEqual(obs.calls.map(({ action, intendedUs, sentUs, doneUs }) => ({ action, intendedUs, sentUs, doneUs })), [
    { action: 'BootNotification', intendedUs: T0_US, sentUs: T0_US, doneUs: T0_US + 150_000 },
    { action: 'Heartbeat', intendedUs: T0_US + 50_000, sentUs: T0_US + 150_000, doneUs: T0_US + 170_000 },
  ]);
  const hb = obs.calls[1]!;
  assert.equal(hb.doneUs - hb.intendedUs, 120_000, 'latency from the intended time');
  assert.equal(hb.doneUs - hb.sentUs, 20_000, 'service time alone');
});

test('an explicit intendedUs (scheduler tick) is kept', async () => {
  const { s, clock, obs, wire } = setup();
  const p = s.call('Heartbeat', {}, { intendedUs: T0_US - 7_000 });
  clock.advance(3);
  s.onText(encodeResult(idOf(wire.last()), HB_RES));
  await p;
  assert.deepEqual(obs.calls.map((c) => [c.intendedUs, c.sentUs, c.doneUs]), [[T0_US - 7_000, T0_US, T0_US + 3_000]]);
});

test('calls that never went out report sent = done', async () => {
  const { s, clock, obs } = setup();
  void s.call('Heartbeat', {});
  clock.advance(10);
  const queued = s.call('Heartbeat', {});
  clock.advance(10);
  s.detach();
  await queued;
  const q = obs.calls.find((c) => c.intendedUs === T0_US + 10_000)!;
  assert.equal(q.sentUs, q.doneUs);
  assert.equal(q.doneUs, T0_US + 20_000);
});

test('sendRawCall resolves with the reply carrying its id (CALLERROR or CALLRESULT), null on timeout or disconnect', async () => {
  const { s, wire, obs } = setup();
  const a = s.sendRawCall('-1', '[2,"x",', 1000);
  assert.equal(wire.sent.at(-1), '[2,"x",');
  s.onText(encodeError(4, '-1', 'RpcFrameworkError', 'not JSON'));
  assert.deepEqual(await a, { type: 4, code: 'RpcFrameworkError', description: 'not JSON' });
  const b = s.sendRawCall('r2', '[2,"r2","Heartbeat",{}]', 1000);
  s.onText(encodeResult('r2', HB_RES));
  assert.deepEqual(await b, { type: 3, payload: HB_RES });
  assert.deepEqual(obs.kinds(), [], 'replies to raw frames are not unexpected results');
  assert.equal(await s.sendRawCall('r3', '[7,"r3","Heartbeat",{}]', 10), null);
  const c = s.sendRawCall('r4', '[2,"r4","Heartbeat",{}]', 1000);
  s.detach();
  assert.equal(await c, null);
});
