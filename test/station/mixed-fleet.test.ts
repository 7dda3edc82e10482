// scenarios/mixed-fleet.yaml runs end to end against the embedded CSMS (shortened as a user would with
// --duration/--stations): every behaviour at once, every frame schema-valid, no CALLERROR — the CSMS sends each
// use case's commands (and its tariff) only to the stations whose id `match`es — and the report's USE CASES section
// shows every use case. Against a 2.0.1-only CSMS the same file runs with the 2.1-only parts skipped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parseFrame } from '../../src/ocpp/framing.js';
import type { Subprotocol } from '../../src/scenario/spec.js';
import { runShipped } from '../support/embedded-run.js';

const FILE = fileURLToPath(new URL('../../../scenarios/mixed-fleet.yaml', import.meta.url));
// 35 stations keep every group (5 to 10 stations each, 2-3 idle and swap); the one-off commands fire at 11-15 s.
const SHORT = { duration: 20_000, stations: 35 };

async function run(protocols?: readonly Subprotocol[]) {
  const r = await runShipped(FILE, SHORT, protocols);
  const audit = r.audit;
  const version = protocols?.includes('ocpp2.1') === false ? 'ocpp2.0.1' : 'ocpp2.1';
  assert.ok(r.frames.length > 0 && r.frames.every((f) => f.protocol === version));
  // CSMS → station CALLs: action → the identities that received it.
  const commands = new Map<string, Set<string>>();
  for (const f of r.frames) {
    if (f.dir !== 'toStation') continue;
    const parsed = parseFrame(f.text);
    if (!parsed.ok || parsed.frame.type !== 2) continue;
    const set = commands.get(parsed.frame.action) ?? new Set<string>();
    set.add(f.identity);
    commands.set(parsed.frame.action, set);
  }
  const callsFrom = (prefix: string) => audit.stationCalls.filter((c) => String(identityOf(r.frames, c.conn)).startsWith(prefix));
  return { ...r, commands, callsFrom };
}

function identityOf(frames: readonly { conn: number | string; identity: string }[], conn: number | string): string {
  return frames.find((f) => f.conn === conn)?.identity ?? '';
}

/** Every identity that received `action` starts with one of `prefixes`, and at least one did. */
function onlyTo(commands: Map<string, Set<string>>, action: string, ...prefixes: string[]): void {
  const ids = [...(commands.get(action) ?? [])];
  assert.ok(ids.length > 0, `${action} was sent`);
  const stray = ids.filter((id) => !prefixes.some((p) => id.startsWith(p)));
  assert.deepEqual(stray, [], `${action} only to ${prefixes.join(', ')}`);
}

test('scenarios/mixed-fleet.yaml (shortened): every use case at once, commands only to the stations that have them', async () => {
  const { run: fleet, audit, commands, callsFrom, csms, report } = await run();
  const counters = JSON.stringify(fleet.snapshot.counters);
  // Each kind of station did its own thing.
  assert.ok(callsFrom('CS-AC-').some((c) => c.action === 'TransactionEvent'), 'AC posts charge');
  assert.ok(callsFrom('CS-DC-').some((c) => c.action === 'OpenPeriodicEventStream'), 'DC chargers stream');
  assert.deepEqual(callsFrom('CS-IDLE-').filter((c) => c.action === 'TransactionEvent' || c.action === 'Authorize'), [], 'idle posts never charge');
  assert.ok(callsFrom('PNC-').some((c) => c.action === 'Authorize' && c.payload.iso15118CertificateHashData !== undefined), 'Plug & Charge contracts');
  assert.ok(callsFrom('V2X-').some((c) => c.action === 'NotifyEVChargingNeeds' && c.payload.chargingNeeds.v2xChargingParameters !== undefined));
  assert.ok(callsFrom('SWAP-').some((c) => c.action === 'BatterySwap'), 'battery swaps');
  assert.ok(callsFrom('PAY-').some((c) => c.action === 'TransactionEvent' && c.payload.transactionInfo.tariffId !== undefined), 'priced sessions');
  // Nobody else does those.
  for (const [prefix, action] of [['CS-', 'BatterySwap'], ['V2X-', 'OpenPeriodicEventStream'], ['SWAP-', 'NotifyEVChargingNeeds']] as const) {
    assert.deepEqual(callsFrom(prefix).filter((c) => c.action === action), [], `${prefix} does not send ${action}`);
  }
  // The CSMS's use-case commands went to the matching stations only, the tariff after boot too.
  onlyTo(commands, 'SetDefaultTariff', 'PAY-');
  onlyTo(commands, 'ChangeTransactionTariff', 'PAY-');
  onlyTo(commands, 'RequestBatterySwap', 'SWAP-');
  onlyTo(commands, 'AFRRSignal', 'V2X-');
  onlyTo(commands, 'SetDERControl', 'V2X-');
  onlyTo(commands, 'SetVariableMonitoring', 'CS-DC-');
  onlyTo(commands, 'SetChargingProfile', 'CS-AC-', 'V2X-', 'PNC-'); // ISO 15118 and V2X sessions get theirs from the CSMS too
  assert.equal(fleet.counter('tariffs_applied'), commands.get('SetDefaultTariff')!.size, counters);
  // The figures of every use case.
  assert.ok(fleet.counter('tx_started') > 0 && fleet.counter('pnc_contracts_installed') > 0 && fleet.counter('battery_swaps') > 0, counters);
  assert.ok(fleet.counter('der_controls_set') > 0 && fleet.counter('cost_sessions') > 0 && fleet.counter('periodic_stream_messages') > 0, counters);
  assert.equal(fleet.counter('usecase_skipped_201'), 0);
  assert.ok(csms.stats().boots.accepted >= 35);
  for (const group of ['Plug & Charge', 'DER', 'battery swap', 'tariffs', 'periodic streams']) assert.match(report, new RegExp(`\\n\\s+${group}\\s`), group);
  assert.ok(audit.stationCalls.length > 300);
});

test('scenarios/mixed-fleet.yaml against a 2.0.1-only CSMS: valid 2.0.1, the 2.1-only parts skipped and counted', async () => {
  const { run: fleet, commands, callsFrom, csms } = await run(['ocpp2.0.1']);
  assert.ok(fleet.counter('usecase_skipped_201') > 0);
  assert.ok(fleet.counter('tx_started') > 0);
  // Swaps still happen at the station; BatterySwap does not exist in 2.0.1.
  assert.deepEqual(callsFrom('SWAP-').filter((c) => c.action === 'BatterySwap'), []);
  assert.equal(fleet.counter('cost_sessions'), 0);
  assert.equal(commands.get('SetDefaultTariff'), undefined);
  assert.deepEqual(callsFrom('V2X-').filter((c) => c.action === 'NotifyEVChargingNeeds' && c.payload.chargingNeeds.v2xChargingParameters), []);
  const cmds = csms.stats().commands;
  assert.ok((cmds.RequestBatterySwap?.skipped ?? 0) > 0 && (cmds.RequestBatterySwap?.sent ?? 0) === 0);
  assert.ok((cmds.AFRRSignal?.skipped ?? 0) > 0);
});
