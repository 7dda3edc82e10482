import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS } from '../../src/scenario/defaults.js';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import { totalStations, type ScenarioSpec } from '../../src/scenario/spec.js';
import { compileIdTemplate, type IdTemplate } from '../../src/scenario/stationId.js';
import { InvalidInputError } from '../../src/util/errors.js';
import { problemsOf, repoPath } from './helpers.js';

function problemsOfFile(path: string, overrides?: Parameters<typeof loadScenarioFile>[1]) {
  try {
    loadScenarioFile(path, overrides);
  } catch (e) {
    assert.ok(e instanceof InvalidInputError);
    return e.problems;
  }
  assert.fail(`expected problems in ${path}`);
}

function template(t: string): IdTemplate {
  const c = compileIdTemplate(t);
  assert.ok(typeof c !== 'string', c as string);
  return c;
}

describe('loadScenarioFile: defaults', () => {
  it('a minimal file gets every default', () => {
    const spec = loadScenarioFile(repoPath('fixtures/scenarios/minimal.yaml'));
    assert.equal(spec.name, 'minimal');
    assert.equal(spec.target, undefined);
    assert.ok(!('target' in spec), 'absent target is left out, not undefined');
    assert.deepEqual(spec.protocols, DEFAULTS.protocols);
    assert.equal(spec.seed, DEFAULTS.seed);
    assert.equal(spec.validation, 'strict');
    assert.equal(spec.callTimeout, 30_000);
    assert.deepEqual(spec.security, { profile: 0 });
    assert.deepEqual(spec.reconnect, DEFAULTS.reconnect);
    assert.deepEqual(spec.localAddresses, []);
    assert.deepEqual(spec.sessions, DEFAULTS.sessions);
    assert.deepEqual(spec.csms, DEFAULTS.csms);
    assert.equal(spec.drainTimeout, DEFAULTS.drainTimeout);

    assert.equal(spec.groups.length, 1);
    const g = spec.groups[0]!;
    assert.deepEqual({ name: g.name, count: g.count, idTemplate: g.idTemplate, behaviour: g.behaviour },
      { name: 'group1', count: 10, idTemplate: 'CS{index:06}', behaviour: 'charging' });
    assert.deepEqual(g.evses, [DEFAULTS.evse.AC]);
    assert.deepEqual(g.evses[0], { current: 'AC', maxPowerW: 22_000, phases: 3, voltageV: 230, connectors: [{ type: 'cType2' }] });
    assert.equal(template(g.idTemplate).format(7, g.name), 'CS000007');

    // 1 minute → 15 s ramp-up to all stations, 39 s hold, 6 s ramp-down to 0.
    assert.deepEqual(spec.phases, [
      { name: 'ramp-up', duration: 15_000, target: 10 },
      { name: 'hold', duration: 39_000, target: 10 },
      { name: 'ramp-down', duration: 6_000, target: 0 },
    ]);
    assert.equal(spec.duration, 60_000);
  });

  it('several unnamed groups get names and group-prefixed ids', () => {
    const spec = parseScenario('stations:\n  - count: 2\n  - count: 3\n    evse: { type: DC }\n', 'two.yaml');
    assert.deepEqual(spec.groups.map((g) => g.name), ['group1', 'group2']);
    const g = spec.groups[1]!;
    assert.equal(template(g.idTemplate).format(2, g.name), 'group2-CS000002');
    assert.deepEqual(g.evses[0], DEFAULTS.evse.DC);
  });

  it('duration: expands to ramp-up / hold / ramp-down', () => {
    const spec = parseScenario('stations: [{count: 4}]\nduration: 2m\n', 'd.yaml');
    assert.deepEqual(spec.phases.map((p) => [p.duration, p.target]), [[30_000, 4], [78_000, 4], [12_000, 0]]);
    assert.equal(spec.duration, 120_000);
  });

  it('x- keys hold anchors that <<: merges reuse', () => {
    const spec = parseScenario([
      'x-ac: &ac { type: AC, maxKw: 11, phases: 1 }',
      'stations:',
      '  - { count: 1, evse: { <<: *ac, maxKw: 7.4 } }',
    ].join('\n'), 'anchors.yaml');
    assert.deepEqual(spec.groups[0]!.evses[0], { current: 'AC', maxPowerW: 7_400, phases: 1, voltageV: 230, connectors: [{ type: 'cType2' }] });
  });

  it('converts units and fills distribution bounds', () => {
    const spec = parseScenario([
      'stations:',
      '  - count: 1',
      '    evses: [{ maxKw: 11, phases: 1 }, { type: DC, maxKw: 50.5, connectors: cCCS2 }]',
      'sessions:',
      '  authorizeDelay: 2s',
      '  plugDuration: { lognormal: { median: 30s, sigma: 0.5, max: 2m } }',
      '  energyKwh: { normal: { mean: 20, sd: 5 } }',
      '  carMaxKw: { fixed: 7.4 }',
      '  idTokens: { list: ["AA11", { idToken: "BB22", type: KeyCode }], type: ISO15693 }',
      '  stopByTokenRatio: 25%',
    ].join('\n'), 'units.yaml');
    assert.deepEqual(spec.groups[0]!.evses.map((e) => [e.current, e.maxPowerW, e.phases, e.connectors[0]!.type]),
      [['AC', 11_000, 1, 'cType2'], ['DC', 50_500, 3, 'cCCS2']]);
    const s = spec.sessions;
    assert.deepEqual(s.authorizeDelay, { kind: 'fixed', value: 2000 });
    assert.equal(s.plugDuration.kind, 'lognormal');
    assert.equal(s.plugDuration.kind === 'lognormal' && s.plugDuration.max, 120_000);
    assert.deepEqual(s.energyWh, { kind: 'normal', mean: 20_000, sd: 5_000, min: 5_000, max: 35_000 });
    assert.deepEqual(s.carMaxPowerW, { kind: 'fixed', value: 7_400 });
    assert.deepEqual(s.idTokens, { source: 'list', tokens: [{ idToken: 'AA11', type: 'ISO15693' }, { idToken: 'BB22', type: 'KeyCode' }] });
    assert.equal(s.stopByTokenRatio, 0.25);
  });
});

describe('quickstart.yaml', () => {
  const spec = loadScenarioFile(repoPath('scenarios/quickstart.yaml'));

  it('is 1,000 stations, about a minute, embedded CSMS', () => {
    assert.equal(totalStations(spec), 1000);
    assert.deepEqual(new Set(spec.groups.flatMap((g) => g.evses.map((e) => e.current))), new Set(['AC', 'DC']));
    assert.ok(spec.duration >= 45_000 && spec.duration <= 90_000, `duration ${spec.duration}`);
    assert.equal(spec.target, undefined);
    assert.ok(spec.sessions.meterInterval >= 5_000 && spec.sessions.meterInterval <= 10_000);
  });

  it('ids follow the global index across groups', () => {
    const [ac, dc] = spec.groups;
    assert.equal(template(ac!.idTemplate).format(0, ac!.name), 'CS-AC-00000');
    assert.equal(template(dc!.idTemplate).format(ac!.count, dc!.name), 'CS-DC-00800');
  });

  it('schedules a SetChargingProfile (W) and a TriggerMessage', () => {
    const [scp, trig] = spec.csms.commands;
    assert.equal(scp!.action, 'SetChargingProfile');
    assert.equal(scp!.params.limitW, 11_000);
    assert.ok(scp!.fraction > 0 && scp!.fraction < 1);
    assert.equal(trig!.action, 'TriggerMessage');
    assert.equal(trig!.params.requestedMessage, 'MeterValues');
  });
});

describe('problems', () => {
  it('reports every problem of a file at once, sorted by line', () => {
    const problems = problemsOfFile(repoPath('fixtures/scenarios/many-problems.yaml'));
    assert.deepEqual(problems.map((p) => [p.line, p.path]), [
      [3, 'target'],
      [5, 'stations[0].count'],
      [6, 'stations[0].cout'],
      [7, 'stations[0].evse.maxKw'],
      [9, 'sessions.plugDuration.uniform'],
      [10, 'sessions.meterInterval'],
      [13, 'csms.commands[0].action'],
      [14, 'validation'],
    ]);
    assert.ok(problems.every((p) => p.file.endsWith('many-problems.yaml')));
  });

  it('the error message lists every problem as file:line:col path: message', () => {
    try {
      loadScenarioFile(repoPath('fixtures/scenarios/many-problems.yaml'));
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof InvalidInputError);
      assert.equal(e.code, 'E_INVALID_INPUT');
      assert.match(e.message, /^8 problems in input:/);
      assert.match(e.message, /many-problems\.yaml:6:5 {2}stations\[0\]\.cout: unknown key 'cout'/);
    }
  });

  it('a YAML syntax error is a problem with its line', () => {
    const problems = problemsOfFile(repoPath('fixtures/scenarios/syntax-error.yaml'));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.line, 5);
    assert.match(problems[0]!.message, /^YAML: /);
  });

  it('duplicate YAML keys are syntax errors', () => {
    const problems = problemsOf('stations: [{count: 1}]\nseed: 1\nseed: 2\n');
    assert.equal(problems[0]!.line, 3);
    assert.match(problems[0]!.message, /unique/);
  });

  it('an empty document and a non-map document are problems', () => {
    assert.match(problemsOf('# nothing\n')[0]!.message, /empty/);
    assert.match(problemsOf('- count: 1\n')[0]!.message, /map of settings/);
  });

  it('a missing file is a problem, reported with command-line problems', () => {
    const problems = problemsOfFile('/nonexistent/scenario.yaml', { stations: -1 });
    assert.deepEqual(problems.map((p) => [p.file, p.path]), [
      ['command line', '--stations'],
      ['/nonexistent/scenario.yaml', ''],
    ]);
    assert.match(problems[1]!.message, /not found/);
  });
});

describe('the spec is deeply frozen', () => {
  it('every object and array of the spec is frozen', () => {
    const spec = loadScenarioFile(repoPath('scenarios/quickstart.yaml'));
    const unfrozen: string[] = [];
    const walk = (v: unknown, path: string) => {
      if (typeof v !== 'object' || v === null) return;
      if (!Object.isFrozen(v)) unfrozen.push(path);
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(spec, 'spec');
    assert.deepEqual(unfrozen, []);
  });

  it('mutation throws', () => {
    const spec: ScenarioSpec = parseScenario('stations: [{count: 1}]', 'f.yaml');
    assert.throws(() => { spec.seed = 7; }, TypeError);
    assert.throws(() => { (spec.groups as StationGroupArray).push(spec.groups[0]!); }, TypeError);
    assert.throws(() => { spec.sessions.idTokens = { source: 'faker', type: 'x', poolSize: 1 }; }, TypeError);
    assert.throws(() => { (DEFAULTS.sessions as { meterInterval: number }).meterInterval = 1; }, TypeError);
  });
});

type StationGroupArray = ScenarioSpec['groups'][number][];
