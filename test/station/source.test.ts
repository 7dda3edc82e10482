// Source addresses and ports (station/source.ts): each station binds a port derived from its global index, so a
// fleet never asks Linux to search for a free port (slow past ~28k sockets), never collides with itself across
// processes and shards, and a port taken by something else is retried rather than counted against the CSMS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { connectionSource, sourceAddress } from '../../src/station/source.js';
import { runScenario, scenario } from '../support/fleet.js';
import { scriptedServer } from '../support/scripted.js';

function fleet(count: number, extra: string): string {
  return `
name: source
stations: [{ count: ${count}, idTemplate: "SRC-{index:03}", behaviour: idle }]
${extra}
phases:
  - { duration: 0s, target: 100% }
  - { duration: 600ms, target: 100% }
drainTimeout: 1s
`;
}

const ADDRS = 'localAddresses: [127.0.0.1, 127.0.0.2, 127.0.0.3]';

test('first attempts of a whole fleet bind distinct (address, port) pairs; a reconnect takes a disjoint band', () => {
  const spec = scenario(fleet(1000, `${ADDRS}\nlocalPorts: 20000-29999`));
  const key = (i: number, attempt: number): string => {
    const s = connectionSource(spec, i, attempt);
    assert.ok(s.localPort !== undefined && s.localPort >= 20000 && s.localPort <= 29999, `port of ${i}: ${s.localPort}`);
    assert.equal(s.localAddress, sourceAddress(spec, i));
    return `${s.localAddress}:${s.localPort}`;
  };
  const first = new Set(Array.from({ length: 1000 }, (_, i) => key(i, 0)));
  assert.equal(first.size, 1000);
  const second = Array.from({ length: 1000 }, (_, i) => key(i, 1));
  assert.equal(new Set(second).size, 1000);
  assert.equal(second.filter((k) => first.has(k)).length, 0);
  // Addresses rotate by index; ports count up per address.
  assert.deepEqual(connectionSource(spec, 0, 0), { localAddress: '127.0.0.1', localPort: 20000 });
  assert.deepEqual(connectionSource(spec, 4, 0), { localAddress: '127.0.0.2', localPort: 20001 });
  assert.deepEqual(connectionSource(spec, 4, 1), { localAddress: '127.0.0.2', localPort: 20001 + 334 });
});

test('bands wrap around a small range; kernel leaves the port to the OS; no addresses, no binding', () => {
  const small = scenario(fleet(10, `${ADDRS}\nlocalPorts: 40000-40004`));
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = connectionSource(small, 9, attempt).localPort!;
    assert.ok(p >= 40000 && p <= 40004, String(p));
  }
  assert.deepEqual(connectionSource(scenario(fleet(10, `${ADDRS}\nlocalPorts: kernel`)), 5, 0), { localAddress: '127.0.0.3' });
  assert.deepEqual(connectionSource(scenario(fleet(10, '')), 5, 0), {});
});

test('a bad localPorts names the path and what was expected', () => {
  for (const bad of ['70000-80000', '5000-4000', 'ports', '80-90']) {
    assert.throws(() => scenario(fleet(1, `localPorts: ${bad}`)), (err: Error) => {
      assert.match(err.message, /localPorts/);
      assert.match(err.message, /expected/);
      return true;
    }, bad);
  }
});

test('stations connect from the ports their index gives them', async () => {
  const server = await scriptedServer();
  try {
    // Above Linux's ephemeral range (32768-60999): nothing else on the machine picks these.
    const spec = scenario(fleet(6, 'localAddresses: [127.0.0.1, 127.0.0.2]\nlocalPorts: 61500-61599'));
    const run = await runScenario(spec, `${server.url}/ocpp`);
    assert.equal(run.counter('source_port_retries'), 0);
    const from = new Map(server.accepted.map((a) => [a.identity, a.from]));
    for (let i = 0; i < 6; i++) {
      const s = connectionSource(spec, i, 0);
      assert.equal(from.get(`SRC-00${i}`), `${s.localAddress}:${s.localPort}`);
    }
  } finally {
    await server.close();
  }
});

test('a taken source port is retried, then left to the OS: the station connects and no connect failure is counted', async () => {
  const squatter: Server = createServer();
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
  const port = (squatter.address() as { port: number }).port;
  const server = await scriptedServer();
  try {
    const spec = scenario(fleet(1, `localAddresses: [127.0.0.1]\nlocalPorts: ${port}-${port}`));
    const run = await runScenario(spec, `${server.url}/ocpp`);
    assert.equal(server.connections('SRC-000'), 1);
    assert.notEqual(server.accepted[0]!.from, `127.0.0.1:${port}`);
    assert.equal(run.counter('source_port_retries'), 4);
    assert.deepEqual(run.snapshot.connect.outcomes, { ok: 1 });
  } finally {
    await server.close();
    await new Promise<void>((r) => squatter.close(() => r()));
  }
});
