import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_PAYLOAD_DEPTH, MessageType, encodeCall, encodeError, encodeResult, encodeSend, parseFrame, type Frame } from '../../src/ocpp/framing.js';
import { isRpcErrorCode } from '../../src/ocpp/errors.js';

// Fixtures are read from the source tree; tests run from the repository root.
function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(resolve(process.cwd(), 'fixtures/frames', name), 'utf8')) as T;
}

interface ValidCase { name: string; text: string; frame: Frame }
/** `action` is expected exactly when the frame is a CALL naming one; `anyAction` (SENDs) leaves it open. */
interface InvalidCase { name: string; text: string; id: string; code: string; action?: string; anyAction?: boolean }
interface IgnoredCase { name: string; text: string }

const valid = fixture<ValidCase[]>('valid.json');
const invalid = fixture<InvalidCase[]>('invalid.json');
const ignored = fixture<IgnoredCase[]>('ignored.json');

test('message type numbers are those of OCPP-J 2.1', () => {
  assert.deepEqual({ ...MessageType }, { CALL: 2, CALLRESULT: 3, CALLERROR: 4, CALLRESULTERROR: 5, SEND: 6 });
  assert.ok(Object.isFrozen(MessageType));
});

test('fixtures cover every message type and every failure path', () => {
  assert.deepEqual(new Set(valid.map((c) => c.frame.type)), new Set([2, 3, 4, 5, 6]));
  assert.ok(invalid.some((c) => c.code === 'FormatViolation'));
  assert.ok(invalid.some((c) => c.id === '-1'));
  assert.ok(ignored.length > 0);
});

test('valid frames parse to the expected frame', async (t) => {
  for (const c of valid) {
    await t.test(c.name, () => {
      assert.deepEqual(parseFrame(c.text), { ok: true, frame: c.frame });
    });
  }
});

test('invalid frames give the CALLERROR code and id to answer with', async (t) => {
  for (const c of invalid) {
    await t.test(c.name, () => {
      const r = parseFrame(c.text);
      assert.equal(r.ok, false);
      if (r.ok || r.ignore) return assert.fail(`expected an error result, got ${JSON.stringify(r)}`);
      assert.equal(r.id, c.id);
      assert.equal(r.code, c.code);
      assert.ok(isRpcErrorCode(r.code));
      if (!c.anyAction) assert.equal(r.action, c.action, 'action is reported exactly for a CALL that named one');
      assert.equal(typeof r.reason, 'string');
      assert.ok(r.reason.length > 0);
    });
  }
});

test('unknown message types are ignored, never answered (FLOWS.md §1.4)', async (t) => {
  for (const c of ignored) {
    await t.test(c.name, () => {
      const r = parseFrame(c.text);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.ignore, true, JSON.stringify(r));
    });
  }
});

test('the id limit is 36 characters: 36 reads, 37 does not', () => {
  const id36 = 'x'.repeat(36);
  const ok = parseFrame(encodeCall(id36, 'Heartbeat', {}));
  assert.deepEqual(ok, { ok: true, frame: { type: 2, id: id36, action: 'Heartbeat', payload: {} } });
  const bad = parseFrame(encodeCall(id36 + 'x', 'Heartbeat', {}));
  assert.ok(!bad.ok && !bad.ignore);
  assert.equal(bad.id, '-1');
  assert.equal(bad.code, 'RpcFrameworkError');
});

test('CALL with a non-object payload is a FormatViolation under the CALL id, not "-1"', () => {
  for (const payload of [[], 'x', 1, true, null]) {
    const r = parseFrame(JSON.stringify([2, 'id-9', 'Authorize', payload]));
    assert.ok(!r.ok && !r.ignore, JSON.stringify(payload));
    assert.equal(r.code, 'FormatViolation');
    assert.equal(r.id, 'id-9');
    assert.equal(r.action, 'Authorize');
  }
});

test('encoders emit compact JSON equal to JSON.stringify of the frame array', () => {
  const payload = { reason: 'PowerUp', chargingStation: { model: 'M "1"', vendorName: 'V\\é\n' } };
  assert.equal(encodeCall('a1', 'BootNotification', payload), JSON.stringify([2, 'a1', 'BootNotification', payload]));
  assert.equal(encodeResult('a1', { status: 'Accepted' }), JSON.stringify([3, 'a1', { status: 'Accepted' }]));
  assert.equal(encodeSend('s1', 'NotifyPeriodicEventStream', { id: 1 }), JSON.stringify([6, 's1', 'NotifyPeriodicEventStream', { id: 1 }]));
  assert.equal(encodeError(4, 'a1', 'GenericError', 'boom', { x: 1 }), JSON.stringify([4, 'a1', 'GenericError', 'boom', { x: 1 }]));
  assert.equal(encodeError(5, 'a1', 'GenericError', 'boom', { x: 1 }), JSON.stringify([5, 'a1', 'GenericError', 'boom', { x: 1 }]));
  assert.equal(encodeCall('a"b', 'Heartbeat', {}), '[2,"a\\"b","Heartbeat",{}]');
});

test('encodeError: details default to {} and null details become {}', () => {
  assert.equal(encodeError(4, 'a', 'InternalError', 'x'), '[4,"a","InternalError","x",{}]');
  assert.equal(encodeError(4, 'a', 'InternalError', 'x', null), '[4,"a","InternalError","x",{}]');
  assert.equal(encodeError(4, 'a', 'InternalError', 'x', undefined), '[4,"a","InternalError","x",{}]');
});

test('encodeError cuts the description to 255 characters', () => {
  const long = 'abcdefghij'.repeat(40);
  const frame = JSON.parse(encodeError(4, 'a', 'GenericError', long)) as unknown[];
  assert.equal((frame[3] as string).length, 255);
  assert.equal(frame[3], long.slice(0, 255));
  const exact = 'y'.repeat(255);
  assert.equal((JSON.parse(encodeError(4, 'a', 'GenericError', exact)) as unknown[])[3], exact);
  const short = 'short';
  assert.equal((JSON.parse(encodeError(5, 'a', 'GenericError', short)) as unknown[])[3], short);
});

test('round trips: parse(encode(x)) gives x back for every type', () => {
  const payload = { idToken: { idToken: '04A2B3C4D5E680', type: 'ISO14443' }, n: [1, 2, { z: null }] };
  assert.deepEqual(parseFrame(encodeCall('r1', 'Authorize', payload)), { ok: true, frame: { type: 2, id: 'r1', action: 'Authorize', payload } });
  assert.deepEqual(parseFrame(encodeResult('r1', payload)), { ok: true, frame: { type: 3, id: 'r1', payload } });
  assert.deepEqual(parseFrame(encodeSend('r2', 'NotifyPeriodicEventStream', payload)), {
    ok: true, frame: { type: 6, id: 'r2', action: 'NotifyPeriodicEventStream', payload },
  });
  for (const type of [4, 5] as const) {
    assert.deepEqual(parseFrame(encodeError(type, 'r3', 'ProtocolError', 'bad', { at: '/x' })), {
      ok: true, frame: { type, id: 'r3', code: 'ProtocolError', description: 'bad', details: { at: '/x' } },
    });
  }
  const long = 'z'.repeat(300);
  const back = parseFrame(encodeError(4, 'r4', 'GenericError', long));
  assert.ok(back.ok && back.frame.type === 4);
  assert.equal(back.frame.description, long.slice(0, 255));
});

test('round trips: every valid fixture re-encodes to a frame that parses the same', () => {
  for (const c of valid) {
    const f = c.frame;
    let text: string;
    switch (f.type) {
      case 2: text = encodeCall(f.id, f.action, f.payload); break;
      case 3: text = encodeResult(f.id, f.payload); break;
      case 6: text = encodeSend(f.id, f.action, f.payload); break;
      default: text = encodeError(f.type, f.id, f.code, f.description, f.details);
    }
    assert.deepEqual(parseFrame(text), { ok: true, frame: f }, c.name);
  }
});

test('a payload nested deeper than MAX_PAYLOAD_DEPTH is a FormatViolation under its id; brackets in strings do not count', () => {
  const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  const deep = `[2,"d1","DataTransfer",{"vendorId":"x","data":${nest(MAX_PAYLOAD_DEPTH)}}]`;
  const r = parseFrame(deep);
  assert.ok(!r.ok && !r.ignore);
  assert.equal(r.code, 'FormatViolation');
  assert.equal(r.id, 'd1');
  assert.equal(r.answer, true);
  const ok = parseFrame(`[2,"d2","DataTransfer",{"vendorId":"x","data":${nest(MAX_PAYLOAD_DEPTH - 2)}}]`);
  assert.ok(ok.ok);
  const inString = parseFrame(`[2,"d3","DataTransfer",{"vendorId":"x","data":"${'['.repeat(500)}\\"{{"}]`);
  assert.ok(inString.ok);
});
