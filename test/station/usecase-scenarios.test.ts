// The shipped use-case scenarios (scenarios/v2x.yaml, scenarios/der-control.yaml) run end to end against the
// embedded CSMS, shortened with --duration/--stations as a user would: every frame is schema-valid for the version
// the CSMS chose, the use-case figures appear in the report, and against a 2.0.1-only CSMS the same files run
// with the 2.1-only parts skipped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Subprotocol } from '../../src/scenario/spec.js';
import { runShipped } from '../support/embedded-run.js';

const file = (name: string) => fileURLToPath(new URL(`../../../scenarios/${name}`, import.meta.url));
// 2.1: long enough for sessions to reach their discharge periods; 2.0.1: long enough for every command to fire.
const SHORT_21 = { duration: 12_000, stations: 16 };
const SHORT_201 = { duration: 9_000, stations: 8 };

async function runFile(name: string, protocols?: readonly Subprotocol[]) {
  const r = await runShipped(file(name), protocols ? SHORT_201 : SHORT_21, protocols);
  const version = protocols?.includes('ocpp2.1') === false ? 'ocpp2.0.1' : 'ocpp2.1';
  assert.ok(r.frames.length > 0 && r.frames.every((f) => f.protocol === version));
  return r;
}

test('scenarios/v2x.yaml (shortened): V2X sessions discharge, the report shows energy exported', async () => {
  const { run, csms, audit, report } = await runFile('v2x.yaml');
  assert.ok(audit.stationCalls.some((c) => c.action === 'NotifyEVChargingNeeds' && c.payload.chargingNeeds.v2xChargingParameters));
  assert.ok(run.counter('energy_export_wh') > 0 && run.counter('v2x_mode_changes') > 0, JSON.stringify(run.snapshot.counters));
  assert.ok((csms.stats().commands.AFRRSignal?.outcomes.Accepted ?? 0) + (csms.stats().commands.AFRRSignal?.outcomes.Rejected ?? 0) > 0);
  assert.match(report, /energy exported \(V2X\)/);
});

test('scenarios/der-control.yaml (shortened): controls set, superseded, reported and started/stopped', async () => {
  const { run, csms } = await runFile('der-control.yaml');
  assert.ok(run.counter('der_controls_set') >= 16 * 4, JSON.stringify(run.snapshot.counters));
  assert.ok(run.counter('der_start_stop') >= 1 && run.counter('der_reports') >= 1);
  const set = csms.stats().commands.SetDERControl!;
  assert.equal(set.outcomes.Accepted, set.sent);
});

test('the shipped use-case scenarios against a 2.0.1-only CSMS: valid 2.0.1, V2X and DER parts skipped and counted', async () => {
  const v2x = await runFile('v2x.yaml', ['ocpp2.0.1']);
  assert.ok(v2x.run.counter('usecase_skipped_201') > 0);
  assert.equal(v2x.run.counter('energy_export_wh'), 0);
  assert.ok((v2x.csms.stats().commands.AFRRSignal?.skipped ?? 0) > 0);
  const der = await runFile('der-control.yaml', ['ocpp2.0.1']);
  const cmds = der.csms.stats().commands;
  assert.ok(cmds.SetDERControl!.skipped > 0 && cmds.SetDERControl!.sent === 0);
  assert.equal(der.run.counter('der_controls_set'), 0);
});
