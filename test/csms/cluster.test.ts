import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { mergeStats, startCsmsCluster } from '../../src/csms/cluster.js';
import { StatsCounters } from '../../src/csms/stats.js';
import { ToolError } from '../../src/util/errors.js';
import { TestClient, until } from './client.js';

test('mergeStats sums counters field by field, including nested records', () => {
  const a = new StatsCounters();
  a.connected = 2;
  a.heartbeats = 5;
  a.count(a.callsIn, 'Heartbeat', 5);
  a.count(a.protocols, 'ocpp2.1', 2);
  a.commandSent('Reset');
  const b = new StatsCounters();
  b.connected = 3;
  b.energyWh = 1.5;
  b.count(b.callsIn, 'Heartbeat', 1);
  b.count(b.callsIn, 'BootNotification', 3);
  b.commandSent('Reset');
  b.commandSkipped('Reset');
  const m = mergeStats([a.snapshot(1), b.snapshot(2)]);
  assert.equal(m.connected, 5);
  assert.equal(m.accepted, 3);
  assert.equal(m.heartbeats, 5);
  assert.equal(m.transactions.energyWh, 1.5);
  assert.deepEqual(m.callsIn, { Heartbeat: 6, BootNotification: 3 });
  assert.deepEqual(m.protocols, { 'ocpp2.1': 2 });
  assert.deepEqual(m.commands, { Reset: { sent: 2, skipped: 1, outcomes: {} } });
  assert.deepEqual(mergeStats([]), new StatsCounters().snapshot(0));
});

test('a cluster of two workers shares one port, sums their counters and stops cleanly', async () => {
  const lines: string[] = [];
  const c = await startCsmsCluster({ workers: 2, port: 0, spec: { heartbeatInterval: 30 }, statsEveryMs: 100, log: (_l, m) => lines.push(m) });
  let closed = false;
  try {
    assert.match(c.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(c.workers, 2);
    const clients = await Promise.all([0, 1, 2, 3].map((i) => TestClient.open(c.url, `CS-CL-${i}`)));
    for (const cl of clients) assert.equal((await cl.boot()).interval, 30);
    const s = await c.refreshStats();
    assert.equal(s.connected, 4);
    assert.equal(s.accepted, 4);
    assert.deepEqual(s.boots, { total: 4, accepted: 4, pending: 0, rejected: 0 });
    await until(() => c.stats().connected === 4);
    assert.equal(lines.filter((l) => /^w[12]: CSMS listening/.test(l)).length, 2);
    const final = await c.close();
    closed = true;
    assert.equal(final.connected, 0);
    assert.equal(final.disconnects, 4);
    assert.deepEqual(await c.exited, { requested: true, failed: 0 });
    await until(() => clients.every((cl) => cl.closed));
  } finally {
    if (!closed) await c.close();
  }
});

test('a port already taken fails the start with E_CSMS_LISTEN and leaves no worker behind', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as AddressInfo).port;
  try {
    await assert.rejects(startCsmsCluster({ workers: 2, port }), (err: unknown) => err instanceof ToolError && err.code === 'E_CSMS_LISTEN');
  } finally {
    blocker.close();
  }
});

test('workers must be a positive integer', async () => {
  await assert.rejects(startCsmsCluster({ workers: 0 }), (err: unknown) => err instanceof ToolError && err.code === 'E_CSMS_CONFIG');
});
