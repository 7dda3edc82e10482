// Acceptance (FLOWS.md §2.1, §1.6; OCPP 2.1 B01-B04): boot Pending / Rejected / Accepted, heartbeat at the CSMS's
// interval, no second BootNotification on a plain reconnect, and booting again when a CSMS that lost its state
// answers SecurityError. One idle station (no sessions) against a scripted CSMS, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecurityError } from '../../src/ocpp/errors.js';
import type { Frame } from '../../src/ocpp/framing.js';
import type { Payload } from '../../src/ocpp/session.js';
import { auditFrames } from '../support/audit.js';
import { runScenario, scenario } from '../support/fleet.js';
import { scriptedServer, type LoggedFrame, type ScriptedServer } from '../support/scripted.js';

const ID = 'BOOT-1';

function idleStation(durationMs: number): string {
  return `
name: boot
seed: 9
callTimeout: 2s
reconnect: { waitMinimum: 100ms, randomRange: 100ms, repeatTimes: 2 }
stations: [{ count: 1, idTemplate: "${ID}", evses: 2, behaviour: idle }]
phases:
  - { duration: 0s, target: 100% }
  - { duration: ${durationMs}ms, target: 100% }
drainTimeout: 1s
`;
}

const now = (): string => new Date().toISOString();

/** Station frames (anything it sent) between two instants, excluding the bounds' own frames. */
function stationFramesBetween(log: readonly LoggedFrame[], fromMs: number, toMs: number): LoggedFrame[] {
  return log.filter((l) => l.dir === 'toCsms' && l.atMs > fromMs && l.atMs < toMs);
}

function assertValidTraffic(server: ScriptedServer): void {
  const audit = auditFrames(server.log);
  assert.deepEqual(audit.stationProblems, []);
}

test('Pending, then Accepted: only BootNotification (and answers to what the CSMS asks) until accepted', async () => {
  let boots = 0;
  const asked: Promise<Frame | undefined>[] = [];
  const server = await scriptedServer({
    responder(call, srv) {
      if (call.action !== 'BootNotification') return undefined;
      if (boots++ > 0) return { currentTime: now(), interval: 60, status: 'Accepted' };
      // While Pending the CSMS may ask for configuration (answered), but a remote start must be refused.
      setTimeout(() => {
        asked.push(srv.call(ID, 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] }));
        asked.push(srv.call(ID, 'RequestStartTransaction', { idToken: { idToken: 'PENDING-1', type: 'Central' }, remoteStartId: 1, evseId: 1 }));
      }, 300);
      return { currentTime: now(), interval: 1, status: 'Pending' };
    },
  });
  try {
    const run = await runScenario(scenario(idleStation(2500)), `${server.url}/ocpp`);
    const bootCalls = server.calls(ID, 'BootNotification');
    assert.equal(bootCalls.length, 2);
    const gap = bootCalls[1]!.atMs - bootCalls[0]!.atMs;
    assert.ok(gap >= 990 && gap < 1600, `second BootNotification ${gap} ms after the first (interval 1 s)`);
    const between = stationFramesBetween(server.log, bootCalls[0]!.atMs, bootCalls[1]!.atMs);
    assert.deepEqual(between.map((l) => l.frame?.type), [3, 3], 'only the two answers to the CSMS went out while Pending');

    const [getVars, remoteStart] = await Promise.all(asked);
    assert.equal(getVars?.type, 3);
    const gv = (getVars as { payload: Payload }).payload.getVariableResult[0];
    assert.equal(gv.attributeStatus, 'Accepted');
    assert.equal(remoteStart?.type, 3);
    assert.deepEqual((remoteStart as { payload: Payload }).payload, { status: 'Rejected' }, 'no remote start before acceptance');

    // After acceptance: both connectors reported, then silence (idle, heartbeat 60 s).
    const after = server.calls(ID).filter((c) => c.atMs > bootCalls[1]!.atMs).map((c) => c.action);
    assert.deepEqual(after, ['StatusNotification', 'StatusNotification']);
    assert.equal(run.counter('boot_pending'), 1);
    assert.equal(run.counter('boot_accepted'), 1);
    assert.equal(run.counter('tx_started'), 0);
    assertValidTraffic(server);
  } finally {
    await server.close();
  }
});

test('Rejected: nothing is sent until the interval passes; CSMS calls meanwhile get SecurityError', async () => {
  let boots = 0;
  let asked: Promise<Frame | undefined> | undefined;
  const server = await scriptedServer({
    responder(call, srv) {
      if (call.action !== 'BootNotification') return undefined;
      if (boots++ > 0) return { currentTime: now(), interval: 60, status: 'Accepted' };
      setTimeout(() => { asked = srv.call(ID, 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] }); }, 300);
      return { currentTime: now(), interval: 1, status: 'Rejected' };
    },
  });
  try {
    const run = await runScenario(scenario(idleStation(2500)), `${server.url}/ocpp`);
    const bootCalls = server.calls(ID, 'BootNotification');
    assert.equal(bootCalls.length, 2);
    const gap = bootCalls[1]!.atMs - bootCalls[0]!.atMs;
    assert.ok(gap >= 990 && gap < 1600, `BootNotification again only after the interval: ${gap} ms`);
    const between = stationFramesBetween(server.log, bootCalls[0]!.atMs, bootCalls[1]!.atMs);
    assert.equal(between.length, 1, 'the only frame while Rejected is the answer to the CSMS');
    const answer = await asked;
    assert.equal(answer?.type, 4);
    assert.equal((answer as { code: string }).code, 'SecurityError');
    assert.equal(run.counter('boot_rejected'), 1);
    assert.equal(run.counter('boot_accepted'), 1);
    assert.deepEqual(run.snapshot.incoming.GetVariables, { 'callerror:SecurityError': 1 });
    assertValidTraffic(server);
  } finally {
    await server.close();
  }
});

test('Heartbeat at the interval the CSMS gave: interval 1 s → one heartbeat a second', async () => {
  const server = await scriptedServer({
    responder(call) {
      if (call.action === 'BootNotification') return { currentTime: now(), interval: 1, status: 'Accepted' };
      return undefined;
    },
  });
  try {
    const run = await runScenario(scenario(idleStation(3300)), `${server.url}/ocpp`);
    const boot = server.calls(ID, 'BootNotification')[0]!;
    const beats = server.calls(ID, 'Heartbeat');
    // Accepted at ~0.1 s; beats at ~1.1, 2.1, 3.1 s.
    assert.ok(beats.length >= 2 && beats.length <= 4, `heartbeats: ${beats.length}`);
    const first = beats[0]!.atMs - boot.atMs;
    assert.ok(first >= 990 && first < 1600, `first heartbeat ${first} ms after the boot`);
    for (let i = 1; i < beats.length; i++) {
      const gap = beats[i]!.atMs - beats[i - 1]!.atMs;
      assert.ok(gap >= 990 && gap < 1600, `heartbeat gap ${gap} ms`);
    }
    assert.deepEqual(run.outcomes('Heartbeat'), { ok: beats.length });
    assertValidTraffic(server);
  } finally {
    await server.close();
  }
});

test('a plain reconnect sends no second BootNotification', async () => {
  const server = await scriptedServer({
    responder(call, srv) {
      if (call.action === 'BootNotification') {
        setTimeout(() => srv.terminate(ID), 500);
        return { currentTime: now(), interval: 1, status: 'Accepted' };
      }
      return undefined;
    },
  });
  try {
    const run = await runScenario(scenario(idleStation(2800)), `${server.url}/ocpp`);
    assert.equal(server.connections(ID), 2);
    assert.equal(server.calls(ID, 'BootNotification').length, 1, 'booted once');
    const second = server.calls(ID).filter((c) => c.conn === server.accepted[1]!.conn);
    assert.ok(second.length >= 1, 'the station works on the new connection');
    assert.ok(second.every((c) => c.action === 'Heartbeat'), `on the new connection: ${second.map((c) => c.action).join(',')}`);
    assert.equal(run.counter('disconnects'), 1);
    assert.equal(run.counter('reconnects'), 1);
    assert.equal(run.counter('boot_accepted'), 1);
    assertValidTraffic(server);
  } finally {
    await server.close();
  }
});

test('SecurityError from a CSMS that lost its state makes the station boot again', async () => {
  // The CSMS "restarts" once: it drops the connection and forgets the station, so until the station boots again
  // every other CALL is refused with SecurityError (FLOWS.md §2.1).
  let knows = false;
  let restarted = false;
  const server = await scriptedServer({
    responder(call, srv) {
      if (call.action === 'BootNotification') {
        knows = true;
        if (!restarted) {
          restarted = true;
          setTimeout(() => { knows = false; srv.terminate(ID); }, 400);
        }
        return { currentTime: now(), interval: 1, status: 'Accepted' };
      }
      return knows ? undefined : new SecurityError(`${call.action} before BootNotification was accepted`);
    },
  });
  try {
    const run = await runScenario(scenario(idleStation(3500)), `${server.url}/ocpp`);
    assert.equal(server.connections(ID), 2);
    const second = server.calls(ID).filter((c) => c.conn === server.accepted[1]!.conn).map((c) => c.action);
    // Plain reconnect: a heartbeat first, refused; then the station boots and reports its connectors.
    assert.deepEqual(second.slice(0, 4), ['Heartbeat', 'BootNotification', 'StatusNotification', 'StatusNotification']);
    assert.ok(second.slice(4).every((a) => a === 'Heartbeat') && second.length >= 5, second.join(','));
    assert.equal(run.counter('reboot_after_security_error'), 1);
    assert.equal(run.counter('boot_accepted'), 2);
    assert.deepEqual(run.outcomes('Heartbeat')['callerror:SecurityError'], 1);
    assertValidTraffic(server);
  } finally {
    await server.close();
  }
});
