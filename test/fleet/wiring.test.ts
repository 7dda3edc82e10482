import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MetricsWiring } from '../../src/fleet/wiring.js';
import { MetricsRegistry, type CallRecorder } from '../../src/metrics/registry.js';
import { summarize, type Summary } from '../../src/metrics/summary.js';
import type { CallOutcome } from '../../src/ocpp/session.js';
import { ManualClock } from '../../src/util/clock.js';

function setup(): { wiring: MetricsWiring; registry: MetricsRegistry; summary: () => Summary } {
  const clock = new ManualClock();
  const registry = new MetricsRegistry({ clock });
  const wiring = new MetricsWiring(registry);
  return { wiring, registry, summary: () => { clock.advance(1000); return summarize(registry.snapshot()); } };
}

const ok = (payload: Record<string, unknown>): CallOutcome => ({ ok: true, payload });
const fail = (kind: 'timeout' | 'disconnected' | 'callerror' | 'invalid-request' | 'invalid-response', code?: string): CallOutcome =>
  (code === undefined ? { ok: false, kind } : { ok: false, kind, code });

/** The one outcome kind a single call with `outcome` is counted as. */
function kindOf(outcome: CallOutcome, action = 'Authorize'): string {
  const { wiring, registry } = setup();
  wiring.callDone(action, 0, 0, 1000, outcome);
  const outcomes = registry.snapshot().calls[action]!.outcomes;
  const kinds = Object.keys(outcomes);
  assert.equal(kinds.length, 1, JSON.stringify(outcomes));
  assert.equal(outcomes[kinds[0]!], 1);
  return kinds[0]!;
}

describe('MetricsWiring: outgoing call outcomes', () => {
  test('a CALLRESULT without a refusing status is ok', () => {
    assert.equal(kindOf(ok({})), 'ok');
    assert.equal(kindOf(ok({ status: 'Accepted' }), 'BootNotification'), 'ok');
    assert.equal(kindOf(ok({ idTokenInfo: { status: 'Accepted' } })), 'ok');
    assert.equal(kindOf(ok({ currentTime: '2026-01-01T00:00:00Z' }), 'Heartbeat'), 'ok');
  });

  test('a CALLRESULT with a refusing status, top-level or in idTokenInfo, is rejected', () => {
    assert.equal(kindOf(ok({ status: 'Rejected' }), 'BootNotification'), 'rejected');
    assert.equal(kindOf(ok({ status: 'NotSupported' }), 'DataTransfer'), 'rejected');
    for (const s of ['Blocked', 'Invalid', 'Expired', 'Unknown', 'NoCredit', 'ConcurrentTx']) {
      assert.equal(kindOf(ok({ idTokenInfo: { status: s } })), 'rejected', s);
    }
    assert.equal(kindOf(ok({ idTokenInfo: { status: 'Blocked' } }), 'TransactionEvent'), 'rejected');
  });

  test('a status that is not a string is not a refusal', () => {
    assert.equal(kindOf(ok({ status: { nested: 'Rejected' } })), 'ok');
  });

  test('CALLERRORs by their code; a CALLERROR without a code is a GenericError', () => {
    assert.equal(kindOf(fail('callerror', 'NotImplemented')), 'callerror:NotImplemented');
    assert.equal(kindOf(fail('callerror', 'SecurityError')), 'callerror:SecurityError');
    assert.equal(kindOf(fail('callerror')), 'callerror:GenericError');
  });

  test('timeouts, disconnects and invalid payloads each have their own kind', () => {
    assert.equal(kindOf(fail('timeout')), 'timeout');
    assert.equal(kindOf(fail('disconnected')), 'disconnected');
    assert.equal(kindOf(fail('invalid-request')), 'invalid');
    assert.equal(kindOf(fail('invalid-response')), 'invalid-response');
  });

  test('latency is timed from the intended send, service time from the actual send (µs in, ms out)', () => {
    const { wiring, summary } = setup();
    wiring.callDone('Heartbeat', 1_000, 4_000, 11_000, ok({ currentTime: 'x' }));
    const a = summary().actions.Heartbeat!;
    assert.equal(a.duration.max, 10);
    assert.equal(a.service.max, 7);
  });

  test('into the summary: ok / rejected / failed counts, errors by kind, failed rate; timeouts timed, disconnects not', () => {
    const { wiring, summary } = setup();
    wiring.callDone('Authorize', 0, 0, 1_000, ok({ idTokenInfo: { status: 'Accepted' } }));
    wiring.callDone('Authorize', 0, 0, 2_000, ok({ idTokenInfo: { status: 'Accepted' } }));
    wiring.callDone('Authorize', 0, 0, 3_000, ok({ idTokenInfo: { status: 'Blocked' } }));
    wiring.callDone('Authorize', 0, 0, 30_000_000, fail('timeout'));
    wiring.callDone('Authorize', 0, 0, 5_000, fail('callerror', 'InternalError'));
    wiring.callDone('Authorize', 0, 0, 6_000, fail('disconnected'));
    const a = summary().actions.Authorize!;
    assert.equal(a.count, 6);
    assert.equal(a.ok, 2);
    assert.equal(a.rejected, 1);
    assert.equal(a.failed, 3);
    assert.deepEqual(a.errors, { timeout: 1, 'callerror:InternalError': 1, disconnected: 1 });
    assert.equal(a.failedRate, 0.5);
    assert.equal(a.duration.count, 5, 'the disconnected call has no latency');
    assert.ok(a.duration.max >= 29_900 && a.duration.max <= 30_100, `the timeout is in the tail: ${a.duration.max}`);
  });

  test('calls of different actions are kept apart and added up in `calls`', () => {
    const { wiring, summary } = setup();
    wiring.callDone('BootNotification', 0, 0, 1_000, ok({ status: 'Accepted' }));
    wiring.callDone('Heartbeat', 0, 0, 1_000, ok({}));
    wiring.callDone('Heartbeat', 0, 0, 1_000, fail('timeout'));
    const s = summary();
    assert.deepEqual(Object.keys(s.actions), ['BootNotification', 'Heartbeat']);
    assert.equal(s.actions.BootNotification!.count, 1);
    assert.equal(s.actions.Heartbeat!.count, 2);
    assert.equal(s.calls.count, 3);
    assert.equal(s.calls.failed, 1);
  });

  test('one recorder per action, fetched once and cached (no lookup per call on the hot path)', () => {
    const asked: string[] = [];
    class Spy extends MetricsRegistry {
      override callRecorder(action: string): CallRecorder { asked.push(action); return super.callRecorder(action); }
    }
    const wiring = new MetricsWiring(new Spy());
    for (let i = 0; i < 5; i++) {
      wiring.callDone('Heartbeat', 0, 0, 1, ok({}));
      wiring.callDone('StatusNotification', 0, 0, 1, ok({}));
    }
    assert.deepEqual(asked, ['Heartbeat', 'StatusNotification']);
  });
});

describe('MetricsWiring: incoming calls, protocol events, station sink', () => {
  test('incoming calls: answered with a CALLRESULT is ok, with a CALLERROR by its code', () => {
    const { wiring, summary } = setup();
    wiring.incomingDone('GetVariables', null);
    wiring.incomingDone('GetVariables', null);
    wiring.incomingDone('GetVariables', 'FormatViolation');
    wiring.incomingDone('Reset', 'NotImplemented');
    const s = summary();
    assert.deepEqual(s.incoming.GetVariables, { count: 3, ok: 2, rejected: 0, errors: { 'callerror:FormatViolation': 1 } });
    assert.deepEqual(s.incoming.Reset, { count: 1, ok: 0, rejected: 0, errors: { 'callerror:NotImplemented': 1 } });
  });

  test('protocol events become protocol_<kind> counters (dashes to underscores) and reach --verbose', () => {
    const { wiring, summary } = setup();
    const lines: string[] = [];
    wiring.protocolEvent('garbage-in', 'not json');
    wiring.verbose = (l) => lines.push(l);
    wiring.protocolEvent('garbage-in', 'still not json');
    wiring.protocolEvent('unexpected-result', 'id 42');
    const c = summary().counters;
    assert.equal(c.protocol_garbage_in?.count, 2);
    assert.equal(c.protocol_unexpected_result?.count, 1);
    assert.deepEqual(lines, ['protocol garbage-in: still not json', 'protocol unexpected-result: id 42']);
  });

  test('connects: attempts, ok and failures by kind; only successful connects are timed', () => {
    const { wiring, summary } = setup();
    wiring.connect(2_000, true);
    wiring.connect(4_000, true);
    wiring.connect(9_000_000, false, 'refused');
    wiring.connect(9_000_000, false, 'http-401');
    wiring.connect(9_000_000, false, 'refused');
    const c = summary().connect;
    assert.equal(c.attempts, 5);
    assert.equal(c.ok, 2);
    assert.equal(c.failed, 3);
    assert.deepEqual(c.errors, { refused: 2, 'http-401': 1 });
    assert.equal(c.duration.count, 2);
    assert.equal(c.duration.max, 4);
  });

  test('connected(+1/-1) keeps the live count and the stations_connected gauge (last value and peak)', () => {
    const { wiring, summary } = setup();
    wiring.connected(1);
    wiring.connected(1);
    wiring.connected(1);
    wiring.connected(-1);
    assert.equal(wiring.connectedNow, 2);
    assert.deepEqual(summary().gauges.stations_connected, { value: 2, max: 3 });
  });

  test('count and add go to named counters; add keeps fractions', () => {
    const { wiring, summary } = setup();
    wiring.count('tx_started');
    wiring.count('tx_started', 2);
    wiring.add('energy_wh', 0.25);
    wiring.add('energy_wh', 1.5);
    const c = summary().counters;
    assert.equal(c.tx_started?.count, 3);
    assert.equal(c.energy_wh?.count, 1.75);
  });

  test('log reaches --verbose with the station id, and is silent without it', () => {
    const { wiring } = setup();
    wiring.log('CS000001', 'dropped');
    const lines: string[] = [];
    wiring.verbose = (l) => lines.push(l);
    wiring.log('CS000002', 'reconnecting');
    assert.deepEqual(lines, ['CS000002: reconnecting']);
  });
});
