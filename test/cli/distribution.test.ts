import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { distributionOptions, parseAddresses, parseSegment, parseShard } from '../../src/cli/distribution.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { ScenarioSpec } from '../../src/scenario/spec.js';
import { ExitCode, ToolError } from '../../src/util/errors.js';

const spec = (yaml: string): ScenarioSpec => parseScenario(yaml, 'distribution.yaml');

/** A 104 option error whose message matches. */
function badOption(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ToolError, String(e));
    assert.equal(e.exitCode, ExitCode.invalidInput);
    assert.equal(e.code, 'E_BAD_OPTION');
    assert.match(e.message, message);
    return true;
  });
}

const LOOPBACK_8 = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8'];

describe('parseShard', () => {
  test('i/N, 0-based, surrounding spaces allowed', () => {
    assert.deepEqual(parseShard('0/1'), { index: 0, count: 1 });
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    assert.deepEqual(parseShard(' 7/8 '), { index: 7, count: 8 });
  });

  test('an index outside 0..N-1 or a zero count is a 104 naming the valid range', () => {
    badOption(() => parseShard('3/3'), /--shard 3\/3: the index must be 0\.\.2/);
    badOption(() => parseShard('0/0'), /--shard 0\/0/);
  });

  for (const text of ['1', '1/', '/3', '-1/3', '1.5/3', 'a/b', '1/3/4', '']) {
    test(`'${text}' is not i/N`, () => badOption(() => parseShard(text), /--shard expects i\/N/));
  }
});

describe('parseSegment (k6 --execution-segment)', () => {
  test('equal segments map onto the plan\'s shards', () => {
    assert.deepEqual(parseSegment('0:1/4'), { index: 0, count: 4 });
    assert.deepEqual(parseSegment('1/4:2/4'), { index: 1, count: 4 });
    assert.deepEqual(parseSegment('3/4:1'), { index: 3, count: 4 });
    assert.deepEqual(parseSegment('1/3:2/3'), { index: 1, count: 3 });
    assert.deepEqual(parseSegment('2/3:1'), { index: 2, count: 3 });
    assert.deepEqual(parseSegment('50%:100%'), { index: 1, count: 2 });
    assert.deepEqual(parseSegment('0:1'), { index: 0, count: 1 });
  });

  test('every equal segment of N agrees with --shard i/N', () => {
    for (let n = 1; n <= 12; n++) {
      for (let i = 0; i < n; i++) {
        const lo = i === 0 ? '0' : `${i}/${n}`;
        const hi = i === n - 1 ? '1' : `${i + 1}/${n}`;
        assert.deepEqual(parseSegment(`${lo}:${hi}`), parseShard(`${i}/${n}`), `${lo}:${hi}`);
      }
    }
  });

  for (const text of ['1/4:3/4', '0:2/3', '0:3/4', '1/4:5/4', '2/4:1/4', '0:0', '0:150%']) {
    test(`unequal or out-of-range segment ${text} is a 104`, () => badOption(() => parseSegment(text), /only equal segments/));
  }

  for (const text of ['0', '0:1/0', '1/4', 'a:b', '0:1:2', '0:1/4x']) {
    test(`'${text}' is not a:b`, () => badOption(() => parseSegment(text), /--execution-segment expects a:b/));
  }
});

describe('parseAddresses (--local-ips)', () => {
  test('a range in the last octet, with or without the prefix repeated', () => {
    assert.deepEqual(parseAddresses('127.0.0.1-127.0.0.8'), LOOPBACK_8);
    assert.deepEqual(parseAddresses('127.0.0.1-8'), LOOPBACK_8);
    assert.deepEqual(parseAddresses('10.0.0.5-10.0.0.5'), ['10.0.0.5']);
  });

  test('a comma-separated list of addresses and ranges, IPv6 included, empty items ignored', () => {
    assert.deepEqual(parseAddresses('10.0.0.5, 10.0.0.6,,::1,192.168.1.10-11'), ['10.0.0.5', '10.0.0.6', '::1', '192.168.1.10', '192.168.1.11']);
  });

  test('bad ranges, non-addresses and an empty list are 104s', () => {
    badOption(() => parseAddresses('127.0.0.8-127.0.0.1'), /bad range/);
    badOption(() => parseAddresses('10.0.0.250-256'), /bad range/);
    badOption(() => parseAddresses('localhost'), /--local-ips expects addresses/);
    badOption(() => parseAddresses('10.0.0'), /--local-ips expects addresses/);
    badOption(() => parseAddresses(' , '), /--local-ips is empty/);
  });
});

describe('distributionOptions', () => {
  const small = spec('stations: [{ count: 10 }]');

  test('defaults: the whole plan, no process count, no barrier, the spec unchanged', () => {
    const d = distributionOptions({}, small);
    assert.deepEqual(d.shard, { index: 0, count: 1 });
    assert.equal(d.processes, undefined);
    assert.equal(d.startAtMs, undefined);
    assert.equal(d.spec, small);
  });

  test('--shard, --execution-segment and --procs', () => {
    assert.deepEqual(distributionOptions({ shard: '1/3' }, small).shard, { index: 1, count: 3 });
    assert.deepEqual(distributionOptions({ executionSegment: '1/3:2/3' }, small).shard, { index: 1, count: 3 });
    assert.equal(distributionOptions({ procs: '4' }, small).processes, 4);
    badOption(() => distributionOptions({ procs: '0' }, small), /--procs expects an integer >= 1/);
    badOption(() => distributionOptions({ shard: '0/2', executionSegment: '0:1/2' }, small), /either --shard or --execution-segment/);
  });

  test('--start-at takes epoch milliseconds or an ISO-8601 time', () => {
    assert.equal(distributionOptions({ startAt: '1767268800000' }, small).startAtMs, 1_767_268_800_000);
    assert.equal(distributionOptions({ startAt: '2026-01-01T12:00:00Z' }, small).startAtMs, Date.parse('2026-01-01T12:00:00Z'));
    badOption(() => distributionOptions({ startAt: 'soon' }, small), /--start-at expects an ISO-8601 time or epoch milliseconds/);
  });

  test('--local-ips sets the source addresses', () => {
    assert.deepEqual(distributionOptions({ localIps: '127.0.0.1-3' }, small).spec.localAddresses, ['127.0.0.1', '127.0.0.2', '127.0.0.3']);
  });

  test('--local-ports sets the source port range, or kernel', () => {
    assert.deepEqual(small.localPorts, { from: 10_000, to: 65_535 });
    assert.deepEqual(distributionOptions({ localPorts: '20000-30000' }, small).spec.localPorts, { from: 20_000, to: 30_000 });
    assert.equal(distributionOptions({ localPorts: 'kernel' }, small).spec.localPorts, 'kernel');
    badOption(() => distributionOptions({ localPorts: '20000' }, small), /--local-ports: expected a port range like 10000-65535, or kernel/);
    badOption(() => distributionOptions({ localPorts: '100-200' }, small), /--local-ports: expected from-to with 1024 <= from/);
  });

  describe('automatic loopback source addresses (ports per source address run out near 28k)', () => {
    const big = spec('stations: [{ count: 20001 }]');
    const limit = spec('stations: [{ count: 20000 }]');
    const withTarget = (s: ScenarioSpec, target: string): ScenarioSpec => ({ ...s, target });

    test('above 20,000 stations against the embedded CSMS or a loopback target: 127.0.0.1-127.0.0.8', () => {
      assert.deepEqual(distributionOptions({}, big).spec.localAddresses, LOOPBACK_8);
      for (const t of ['ws://127.0.0.1:9000/ocpp', 'ws://localhost:9000/ocpp', 'ws://127.1.2.3:9000', 'ws://[::1]:9000/ocpp']) {
        assert.deepEqual(distributionOptions({}, withTarget(big, t)).spec.localAddresses, LOOPBACK_8, t);
      }
    });

    test('not at 20,000 or fewer, not for a remote target, not when --local-ips or the scenario sets them', () => {
      assert.deepEqual(distributionOptions({}, limit).spec.localAddresses, []);
      assert.deepEqual(distributionOptions({}, withTarget(big, 'ws://10.0.0.7:9000/ocpp')).spec.localAddresses, []);
      assert.deepEqual(distributionOptions({}, withTarget(big, 'wss://csms.example.com/ocpp')).spec.localAddresses, []);
      assert.deepEqual(distributionOptions({ localIps: '127.0.0.9' }, big).spec.localAddresses, ['127.0.0.9']);
      const own = { ...big, localAddresses: ['127.0.0.20'] };
      assert.deepEqual(distributionOptions({}, own).spec.localAddresses, ['127.0.0.20']);
    });

    test('counts this machine\'s shard, not the whole fleet', () => {
      const fleet = spec('stations: [{ count: 40001 }]');
      assert.deepEqual(distributionOptions({ shard: '0/2' }, fleet).spec.localAddresses, LOOPBACK_8, '20,001 stations in shard 0/2');
      assert.deepEqual(distributionOptions({ shard: '1/2' }, fleet).spec.localAddresses, [], '20,000 stations in shard 1/2');
    });
  });
});
