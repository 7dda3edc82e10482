import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ACTIONS } from '../../src/ocpp/actions.js';
import { subprotocolOf, validatorFor, versionOf, type Violation } from '../../src/ocpp/schemas.js';

const v21 = validatorFor('2.1');
const v201 = validatorFor('2.0.1');

const BOOT = { reason: 'PowerUp', chargingStation: { model: 'SIM-AC22', vendorName: 'SimVendor' } };
const NOW = '2025-03-01T10:00:00Z';

function code(v: Violation | null): string | null {
  return v === null ? null : v.code;
}

test('validatorFor compiles once per version and reports its version', () => {
  assert.equal(validatorFor('2.1'), v21);
  assert.equal(validatorFor('2.0.1'), v201);
  assert.notEqual(v21, v201);
  assert.equal(v21.version, '2.1');
  assert.equal(v201.version, '2.0.1');
});

test('subprotocol names map both ways', () => {
  assert.equal(subprotocolOf('2.1'), 'ocpp2.1');
  assert.equal(subprotocolOf('2.0.1'), 'ocpp2.0.1');
  assert.equal(versionOf('ocpp2.1'), '2.1');
  assert.equal(versionOf('ocpp2.0.1'), '2.0.1');
  assert.equal(versionOf('ocpp1.6'), undefined);
  assert.equal(versionOf(''), undefined);
});

for (const v of [v21, v201]) {
  test(`${v.version}: valid payloads pass`, () => {
    assert.equal(v.request('BootNotification', BOOT), null);
    assert.equal(v.response('BootNotification', { currentTime: NOW, interval: 300, status: 'Accepted' }), null);
    assert.equal(v.request('Heartbeat', {}), null);
    assert.equal(v.response('Heartbeat', { currentTime: '2025-03-01T10:00:00.123+01:00' }), null);
    // customData is the one place unknown properties are allowed (FLOWS.md §1.4).
    assert.equal(v.request('Heartbeat', { customData: { vendorId: 'com.example', anything: [1, 2] } }), null);
  });

  test(`${v.version}: wrong JSON type → TypeConstraintViolation`, () => {
    assert.equal(code(v.request('BootNotification', { ...BOOT, chargingStation: { ...BOOT.chargingStation, model: 5 } })), 'TypeConstraintViolation');
    assert.equal(code(v.response('BootNotification', { currentTime: NOW, interval: '300', status: 'Accepted' })), 'TypeConstraintViolation');
    assert.equal(code(v.request('StatusNotification', { timestamp: NOW, connectorStatus: 'Occupied', evseId: '1', connectorId: 1 })), 'TypeConstraintViolation');
    assert.equal(code(v.request('BootNotification', { ...BOOT, chargingStation: 'SIM' })), 'TypeConstraintViolation');
  });

  test(`${v.version}: missing field or wrong cardinality → OccurrenceConstraintViolation`, () => {
    const missing = v.request('BootNotification', { reason: 'PowerUp' });
    assert.equal(code(missing), 'OccurrenceConstraintViolation');
    assert.match(missing!.message, /chargingStation/);
    assert.equal(code(v.request('BootNotification', { ...BOOT, chargingStation: { model: 'M' } })), 'OccurrenceConstraintViolation');
    assert.equal(code(v.request('NotifyEvent', { generatedAt: NOW, seqNo: 0, eventData: [] })), 'OccurrenceConstraintViolation');
  });

  test(`${v.version}: bad value → PropertyConstraintViolation (enum, maxLength, date-time, minimum)`, () => {
    const e = v.request('BootNotification', { ...BOOT, reason: 'Bogus' });
    assert.equal(code(e), 'PropertyConstraintViolation');
    assert.match(e!.message, /PowerUp/, 'the message names the allowed values');
    assert.equal(code(v.request('BootNotification', { ...BOOT, chargingStation: { ...BOOT.chargingStation, model: 'x'.repeat(20) } })), null);
    assert.equal(code(v.request('BootNotification', { ...BOOT, chargingStation: { ...BOOT.chargingStation, model: 'x'.repeat(21) } })), 'PropertyConstraintViolation');
    for (const bad of ['yesterday', '2025-03-01 10:00:00Z', '2025-13-01T10:00:00Z', '2025-03-01T10:00Z', '2025-03-01T10:00:00', '']) {
      assert.equal(code(v.response('Heartbeat', { currentTime: bad })), 'PropertyConstraintViolation', bad);
    }
    // 2.0.1 has no `minimum` on evseId; 2.1 added it.
    const negative = code(v.request('StatusNotification', { timestamp: NOW, connectorStatus: 'Occupied', evseId: -1, connectorId: 1 }));
    assert.equal(negative, v.version === '2.1' ? 'PropertyConstraintViolation' : null);
    assert.equal(code(v.request('StatusNotification', { timestamp: NOW, connectorStatus: 'Plugged', evseId: 1, connectorId: 1 })), 'PropertyConstraintViolation');
  });

  test(`${v.version}: unknown property or non-object → FormatViolation`, () => {
    const u = v.request('Heartbeat', { bogus: 1 });
    assert.equal(code(u), 'FormatViolation');
    assert.match(u!.message, /bogus/);
    assert.equal(code(v.request('BootNotification', { ...BOOT, chargingStation: { ...BOOT.chargingStation, colour: 'red' } })), 'FormatViolation');
    for (const p of [null, [], 'x', 0, true, undefined]) {
      assert.equal(code(v.request('Heartbeat', p)), 'FormatViolation', String(p));
      assert.equal(code(v.response('Heartbeat', p)), 'FormatViolation', String(p));
    }
  });

  test(`${v.version}: unknown action → NotImplemented, for requests and responses`, () => {
    assert.equal(v.has('NoSuchAction'), false);
    assert.equal(code(v.request('NoSuchAction', {})), 'NotImplemented');
    assert.equal(code(v.response('NoSuchAction', {})), 'NotImplemented');
    assert.equal(code(v.request('heartbeat', {})), 'NotImplemented', 'action names are case-sensitive');
    assert.equal(code(v.request('HeartbeatRequest', {})), 'NotImplemented', 'the action has no Request suffix');
    // Unknown action wins over a non-object payload: the action decides which schema applies at all.
    assert.equal(code(v.request('NoSuchAction', null)), 'NotImplemented');
  });
}

test('2.1-only actions are absent from 2.0.1', () => {
  const payload = { eventType: 'BatteryIn', requestId: 1, idToken: { idToken: 'A', type: 'Central' }, batteryData: [{ evseId: 1, serialNumber: 'B1', soC: 50, soH: 90 }] };
  assert.equal(v21.has('BatterySwap'), true);
  assert.equal(v21.request('BatterySwap', payload), null);
  assert.equal(v201.has('BatterySwap'), false);
  assert.equal(code(v201.request('BatterySwap', payload)), 'NotImplemented');
  assert.equal(v201.has('NotifyPeriodicEventStream'), false);
  for (const a of ACTIONS.values()) {
    assert.equal(v201.has(a.name), !a.new21, `${a.name}: new21=${a.new21} but 2.0.1 has() says ${v201.has(a.name)}`);
  }
});

test('2.0.1 traps of FLOWS.md §1.8: idToken type and length', () => {
  const vin = { idToken: { idToken: 'WVWZZZ1JZXW000001', type: 'VIN' } };
  assert.equal(v21.request('Authorize', vin), null);
  assert.equal(code(v201.request('Authorize', vin)), 'PropertyConstraintViolation');
  const long = { idToken: { idToken: 'x'.repeat(37), type: 'Central' } };
  assert.equal(v21.request('Authorize', long), null);
  assert.equal(code(v201.request('Authorize', long)), 'PropertyConstraintViolation');
});

// ------------------------------------------------------------------------------------- catalogue vs schemas

const require = createRequire(import.meta.url);
interface RawSchema { $id: string }

/** action → the message kinds its shipped schemas have ('Request', 'Response', or '' for the SEND-only one). */
function kindsByAction(file: string, suffixes: RegExp): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of require(file) as RawSchema[]) {
    const m = /^urn:(.+)$/.exec(s.$id);
    assert.ok(m, `unexpected $id ${s.$id}`);
    const sm = suffixes.exec(m[1]!);
    const action = sm ? m[1]!.slice(0, sm.index) : m[1]!;
    const kind = sm ? sm[0] : '';
    let set = out.get(action);
    if (!set) out.set(action, (set = new Set()));
    assert.ok(!set.has(kind), `duplicate schema ${s.$id}`);
    set.add(kind);
  }
  return out;
}

test('the 2.1 catalogue matches the shipped 2.1 schema set exactly', () => {
  const kinds = kindsByAction('ocpp-rpc/lib/schemas/ocpp2_1.json', /(Request|Response)$/);
  const inSchemas = [...kinds.keys()].sort();
  const inCatalogue = [...ACTIONS.keys()].sort();
  assert.deepEqual(inCatalogue.filter((a) => !kinds.has(a)), [], 'catalogue actions without schemas');
  assert.deepEqual(inSchemas.filter((a) => !ACTIONS.has(a)), [], 'schemas without a catalogue entry');
  assert.equal(inCatalogue.length, 91);
  let schemaCount = 0;
  for (const [action, set] of kinds) {
    const info = ACTIONS.get(action)!;
    schemaCount += set.size;
    if (info.send) assert.deepEqual([...set], [''], `${action} is SEND-only: one schema without suffix`);
    else assert.deepEqual([...set].sort(), ['Request', 'Response'], `${action} needs request and response schemas`);
    assert.equal(v21.has(action), true, action);
    assert.notEqual(code(v21.request(action, {})), 'NotImplemented', `${action} request`);
    assert.equal(code(v21.response(action, {})) === 'NotImplemented', info.send, `${action} response`);
  }
  assert.equal(schemaCount, 181, 'FLOWS.md: 181 schemas');
  assert.deepEqual([...ACTIONS.values()].filter((a) => a.send).map((a) => a.name), ['NotifyPeriodicEventStream']);
});

test('the 2.0.1 schema set is exactly the catalogue minus its 2.1-only actions', () => {
  const kinds = kindsByAction('ocpp-rpc/lib/schemas/ocpp2_0_1.json', /\.(req|conf)$/);
  const old = [...ACTIONS.values()].filter((a) => !a.new21).map((a) => a.name).sort();
  assert.deepEqual([...kinds.keys()].sort(), old);
  for (const [action, set] of kinds) assert.deepEqual([...set].sort(), ['.conf', '.req'], action);
  assert.equal(ACTIONS.get('NotifyPeriodicEventStream')!.new21, true, 'SEND (type 6) exists only in 2.1');
});

test('catalogue entries are frozen and well-formed', () => {
  for (const [name, a] of ACTIONS) {
    assert.equal(a.name, name);
    assert.ok(Object.isFrozen(a), name);
    assert.ok(['toCsms', 'toStation', 'both', 'localController'].includes(a.direction), name);
    assert.match(a.block, /^[A-S]$/, name);
  }
});

// ------------------------------------------------------------------------------------- FLOWS.md examples

const FLOWS = resolve(process.cwd(), '../shared/ocpp21/FLOWS.md');

interface Example { line: number; action: string; kind: 'Request' | 'Response'; json: string }

/** `XxxRequest: {json}` / `XxxResponse: {json}` lines inside ```json-lines blocks. */
function examples(text: string): Example[] {
  const out: Example[] = [];
  let inBlock = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line.startsWith('```')) { inBlock = line.startsWith('```json-lines'); return; }
    if (!inBlock) return;
    const m = /^([A-Z][A-Za-z0-9]*?)(Request|Response):\s*(\{.*\})$/.exec(line);
    if (m) out.push({ line: i + 1, action: m[1]!, kind: m[2] as 'Request' | 'Response', json: m[3]! });
  });
  return out;
}

test('every FLOWS.md example payload validates against the 2.1 schemas', async (t) => {
  if (!existsSync(FLOWS)) { t.skip(`${FLOWS} not present`); return; }
  const list = examples(readFileSync(FLOWS, 'utf8'));
  assert.ok(list.length >= 40, `expected at least 40 examples, found ${list.length}`);
  for (const ex of list) {
    await t.test(`FLOWS.md:${ex.line} ${ex.action}${ex.kind}`, () => {
      const payload: unknown = JSON.parse(ex.json);
      assert.ok(v21.has(ex.action), `${ex.action} is not a 2.1 action`);
      const bad = ex.kind === 'Request' ? v21.request(ex.action, payload) : v21.response(ex.action, payload);
      assert.equal(bad, null, bad ? `${bad.code}: ${bad.message}` : '');
    });
  }
});

test('the FLOWS.md extractor only takes lines from json-lines blocks', () => {
  const md = [
    'BootNotificationRequest: {"outside": true}',
    '```json-lines',
    'HeartbeatRequest: {}',
    'HeartbeatResponse: {"currentTime": "2025-03-01T10:05:00Z"}',
    'not an example',
    '```',
    '```json frame',
    'HeartbeatRequest: {"inFrameBlock": true}',
    '```',
  ].join('\n');
  const list = examples(md);
  assert.deepEqual(list.map((e) => [e.line, e.action, e.kind]), [[3, 'Heartbeat', 'Request'], [4, 'Heartbeat', 'Response']]);
});

