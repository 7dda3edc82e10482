// Runs a short attack scenario against the embedded CSMS with its detector on (profiles 0-3; for 2/3 a TLS test
// PKI whose CA the stations trust and, profile 3, issues their certificates), and checks what every attack test
// checks: the instance, exact reactions, an alert of the right category in scope and window, no other alerts.
import assert from 'node:assert/strict';
import { startCsms, type Csms } from '../../src/csms/server.js';
import type { CsmsOptions } from '../../src/csms/options.js';
import { TlsPki } from '../../src/csms/pki/tls.js';
import type { Alert } from '../../src/csms/detector/alert.js';
import { isExactReaction, type AttackInstance, type ReactionRecord } from '../../src/detection/index.js';
import { runScenario, scenario, type FleetRun } from '../support/fleet.js';

export interface AttackRun {
  run: FleetRun;
  csms: Csms;
  alerts: Alert[];
  instances: AttackInstance[];
  reactions: ReactionRecord[];
}

/**
 * Runs the scenario `yaml` (its `security:` decides the CSMS's profile) against a fresh embedded CSMS with the
 * detector on (no warm-up), then closes the CSMS. `csms` adds CSMS options (boot retry interval, ...).
 */
export async function runAttack(yaml: string, csms: Partial<CsmsOptions> = {}): Promise<AttackRun> {
  const spec0 = scenario(yaml);
  let security = spec0.security;
  let tls: CsmsOptions['tls'];
  if (security.profile >= 2) {
    const pki = TlsPki.generate();
    tls = { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem };
    security = { ...security, ca: pki.ca.certPem, ...(security.profile === 3 ? { issuer: { cert: pki.ca.certPem, key: pki.ca.keyPem } } : {}) };
  }
  const alerts: Alert[] = [];
  const server = await startCsms({
    security: spec0.security, ...(tls ? { tls } : {}), seed: spec0.seed,
    detector: { enabled: true, thresholds: { warmupMs: 0 }, onAlert: (a) => { alerts.push(a); } },
    ...csms,
  });
  try {
    const run = await runScenario({ ...spec0, security }, `${server.url}/ocpp`);
    const res = run.result.attacks;
    assert.ok(res, 'attack results present');
    return { run, csms: server, alerts, instances: res.instances, reactions: res.reactions };
  } finally {
    await server.close();
  }
}

/** Alerts that name `inst`'s scope (a station or an IP of it). */
export function alertsOf(r: AttackRun, inst: AttackInstance): Alert[] {
  return r.alerts.filter((a) => a.entity !== 'fleet' && (
    (a.entity.stationId !== undefined && (inst.scope.stations ?? []).includes(a.entity.stationId))
    || (a.entity.stationId === undefined && a.entity.ip !== undefined && (inst.scope.ips ?? []).includes(a.entity.ip))));
}

/**
 * The common assertions: `n` instances of `type`, each with malicious frames in its window, every recorded reaction
 * exact (at least `minReactions` per instance), an alert of `category` on its scope within [t_s, t_e + grace], and
 * no alert at all outside the attacked entities.
 */
export function assertDetected(r: AttackRun, type: string, category: string, o: { n?: number; minReactions?: number; rules?: readonly string[] } = {}): AttackInstance[] {
  const insts = r.instances.filter((i) => i.type === type);
  const why = `errors ${r.run.counter('attack_errors')}: ${r.run.trace.filter((t) => t.line.includes('attack')).map((t) => t.line).join('; ')}`;
  assert.equal(insts.length, o.n ?? 1, `${type} instances (${why})`);
  for (const inst of insts) {
    assert.ok(inst.tEndMs >= inst.tStartMs, 'window');
    const rs = r.reactions.filter((x) => x.instanceId === inst.id);
    assert.ok(rs.length >= (o.minReactions ?? 1), `${inst.id}: ${rs.length} reactions recorded`);
    const bad = rs.filter((x) => !isExactReaction(x));
    assert.deepEqual(bad.map((x) => ({ frame: x.frame, expected: x.expected, observed: x.observed })), [], `${inst.id}: every reaction as expected`);
    const mine = alertsOf(r, inst);
    const hit = mine.find((a) => a.category === category && Date.parse(a.ts) >= inst.tStartMs - 5 && Date.parse(a.ts) <= inst.tEndMs + inst.graceMs);
    assert.ok(hit, `${inst.id}: a ${category} alert in scope and window; alerts: ${r.alerts.map((a) => `${a.category}/${String(a.evidence.rule)}@${JSON.stringify(a.entity)}`).join(', ')}`);
    if (o.rules) assert.ok(o.rules.includes(String(hit.evidence.rule)), `rule ${String(hit.evidence.rule)}`);
  }
  // No false alarms: every alert names an attacked entity.
  const stray = r.alerts.filter((a) => !insts.some((i) => alertsOf(r, i).includes(a)));
  assert.deepEqual(stray.map((a) => `${a.category}/${String(a.evidence.rule)}@${JSON.stringify(a.entity)}`), [], 'alerts only on attacked entities');
  return insts;
}
