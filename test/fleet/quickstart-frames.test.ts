// Acceptance: every frame the quick-start fleet sends is valid OCPP 2.1. The fleet of scenarios/quickstart.yaml
// (same groups, sessions and CSMS commands; scaled to 200 stations and 12 s, commands moved into that window)
// runs against the embedded CSMS through a recording tap, and every station frame is checked against the
// official 2.1 schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tokenRegistry } from '../../src/cli/embedded.js';
import { startCsms, type Csms } from '../../src/csms/server.js';
import { auditFrames } from '../support/audit.js';
import { runScenario, scenario } from '../support/fleet.js';
import { startTap } from '../support/tap.js';

const FILE = 'scenarios/quickstart.yaml';
const STATIONS = 200;

/**
 * The quick-start file with its CSMS commands moved into a 12 s run: SetChargingProfile at 4 s (every station is
 * connected after the 3 s ramp), TriggerMessage(MeterValues) at 6 s and every 3 s. Everything else as shipped.
 */
function derivedQuickstart(): string {
  const text = readFileSync(FILE, 'utf8');
  const moved = text
    .replace('{ at: 25s, action: SetChargingProfile', '{ at: 4s, action: SetChargingProfile')
    .replace('{ at: 35s, every: 10s, action: TriggerMessage', '{ at: 6s, every: 3s, action: TriggerMessage');
  assert.notEqual(moved, text, 'the quick-start commands moved (the file changed: update this test)');
  assert.equal((moved.match(/at: [46]s/g) ?? []).length, 2, 'both quick-start commands were moved');
  return moved;
}

test('quick-start fleet: every station frame validates against the OCPP 2.1 schemas, no CALLERRORs', async () => {
  const spec = scenario(derivedQuickstart(), { stations: STATIONS, duration: 12_000 }, FILE);
  assert.deepEqual(spec.groups.map((g) => g.count), [160, 40]);
  assert.deepEqual(spec.csms.commands.map((c) => c.action), ['SetChargingProfile', 'TriggerMessage']);
  // The command schedule counts from the first station connection: the fleet's own set-up (schema warm-up) takes a
  // variable time, more so on a busy machine, and the commands must find the stations connected.
  let scheduled = false;
  const csms: Csms = await startCsms({
    host: '127.0.0.1', port: 0, protocols: spec.protocols, validation: spec.validation,
    callTimeoutMs: spec.callTimeout, security: spec.security, spec: spec.csms, seed: spec.seed,
    // The token registry `chargestorm run` gives the embedded CSMS: the drivers' tokens are all known.
    knownTokens: tokenRegistry(spec)!,
    observer: { connection() { if (!scheduled) { scheduled = true; csms.startSchedule(); } } },
  });
  const tap = await startTap(csms.url);
  try {
    const run = await runScenario(spec, `${tap.url}/ocpp`);
    const audit = auditFrames(tap.frames);

    assert.deepEqual(audit.stationProblems.slice(0, 20), [], `${audit.stationProblems.length} invalid station frames`);
    assert.deepEqual(audit.csmsProblems.slice(0, 20), [], `${audit.csmsProblems.length} invalid CSMS frames`);
    assert.deepEqual(audit.errors.slice(0, 20), [], `${audit.errors.length} CALLERRORs on the wire`);
    assert.equal(tap.connections, STATIONS, 'one connection per station, no reconnects');
    assert.ok(tap.frames.every((f) => f.protocol === 'ocpp2.1'));
    // Only CALLs and CALLRESULTs from the stations.
    assert.deepEqual([...audit.stationTypes.keys()].sort(), [2, 3]);

    const count = (action: string): number => audit.stationCalls.filter((c) => c.action === action).length;
    const boots = audit.stationCalls.filter((c) => c.action === 'BootNotification');
    assert.equal(boots.length, STATIONS, 'each station boots exactly once');
    assert.ok(boots.every((b) => b.payload.reason === 'PowerUp' && b.response?.status === 'Accepted'));
    assert.ok(count('StatusNotification') >= STATIONS * 2, 'every connector reported after boot');
    const tx = audit.stationCalls.filter((c) => c.action === 'TransactionEvent');
    const started = tx.filter((c) => c.payload.eventType === 'Started').length;
    const ended = tx.filter((c) => c.payload.eventType === 'Ended').length;
    assert.ok(started >= 20, `TransactionEvent Started: ${started}`);
    assert.equal(ended, started, 'every transaction that started also ended (drain)');
    assert.ok(tx.some((c) => c.payload.eventType === 'Updated' && c.payload.triggerReason === 'MeterValuePeriodic'));
    assert.ok(count('Authorize') >= 10);
    // With the token registry on, every driver's token is known: no Unknown/Invalid answer to the benign fleet.
    const tokenAnswers = audit.stationCalls.filter((c) => c.payload.idToken !== undefined).map((c) => c.response?.idTokenInfo?.status);
    assert.ok(tokenAnswers.length >= 30);
    assert.deepEqual([...new Set(tokenAnswers)], ['Accepted']);
    // Every call the station made was answered (by the audit's id matching): none pending at the end.
    assert.ok(audit.stationCalls.every((c) => c.response !== undefined), 'every station CALL got a CALLRESULT');

    // The CSMS commands really ran, and the station answers validated above.
    const scp = audit.answered.get('SetChargingProfile') ?? 0;
    assert.ok(scp >= STATIONS * 0.1 * 0.9, `SetChargingProfile answered ${scp} times`);
    const trig = audit.answered.get('TriggerMessage') ?? 0;
    assert.ok(trig >= STATIONS * 0.05, `TriggerMessage answered ${trig} times`);
    assert.ok(count('MeterValues') >= trig, 'each accepted TriggerMessage(MeterValues) produced MeterValues');
    assert.ok(audit.stationCalls.filter((c) => c.action === 'MeterValues')
      .every((c) => c.payload.meterValue.every((mv: { sampledValue: { context?: string }[] }) => mv.sampledValue.every((s) => s.context === 'Trigger'))));

    // The fleet's own metrics agree: nothing failed, nothing invalid, no protocol events.
    for (const [action, c] of Object.entries(run.snapshot.calls)) {
      const bad = Object.keys(c.outcomes).filter((k) => k !== 'ok' && k !== 'rejected');
      assert.deepEqual(bad, [], `${action} outcomes ${JSON.stringify(c.outcomes)}`);
    }
    assert.deepEqual(Object.keys(run.snapshot.counters).filter((k) => k.startsWith('protocol_')), []);
    assert.equal(run.counter('tx_started'), started);
    const stats = csms.stats();
    assert.deepEqual(stats.callErrorsSent, {});
    assert.deepEqual(stats.protocolEvents, {});
    assert.equal(stats.transactions.seq.gaps + stats.transactions.seq.duplicates + stats.transactions.seq.outOfOrder, 0);
  } finally {
    await tap.close();
    await csms.close();
  }
});
