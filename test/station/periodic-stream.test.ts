// scenarios/periodic-streams.yaml runs end to end against the embedded CSMS (shortened): the CSMS sets Periodic
// monitors with stream parameters, stations open streams and send NotifyPeriodicEventStream as SEND (type 6) with
// samples at basetime + t, the CSMS adjusts and lists them, and clearing the monitors closes them. Against a
// 2.0.1-only CSMS there are no streams: monitors report by NotifyEvent, the stream part is counted as skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Subprotocol } from '../../src/scenario/spec.js';
import { runShipped } from '../support/embedded-run.js';

const FILE = fileURLToPath(new URL('../../../scenarios/periodic-streams.yaml', import.meta.url));
// Command times are absolute: every command of the file (the last at 7 s) fires within the shortened run.
const SHORT = { duration: 9_000, stations: 4 };

const run = (protocols?: readonly Subprotocol[]) => runShipped(FILE, SHORT, protocols);

test('scenarios/periodic-streams.yaml (shortened): streams opened, samples sent as SEND, adjusted and listed', async () => {
  const { run: fleet, csms, audit, frames, report } = await run();
  const opens = audit.stationCalls.filter((c) => c.action === 'OpenPeriodicEventStream');
  assert.equal(opens.length, 8, 'two monitors per station, each opens a stream');
  assert.ok(opens.every((c) => c.response?.status === 'Accepted'));
  const sends = frames.filter((f) => f.dir === 'toCsms').map((f) => JSON.parse(f.text) as unknown[]).filter((m) => m[0] === 6);
  assert.ok(sends.length > 0 && sends.every((m) => m[2] === 'NotifyPeriodicEventStream'));
  const values = sends.reduce((n, m) => n + ((m[3] as { data: unknown[] }).data.length), 0);
  assert.equal(fleet.counter('periodic_stream_messages'), sends.length);
  assert.equal(fleet.counter('periodic_stream_values'), values);
  assert.equal(csms.stats().useCases['streams.values'], values);
  assert.equal(csms.stats().useCases['streams.unknown'] ?? 0, 0);
  // Batches: the EVSE 1 stream sends 5 values a time until adjusted to 2 (FLOWS.md §8.4: after `values` items).
  const open1 = new Set(opens.filter((c) => c.payload.constantStreamData.params.values === 5).map((c) => `${c.conn}|${c.payload.constantStreamData.id}`));
  assert.ok(open1.size === 4);
  const adjusted = csms.stats().commands.AdjustPeriodicEventStream;
  assert.ok(adjusted === undefined || (adjusted.outcomes.Accepted ?? 0) === adjusted.sent, JSON.stringify(adjusted));
  assert.ok((audit.answered.get('GetPeriodicEventStream') ?? 0) > 0);
  assert.match(report, new RegExp(`messages \\(SEND\\)\\s+${sends.length}\\b`));
  // ClearVariableMonitoring: the stations flush and close their streams, and send nothing on them afterwards.
  const closes = audit.stationCalls.filter((c) => c.action === 'ClosePeriodicEventStream');
  assert.equal(closes.length, 4, 'half of the stations, two streams each');
  assert.equal(fleet.counter('periodic_streams_closed'), 4);
  for (const c of closes) {
    const at = frames.findIndex((f) => f.dir === 'toCsms' && f.text.includes(`"${c.id}"`));
    const later = frames.slice(at).filter((f) => f.conn === c.conn && f.text.startsWith('[6,') && (JSON.parse(f.text)[3] as { id: number }).id === c.payload.id);
    assert.deepEqual(later, [], 'no samples after the stream closed');
  }
});

test('scenarios/periodic-streams.yaml against a 2.0.1-only CSMS: monitors report by NotifyEvent, streams skipped', async () => {
  const { run: fleet, audit } = await run(['ocpp2.0.1']);
  assert.ok(audit.stationCalls.every((c) => c.action !== 'OpenPeriodicEventStream'));
  assert.equal(fleet.counter('usecase_skipped_201'), 8);
  assert.ok(fleet.counter('monitor_events') > 0);
  assert.ok(audit.stationCalls.some((c) => c.action === 'NotifyEvent' && c.payload.eventData[0].trigger === 'Periodic'));
});
