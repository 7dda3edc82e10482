import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRate, csmsPeakConnected, kibPerStation, parseCeiling, peakConnected, steadyCallRate, timeWaitCount, type PointLike } from '../../bench/lib/figures.js';

const CEILING_LINE = '{"conns":1000,"procs":1,"serverProcs":1,"connectPerS":5631,"roundTripsPerS":31204,"p50us":30113,"p99us":61244,"clientKiBPerConn":77}';

test('parseCeiling reads the last JSON result line and ignores other output', () => {
  const r = parseCeiling(`some warning\n{"not":"it"}\n${CEILING_LINE}\n`);
  assert.deepEqual(r, { conns: 1000, procs: 1, serverProcs: 1, connectPerS: 5631, roundTripsPerS: 31204, p50us: 30113, p99us: 61244, clientKiBPerConn: 77 });
  assert.equal(parseCeiling('{"conns":5,"connectPerS":1,"roundTripsPerS":2,"p50us":3,"p99us":4,"clientKiBPerConn":6}').procs, 1);
});

test('parseCeiling throws when no line carries the figures', () => {
  assert.throws(() => parseCeiling('Error: listen EADDRINUSE\n'), /no result line/);
  assert.throws(() => parseCeiling('{"conns":1000}\n{broken'), /no result line/);
});

const pt = (connected: number, calls: number, ms = 1000, errors = 0): PointLike => ({ ms, calls, errors, gauges: { stations_connected: connected } });

test('steadyCallRate uses the hold seconds only, minus the first and last, and leaves failures out', () => {
  const s = {
    gauges: { stations_connected: { value: 0, max: 1000 } },
    series: { points: [pt(400, 900), pt(1000, 5000), pt(1000, 20_000), pt(1000, 22_000, 1000, 1000), pt(1000, 9_000, 500), pt(1000, 18_000), pt(0, 3000)] },
  };
  // full points 1..5; settle drops 1, the last full point (5) is dropped: 2, 3, 4
  const r = steadyCallRate(s)!;
  assert.equal(r.points, 3);
  assert.equal(r.seconds, 2.5);
  assert.equal(r.failed, 1000);
  assert.equal(r.perS, (20_000 + 22_000 - 1000 + 9_000) / 2.5);
});

test('steadyCallRate takes the longest run of full points and tolerates 1% missing', () => {
  const s = { series: { points: [pt(995, 10), pt(1000, 10), pt(500, 1), pt(991, 100), pt(1000, 100), pt(995, 100), pt(992, 100), pt(10, 1)] } };
  const r = steadyCallRate(s)!;
  assert.equal(r.points, 2);
  assert.equal(r.perS, 100);
});

test('steadyCallRate is null without a connected fleet, and short holds use what there is', () => {
  assert.equal(steadyCallRate({ series: { points: [pt(0, 5)] } }), null);
  assert.equal(steadyCallRate({}), null);
  assert.equal(steadyCallRate({ series: { points: [pt(10, 5), pt(10, 7, 2000)] } })!.perS, 3.5);
  assert.equal(steadyCallRate({ series: { points: [pt(10, 6, 2000)] } })!.perS, 3);
});

test('peakConnected prefers the gauge, then the execution record, then the series', () => {
  assert.equal(peakConnected({ gauges: { stations_connected: { value: 0, max: 42 } }, execution: { peakConnected: 41 } }), 42);
  assert.equal(peakConnected({ execution: { peakConnected: 41 } }), 41);
  assert.equal(peakConnected({ series: { points: [pt(3, 0), pt(7, 0), pt(2, 0)] } }), 7);
  assert.equal(peakConnected({}), 0);
});

test('connectRate reads the fastest whole second of a long ramp', () => {
  const s = { series: { points: [pt(1200, 0, 1600), pt(3200, 0), pt(5100, 0), pt(7000, 0, 1000), pt(10_000, 0, 1000), pt(10_000, 0)] } };
  const r = connectRate(s)!;
  assert.equal(r.lowerBound, false);
  assert.equal(r.perS, 3000);
  assert.equal(r.connected, 10_000);
});

test('connectRate flags a ramp shorter than three points as a lower bound', () => {
  const r = connectRate({ series: { points: [pt(1085, 0, 1585), pt(2000, 0, 943), pt(2000, 0)] } })!;
  assert.equal(r.lowerBound, true);
  assert.equal(Math.round(r.perS), Math.round((915 * 1000) / 943));
  const one = connectRate({ series: { points: [pt(500, 0, 1000), pt(500, 0)] } })!;
  assert.equal(one.perS, 500);
  assert.equal(one.lowerBound, true);
  assert.equal(connectRate({ series: { points: [pt(0, 0)] } }), null);
});

test('kibPerStation divides and refuses empty inputs', () => {
  assert.equal(kibPerStation(300_000, 10_000), 30);
  assert.equal(kibPerStation(300_000, 0), null);
  assert.equal(kibPerStation(0, 10), null);
});

test('csmsPeakConnected reads the CSMS stats lines and ignores everything else', () => {
  const err = '[csms] w1: CSMS listening on ws://127.0.0.1:1\n[csms] {"connected":10,"booted":9}\n[csms] {"connected":25,"booted":25}\n'
    + '[csms] {"connected":3,"booted":3}\nchargestorm: something\n[csms] {"connected":';
  assert.equal(csmsPeakConnected(err), 25);
  assert.equal(csmsPeakConnected('[csms] w1: CSMS listening'), null);
});

test('timeWaitCount reads the TCP line of /proc/net/sockstat', () => {
  assert.equal(timeWaitCount('sockets: used 13\nTCP: inuse 1 orphan 0 tw 35839 alloc 1 mem 233\nUDP: inuse 0 mem 0\n'), 35839);
  assert.equal(timeWaitCount('sockets: used 13\n'), null);
});
