/**
 * A scenario run against the embedded CSMS through the recording tap (loopback, port 0): the CSMS takes the
 * scenario's `csms:` section and schedule (started once every station booted), the fleet connects to the tap,
 * and the tap records every frame.
 */
import assert from 'node:assert/strict';
import { startCsms, type Csms } from '../../src/csms/server.js';
import { formatReport } from '../../src/metrics/report.js';
import { summarize } from '../../src/metrics/summary.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { ScenarioOverrides } from '../../src/scenario/overrides.js';
import { auditFrames, type Audit } from './audit.js';
import { totalStations, type ScenarioSpec, type Subprotocol } from '../../src/scenario/spec.js';
import { runScenario, scenario, waitFor, type FleetRun } from './fleet.js';
import { parseTapped, startTap, type ParsedTappedFrame } from './tap.js';

export interface EmbeddedRun {
  readonly run: FleetRun;
  /** The CSMS, already closed (its stats and station views stay readable). */
  readonly csms: Csms;
  readonly frames: ParsedTappedFrame[];
}

/** Runs a scenario (YAML text or a loaded spec) to its end; `csmsProtocols` limits what the CSMS offers (e.g. only ocpp2.0.1). */
export async function runAgainstEmbedded(source: string | ScenarioSpec, csmsProtocols?: readonly Subprotocol[]): Promise<EmbeddedRun> {
  const spec = typeof source === 'string' ? scenario(source) : source;
  const csms = await startCsms({ spec: spec.csms, protocols: csmsProtocols ?? spec.protocols, seed: spec.seed, callTimeoutMs: spec.callTimeout });
  const tap = await startTap(csms.url);
  try {
    const running = runScenario(spec, `${tap.url}/ocpp`);
    // Command times count from the moment the whole fleet is booted (schemas compile lazily on a first run).
    const stations = totalStations(spec);
    await waitFor(() => csms.stats().boots.accepted >= stations, 5000);
    csms.startSchedule();
    const run = await running;
    return { run, csms, frames: parseTapped(tap.frames) };
  } finally {
    await tap.close();
    await csms.close();
  }
}

/** A shipped scenario's run (`runShipped`): the embedded run, its audit and the terminal report. */
export interface ShippedRun extends EmbeddedRun {
  readonly audit: Audit;
  readonly report: string;
}

/**
 * Runs a shipped scenario file (path), shortened with `overrides` as a user would with --duration/--stations, against
 * the embedded CSMS (offering only `csmsProtocols` when given), and asserts what every shipped scenario must hold:
 * every frame of either side schema-valid for the negotiated version, and no CALLERROR.
 */
export async function runShipped(file: string, overrides: ScenarioOverrides, csmsProtocols?: readonly Subprotocol[]): Promise<ShippedRun> {
  const r = await runAgainstEmbedded(loadScenarioFile(file, overrides), csmsProtocols);
  const audit = auditFrames(r.frames);
  assert.deepEqual(audit.stationProblems.slice(0, 10), [], 'station frames');
  assert.deepEqual(audit.csmsProblems.slice(0, 10), [], 'CSMS frames');
  assert.deepEqual(audit.errors, [], 'no CALLERROR');
  return { ...r, audit, report: formatReport(summarize(r.run.snapshot)) };
}
