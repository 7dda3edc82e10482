// Acceptance (FLOWS.md §1.7, OCPP 2.1 E04/E12): the connection is cut in the middle of a transaction and the CSMS
// refuses reconnects for 2 s, so events happen while the station is offline. Afterwards every TransactionEvent
// of every transaction has arrived, in order, seqNo contiguous from 0, `offline: true` exactly on the events
// generated while disconnected, and the run's offline counters agree with the wire.
//
// Retransmission rule (decided here): the TransactionEvent in flight when the connection dropped was never
// answered, so the station sends it again after reconnecting — exactly once, unchanged (same seqNo, no `offline`
// flag: it happened while online), as the first TransactionEvent of the new connection. Every other event
// arrives exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Payload } from '../../src/ocpp/session.js';
import { runScenario, scenario } from '../support/fleet.js';
import { scriptedServer, type IncomingCall } from '../support/scripted.js';

const STATIONS = 3;
const OUTAGE_MS = 2000;
/**
 * Events this close to a connectivity change may honestly fall on either side of it: the station learns of the
 * drop and of the new connection a little after the server (socket latency, a busy event loop).
 */
const GUARD_MS = 150;

const TEXT = `
name: offline-queue
seed: 5
callTimeout: 2s
reconnect: { waitMinimum: 100ms, randomRange: 100ms, repeatTimes: 2 }
stations: [{ count: ${STATIONS}, evses: 1 }]
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: 200ms
  plugDuration: 5s
  meterInterval: 1s
  stopByTokenRatio: 0.5
phases:
  - { duration: 0s, target: 100% }
  - { duration: 8s, target: 100% }
drainTimeout: 3s
`;

test('cut mid-transaction: every TransactionEvent arrives once, in order, offline flags exact, counters agree', async () => {
  const txCalls = new Map<string, number>();
  const dropAt = new Map<string, number>();
  const droppedCall = new Map<string, IncomingCall>();
  const server = await scriptedServer({
    responder(call) {
      if (call.action !== 'TransactionEvent') return undefined;
      const n = (txCalls.get(call.identity) ?? 0) + 1;
      txCalls.set(call.identity, n);
      if (n === 2) {
        // Once per station: the 2nd TransactionEvent CALL is never answered; the connection drops under it.
        dropAt.set(call.identity, Date.now());
        droppedCall.set(call.identity, call);
        return 'drop';
      }
      return undefined;
    },
    authenticate(identity) {
      const t = dropAt.get(identity);
      return t !== undefined && Date.now() < t + OUTAGE_MS ? 403 : 'accept';
    },
  });
  try {
    const run = await runScenario(scenario(TEXT), `${server.url}/ocpp`);
    const ids = [...new Set(server.calls().map((c) => c.identity))];
    assert.equal(ids.length, STATIONS);
    let offlineOnWire = 0;
    for (const id of ids) {
      const dropped = droppedCall.get(id);
      assert.ok(dropped, `${id} was cut`);
      assert.equal(server.connections(id), 2, `${id}: one reconnect after the outage`);
      const back = server.accepted.filter((a) => a.identity === id)[1]!;
      const downAt = dropAt.get(id)!;
      assert.ok(back.atMs >= downAt + OUTAGE_MS, 'no reconnect got in during the outage');
      assert.ok(server.refused.filter((r) => r.identity === id).length >= 2, 'the station retried during the outage');

      const tes = server.calls(id, 'TransactionEvent');
      // The retransmission: the dropped CALL again, unchanged, as the first TransactionEvent on the new connection.
      const afterReconnect = tes.filter((c) => c.conn === back.conn);
      assert.deepEqual(afterReconnect[0]?.payload, dropped.payload, `${id}: the unanswered event is sent again first`);
      assert.equal(tes.filter((c) => c.conn === dropped.conn).at(-1), dropped, 'nothing went out after the dropped CALL on that connection');
      const delivered = tes.filter((c) => c !== dropped).map((c) => c.payload);
      assert.equal(delivered.filter((p) => JSON.stringify(p) === JSON.stringify(dropped.payload)).length, 1, 'retransmitted exactly once');

      // Per transaction: Started … Ended, seqNo 0..n without gaps or duplicates, in wire order.
      const byTx = new Map<string, Payload[]>();
      for (const p of delivered) {
        const txId = p.transactionInfo.transactionId as string;
        byTx.set(txId, [...(byTx.get(txId) ?? []), p]);
      }
      for (const [txId, events] of byTx) {
        assert.deepEqual(events.map((e) => e.seqNo), events.map((_e, i) => i), `${id} ${txId} seqNos`);
        assert.equal(events[0]!.eventType, 'Started', `${txId} starts with Started`);
        assert.equal(events.at(-1)!.eventType, 'Ended', `${txId} ends with Ended`);
        assert.ok(events.slice(1, -1).every((e) => e.eventType === 'Updated'));
      }
      // Across the station's transactions the queue kept generation order.
      const times = delivered.map((p) => Date.parse(p.timestamp));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), `${id}: delivered in the order generated`);

      // offline: true exactly on the events generated between the cut and the reconnect.
      let offlineHere = 0;
      for (const p of delivered) {
        const t = Date.parse(p.timestamp);
        const flagged = p.offline === true;
        if (flagged) offlineHere++;
        if (p.offline !== undefined) assert.equal(p.offline, true, 'offline is only ever sent as true');
        if (t > downAt + GUARD_MS && t < back.atMs - GUARD_MS) assert.ok(flagged, `${id} seq ${p.seqNo} at ${p.timestamp} happened offline`);
        else if (t < downAt - GUARD_MS || t > back.atMs + GUARD_MS) assert.ok(!flagged, `${id} seq ${p.seqNo} at ${p.timestamp} happened online`);
      }
      assert.ok(offlineHere >= 1, `${id}: meter values kept coming while offline (${offlineHere})`);
      assert.equal(dropped.payload.offline, undefined, 'the in-flight event happened online');
      offlineOnWire += offlineHere;
    }

    assert.ok(offlineOnWire >= STATIONS * 1, `offline events on the wire: ${offlineOnWire}`);
    assert.equal(run.counter('offline_queued'), offlineOnWire, 'offline_queued = offline events generated');
    assert.equal(run.counter('offline_delivered'), offlineOnWire, 'offline_delivered = offline events that arrived');
    assert.equal(run.counter('offline_dropped'), 0);
    assert.equal(run.counter('tx_events_dropped'), 0);
    assert.equal(run.counter('disconnects'), STATIONS);
    assert.equal(run.counter('reconnects'), STATIONS);
    assert.equal(run.outcomes('TransactionEvent').disconnected, STATIONS, 'the in-flight events ended as disconnected');
    // Refused upgrades are counted by their HTTP status (the kind's spelling, http_403 or http-403, is not the point).
    const refusedConnects = Object.entries(run.snapshot.connect.outcomes).filter(([k]) => /^http.403$/.test(k)).reduce((n, [, v]) => n + v, 0);
    assert.equal(refusedConnects, server.refused.length, JSON.stringify(run.snapshot.connect.outcomes));
    assert.ok(refusedConnects >= STATIONS * 2);
    assert.equal(run.counter('tx_started'), run.counter('tx_ended'));
  } finally {
    await server.close();
  }
});
