// Acceptance: a fleet against CSMSs that misbehave never crashes, always ends within run + drain, and counts
// what happened: timeouts (silent), latency (slow), protocol events (garbage), disconnects/reconnects (closing),
// connect failures with RetryBackOff spacing (refused, FLOWS.md §1.6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { parseFrame } from '../../src/ocpp/framing.js';
import type { Payload } from '../../src/ocpp/session.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { closingServer, garbageServer, silentServer, slowServer } from '../support/servers.js';
import { runScenario, scenario, type FleetRun } from '../support/fleet.js';

/** A charging fleet of `count` one-EVSE stations with quick sessions, running `durationMs`. */
function fleetText(count: number, durationMs: number, extra = ''): string {
  return `
name: misbehaving
seed: 3
callTimeout: 1s
reconnect: { waitMinimum: 100ms, randomRange: 100ms, repeatTimes: 2 }
stations: [{ count: ${count}, evses: 1 }]
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: 200ms
  plugDuration: 1500ms
  meterInterval: 1s
phases:
  - { duration: 0s, target: 100% }
  - { duration: ${durationMs}ms, target: 100% }
drainTimeout: 2s
${extra}`;
}

/** Station CALLs a server received, parsed. */
function callsIn(received: readonly string[]): { id: string; action: string; payload: Payload }[] {
  const out: { id: string; action: string; payload: Payload }[] = [];
  for (const t of received) {
    const r = parseFrame(t);
    if (r.ok && r.frame.type === 2) out.push({ id: r.frame.id, action: r.frame.action, payload: r.frame.payload as Payload });
  }
  return out;
}

/** Every outcome of every action in the run, summed by kind. */
function allOutcomes(run: FleetRun): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const c of Object.values(run.snapshot.calls)) for (const [k, n] of Object.entries(c.outcomes)) sum[k] = (sum[k] ?? 0) + n;
  return sum;
}

/** Every transaction on the wire (retransmissions collapsed by seqNo) has Started first and Ended last. */
function assertTransactionsComplete(calls: readonly { action: string; payload: Payload }[]): number {
  const byTx = new Map<string, Map<number, string>>();
  for (const c of calls) {
    if (c.action !== 'TransactionEvent') continue;
    const id = c.payload.transactionInfo.transactionId as string;
    if (!byTx.has(id)) byTx.set(id, new Map());
    byTx.get(id)!.set(c.payload.seqNo as number, c.payload.eventType as string);
  }
  for (const [id, seq] of byTx) {
    const n = seq.size;
    assert.deepEqual([...seq.keys()].sort((a, b) => a - b), [...Array(n).keys()], `${id}: seqNos 0..${n - 1}`);
    assert.equal(seq.get(0), 'Started', id);
    assert.equal(seq.get(n - 1), 'Ended', id);
  }
  return byTx.size;
}

test('silent server: BootNotification times out, counted as timeout; nothing else is sent; the run ends on time', async () => {
  const server = await silentServer();
  try {
    const run = await runScenario(scenario(fleetText(3, 1500)), `${server.url}/ocpp`);
    // Boot retries come 10 s later (after a failed boot), beyond this run: one boot per station.
    assert.deepEqual(run.outcomes('BootNotification'), { timeout: 3 });
    assert.deepEqual(Object.keys(run.snapshot.calls), ['BootNotification']);
    assert.deepEqual(new Set(callsIn(server.received).map((c) => c.action)), new Set(['BootNotification']));
    assert.equal(server.received.length, 3);
    // Timed out calls are timed at expiry: ≥ the 1 s timeout, within the sweep period (100 ms) and a tick.
    const h = LatencyHistogram.fromData(run.snapshot.calls.BootNotification!.service);
    assert.ok(h.minUs >= 1_000_000 && h.maxUs < 1_400_000, `timeout latency ${h.minUs}..${h.maxUs} µs`);
    assert.equal(run.counter('boot_accepted'), 0);
    assert.equal(run.counter('tx_started'), 0, 'no sessions on a station that was never accepted');
    assert.ok(run.runMs < run.spec.duration + 600, `no drain needed, took ${run.runMs} ms`);
  } finally {
    await server.close();
  }
});

test('silent server, call still in flight at the end: the drain is bounded by drainTimeout', async () => {
  const server = await silentServer();
  try {
    const spec = scenario(fleetText(3, 1200).replace('callTimeout: 1s', 'callTimeout: 20s').replace('drainTimeout: 2s', 'drainTimeout: 800ms'));
    const run = await runScenario(spec, `${server.url}/ocpp`);
    assert.deepEqual(run.outcomes('BootNotification'), { disconnected: 3 }, 'the drain deadline cut the pending boots');
    assert.ok(run.runMs >= spec.duration + spec.drainTimeout - 150, `waited for the drain: ${run.runMs} ms`);
    assert.ok(run.runMs < spec.duration + spec.drainTimeout + 600, `not past run + drain: ${run.runMs} ms`);
  } finally {
    await server.close();
  }
});

test('slow server: every call is answered, and its latency reflects the 300 ms delay', async () => {
  const DELAY_MS = 300;
  const server = await slowServer(DELAY_MS);
  try {
    // One call at a time per station at 300 ms each: sessions sparse enough that the queue keeps up.
    const text = fleetText(3, 2000).replace('callTimeout: 1s', 'callTimeout: 3s').replace('arrivalsPerEvsePerHour: 3600', 'arrivalsPerEvsePerHour: 2400')
      .replace('drainTimeout: 2s', 'drainTimeout: 4s');
    const run = await runScenario(scenario(text), `${server.url}/ocpp`);
    const outcomes = allOutcomes(run);
    assert.deepEqual(Object.keys(outcomes), ['ok'], JSON.stringify(outcomes));
    assert.ok(run.runMs < run.spec.duration + run.spec.drainTimeout - 200, `drained on its own: ${run.runMs} ms`);
    for (const action of ['BootNotification', 'StatusNotification', 'TransactionEvent', 'Authorize']) {
      const c = run.snapshot.calls[action];
      assert.ok(c, `${action} was called`);
      const service = LatencyHistogram.fromData(c.service);
      const latency = LatencyHistogram.fromData(c.latency);
      // HDR keeps 3 significant digits (a recorded 400 ms may read back up to 0.1 % lower), and the server's own
      // timer counts from its loop's cached time, so it can answer up to ~1 ms before its 300 ms are up.
      assert.ok(service.minUs >= DELAY_MS * 999 - 1500, `${action} service min ${service.minUs} µs`);
      assert.ok(service.percentile(50) < (DELAY_MS + 150) * 1000, `${action} service p50 ${service.percentile(50)} µs`);
      // From the intended send time: includes waiting behind the station's earlier calls, never less.
      assert.ok(latency.minUs >= service.minUs && latency.maxUs >= service.maxUs, action);
    }
    assert.ok(run.counter('tx_started') >= 2, `transactions: ${run.counter('tx_started')}`);
    assertTransactionsComplete(callsIn(server.received));
  } finally {
    await server.close();
  }
});

test('garbage server: every garbage frame is counted as a protocol event, answered where OCPP says so, and the run completes', async () => {
  const server = await garbageServer();
  try {
    const run = await runScenario(scenario(fleetText(2, 2500)), `${server.url}/ocpp`);
    const calls = callsIn(server.received);
    const n = calls.length;
    assert.ok(n >= 10, `station CALLs: ${n}`);
    // Per answered CALL the server sent 3 unreadable frames, 1 unknown message type, a CALLRESULT and a CALLERROR
    // for unknown ids, an invalid CALL and a CALL of an unknown action (see garbageFrames).
    assert.equal(run.counter('protocol_garbage_in'), 3 * n);
    assert.equal(run.counter('protocol_ignored_type'), n);
    assert.equal(run.counter('protocol_unexpected_result'), 2 * n);
    assert.equal(run.counter('protocol_invalid_call_in'), n);
    assert.deepEqual(run.snapshot.incoming.GetLocalListVersion, { 'callerror:FormatViolation': n });
    assert.deepEqual(run.snapshot.incoming.NoSuchAction, { 'callerror:NotImplemented': n });
    // The station's answers on the wire: "-1" for unreadable frames (FLOWS.md §1.4), the CALL's id otherwise.
    const errors = server.received.filter((t) => t.startsWith('[4,'));
    assert.equal(errors.filter((t) => t.startsWith('[4,"-1","RpcFrameworkError"')).length, 3 * n);
    assert.equal(errors.filter((t) => /^\[4,"g\d+-bad-payload","FormatViolation"/.test(t)).length, n);
    assert.equal(errors.filter((t) => /^\[4,"g\d+-no-action","NotImplemented"/.test(t)).length, n);
    assert.equal(errors.length, 5 * n, 'nothing else was answered (not the results, not the unknown type)');
    // The station's own calls were unaffected.
    assert.deepEqual(Object.keys(allOutcomes(run)), ['ok']);
    const txs = assertTransactionsComplete(calls);
    assert.ok(txs >= 2 && run.counter('tx_ended') === txs, `transactions completed: ${txs}`);
  } finally {
    await server.close();
  }
});

test('closing server: every dropped connection is counted as a disconnect and a reconnect, transactions still complete', async () => {
  const DROPS = 4;
  const server = await closingServer({ onAction: 'TransactionEvent', times: DROPS });
  try {
    const run = await runScenario(scenario(fleetText(2, 3000)), `${server.url}/ocpp`);
    assert.equal(server.drops, DROPS);
    assert.equal(server.connections, 2 + DROPS, 'one new connection per drop');
    assert.equal(run.counter('disconnects'), DROPS);
    assert.equal(run.counter('reconnects'), DROPS);
    assert.equal(run.counter('boot_accepted'), 2, 'a plain reconnect does not boot again');
    assert.equal(run.outcomes('TransactionEvent').disconnected, DROPS, 'each dropped TransactionEvent ended as disconnected');
    assert.equal(run.counter('tx_events_dropped'), 0, 'a disconnect is not a delivery failure: the event is resent');
    assert.ok(run.snapshot.gauges.stations_connected!.last === 0);
    const txs = assertTransactionsComplete(callsIn(server.received));
    assert.ok(txs >= 2);
    assert.equal(run.counter('tx_ended'), txs);
  } finally {
    await server.close();
  }
});

test('connection refused: failures counted by kind, reconnect attempts spaced by the RetryBackOff schedule', async () => {
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));

  const STATIONS = 2;
  const run = await runScenario(scenario(fleetText(STATIONS, 2000)), `ws://127.0.0.1:${port}/ocpp`);
  assert.deepEqual(Object.keys(run.snapshot.connect.outcomes), ['refused']);
  const failures = run.trace.filter((t) => t.line.includes('connect failed'));
  assert.equal(run.snapshot.connect.outcomes.refused, failures.length, 'every failure counted once');
  assert.equal(run.counter('boot_accepted'), 0);
  assert.ok(run.runMs < run.spec.duration + 600, `took ${run.runMs} ms`);

  // waitMinimum 100 ms, randomRange 100 ms, repeatTimes 2: waits 100·2^min(k,2) + [0, 100) ms → 100, 200, 400, 400, …
  const MIN = 100, RANGE = 100, REPEAT = 2;
  const base = (k: number): number => MIN * 2 ** Math.min(k, REPEAT);
  // Attempts start at the run's start and stop at its end (checked on a 100 ms tick): the fewest and most attempts
  // that fit are those of the longest and shortest waits, with 200 ms of slack at either end.
  const window = run.spec.duration;
  let maxAttempts = 0;
  for (let t = 0, k = 0; t <= window + 100; t += base(k), k++) maxAttempts++;
  let minAttempts = 0;
  for (let t = 200, k = 0; t <= window - 200; t += base(k) + RANGE, k++) minAttempts++;
  for (let s = 0; s < STATIONS; s++) {
    const id = `CS${String(s).padStart(6, '0')}`;
    const times = failures.filter((f) => f.line.startsWith(`${id}:`)).map((f) => f.atMs);
    assert.ok(times.length <= maxAttempts, `${id}: ${times.length} attempts, at most ${maxAttempts} fit the schedule`);
    assert.ok(times.length >= minAttempts, `${id}: ${times.length} attempts, at least ${minAttempts} expected`);
    for (let k = 0; k + 1 < times.length; k++) {
      const gap = times[k + 1]! - times[k]!;
      assert.ok(gap >= base(k) - 5, `${id}: wait ${k} was ${gap} ms, at least ${base(k)} expected`);
      // The upper bound has slack for a busy event loop (timers fire late, never early).
      assert.ok(gap <= base(k) + RANGE + 150, `${id}: wait ${k} was ${gap} ms, at most ${base(k) + RANGE} (+ slack) expected`);
    }
  }
});
