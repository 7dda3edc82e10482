import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { problemAt, problemsOf } from './helpers.js';

/** One kind of mistake: the file, and where and how it must be reported. */
interface Case {
  name: string;
  yaml: string;
  path: string;
  line: number;
  message: RegExp;
}

const CASES: Case[] = [
  {
    name: 'unknown key, with a suggestion and the expected keys',
    yaml: 'stations:\n  - name: ac\n    cout: 10\n',
    path: 'stations[0].cout',
    line: 3,
    message: /unknown key 'cout' \(did you mean 'count'\?\) — expected one of: name, count, idTemplate/,
  },
  {
    name: 'unknown top-level key',
    yaml: 'stations: [{count: 1}]\nstation: x\n',
    path: 'station',
    line: 2,
    message: /unknown key 'station'/,
  },
  {
    name: 'wrong type',
    yaml: 'stations:\n  - count: ten\n',
    path: 'stations[0].count',
    line: 2,
    message: /expected a number .*got "ten"/,
  },
  {
    name: 'missing required key, on the line of its parent map',
    yaml: 'seed: 3\nstations:\n  - name: ac\n    evses: 2\n',
    path: 'stations[0].count',
    line: 3,
    message: /'count' is required/,
  },
  {
    name: 'missing stations',
    yaml: 'name: x\nseed: 3\n',
    path: 'stations',
    line: 1,
    message: /'stations' is required/,
  },
  {
    name: 'zero count',
    yaml: 'stations:\n  - count: 0\n',
    path: 'stations[0].count',
    line: 2,
    message: /out of range: must be ≥ 1/,
  },
  {
    name: 'duration that does not parse',
    yaml: 'stations: [{count: 1}]\ncallTimeout: 30 seconds\n',
    path: 'callTimeout',
    line: 2,
    message: /expected a duration like 30s/,
  },
  {
    name: 'min > max in a distribution',
    yaml: 'stations: [{count: 1}]\nsessions:\n  plugDuration: { uniform: [40s, 20s] }\n',
    path: 'sessions.plugDuration.uniform',
    line: 3,
    message: /min 40s is greater than max 20s/,
  },
  {
    name: 'min > max in a normal distribution',
    yaml: 'stations: [{count: 1}]\nsessions:\n  energyKwh:\n    normal: { mean: 20, sd: 5, min: 30, max: 10 }\n',
    path: 'sessions.energyKwh.normal',
    line: 4,
    message: /min 30 kWh is greater than max 10 kWh/,
  },
  {
    name: 'percentage out of range',
    yaml: 'stations: [{count: 1}]\nsessions:\n  stopByTokenRatio: 130%\n',
    path: 'sessions.stopByTokenRatio',
    line: 3,
    message: /out of range/,
  },
  {
    name: 'SoC percentage out of range',
    yaml: 'stations: [{count: 1}]\nsessions:\n  initialSocPercent: { uniform: [10, 160] }\n',
    path: 'sessions.initialSocPercent.uniform[1]',
    line: 3,
    message: /160 is out of range: must be ≥ 0 and ≤ 100/,
  },
  {
    name: 'password too short for profile 1',
    yaml: 'stations: [{count: 1}]\nsecurity:\n  profile: 1\n  password: short\n',
    path: 'security.password',
    line: 4,
    message: /16\.\.64 characters/,
  },
  {
    name: 'password missing for profile 1',
    yaml: 'stations: [{count: 1}]\nsecurity:\n  profile: 1\n',
    path: 'security.password',
    line: 3,
    message: /'password' is required/,
  },
  {
    name: 'phase target above the station count',
    yaml: 'stations: [{count: 10}]\nphases:\n  - { duration: 10s, target: 11 }\n',
    path: 'phases[0].target',
    line: 3,
    message: /target 11 is more than the 10 stations/,
  },
  {
    name: 'percentage phase target above 100%',
    yaml: 'stations: [{count: 10}]\nphases:\n  - { duration: 10s, target: 120% }\n',
    path: 'phases[0].target',
    line: 3,
    message: /0%\.\.100%/,
  },
  {
    name: 'duplicate group names',
    yaml: 'stations:\n  - { name: ac, count: 1 }\n  - { name: ac, count: 2 }\n',
    path: 'stations[1].name',
    line: 3,
    message: /duplicate group name 'ac' \(also used by stations\[0\]\)/,
  },
  {
    name: 'idTemplate without {index}',
    yaml: 'stations:\n  - count: 5\n    idTemplate: CS-AC\n',
    path: 'stations[0].idTemplate',
    line: 3,
    message: /has no \{index\}: all 5 stations/,
  },
  {
    name: 'unknown placeholder in idTemplate',
    yaml: 'stations:\n  - count: 5\n    idTemplate: "CS{idx}"\n',
    path: 'stations[0].idTemplate',
    line: 3,
    message: /unknown placeholder \{idx\}/,
  },
  {
    name: 'station id longer than 48 characters',
    yaml: 'stations:\n  - count: 5\n    idTemplate: "ThisIsAVeryLongStationIdentifierThatGoesOn-{index:06}"\n',
    path: 'stations[0].idTemplate',
    line: 3,
    message: /49 characters long; OCPP allows at most 48/,
  },
  {
    name: "station id containing ':'",
    yaml: 'stations:\n  - count: 5\n    idTemplate: "CS:{index}"\n',
    path: 'stations[0].idTemplate',
    line: 3,
    message: /contains ':'/,
  },
  {
    name: 'duplicate ids across groups',
    // Indexes are global: a renders CS10..CS14, b renders CS5..CS14.
    yaml: 'stations:\n  - { name: a, count: 5, idTemplate: "CS1{index}" }\n  - { name: b, count: 10, idTemplate: "CS{index}" }\n',
    path: 'stations[1].idTemplate',
    line: 3,
    message: /"CS10" is also produced by stations\[0\]/,
  },
  {
    name: 'target that is not ws:// or wss://',
    yaml: 'target: http://127.0.0.1:9000/ocpp\nstations: [{count: 1}]\n',
    path: 'target',
    line: 1,
    message: /must start with ws:\/\/ or wss:\/\//,
  },
  {
    name: 'unknown CSMS command action',
    yaml: 'stations: [{count: 1}]\ncsms:\n  commands:\n    - { at: 5s, action: TriggerMesage }\n',
    path: 'csms.commands[0].action',
    line: 4,
    message: /did you mean 'TriggerMessage'/,
  },
  {
    name: 'missing required command parameter',
    yaml: 'stations: [{count: 1}]\ncsms:\n  commands:\n    - at: 5s\n      action: SetChargingProfile\n',
    path: 'csms.commands[0].params.limitKw',
    line: 4,
    message: /'limitKw' is required/,
  },
  {
    name: 'command station pattern with a character no station id has',
    yaml: 'stations: [{count: 1}]\ncsms:\n  commands:\n    - { at: 5s, action: Reset, match: "SWAP/*" }\n',
    path: 'csms.commands[0].match',
    line: 4,
    message: /a station id pattern: letters, digits/,
  },
  {
    name: 'command scheduled after the end of the run',
    yaml: 'stations: [{count: 1}]\nduration: 1m\ncsms:\n  commands:\n    - { at: 2m, action: Reset }\n',
    path: 'csms.commands[0].at',
    line: 5,
    message: /not before the end of the run \(1m\)/,
  },
  {
    name: 'both duration and phases',
    yaml: 'stations: [{count: 1}]\nphases:\n  - { duration: 10s, target: 1 }\nduration: 1m\n',
    path: 'duration',
    line: 4,
    message: /either 'duration' or 'phases'/,
  },
  {
    name: 'AC power that would need DC',
    yaml: 'stations:\n  - count: 1\n    evse: { type: AC, maxKw: 150 }\n',
    path: 'stations[0].evse.maxKw',
    line: 3,
    message: /did you mean type: DC/,
  },
  {
    name: 'per-EVSE override in an evses list',
    yaml: 'stations:\n  - count: 1\n    evse: { type: DC }\n    evses:\n      - { maxKw: 50 }\n      - { phases: 1 }\n',
    path: 'stations[0].evses[1].phases',
    line: 6,
    message: /applies to AC EVSEs only/,
  },
  {
    name: 'unknown connector type',
    yaml: 'stations:\n  - count: 1\n    evse: { connectors: [cTyp2] }\n',
    path: 'stations[0].evse.connectors[0]',
    line: 3,
    message: /did you mean 'cType2'/,
  },
  {
    name: 'idToken too long when 2.0.1 is offered',
    yaml: `stations: [{count: 1}]\nsessions:\n  idTokens:\n    list:\n      - ${'A'.repeat(40)}\n`,
    path: 'sessions.idTokens.list[0]',
    line: 5,
    message: /2\.0\.1 allows 36/,
  },
  {
    name: 'unquoted numeric idToken',
    yaml: 'stations: [{count: 1}]\nsessions:\n  idTokens: { list: [0123] }\n',
    path: 'sessions.idTokens.list[0]',
    line: 3,
    message: /quote it/,
  },
  {
    name: 'meter interval that is not whole seconds',
    yaml: 'stations: [{count: 1}]\nsessions:\n  meterInterval: 1500ms\n',
    path: 'sessions.meterInterval',
    line: 3,
    message: /whole number of seconds/,
  },
];

describe('scenario validation reports each kind of mistake with its path and line', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const problem = problemAt(problemsOf(c.yaml), c.path);
      assert.equal(problem.line, c.line, `line of ${c.path}`);
      assert.ok(problem.column !== undefined && problem.column >= 1);
      assert.match(problem.message, c.message);
      assert.equal(problem.file, 'test.yaml');
    });
  }
});

describe('accepted shapes', () => {
  it('a password is rejected with profile 0', () => {
    const problems = problemsOf('stations: [{count: 1}]\nsecurity: { password: "0123456789abcdef" }\n');
    assert.match(problemAt(problems, 'security.password').message, /only used with profile: 1/);
  });

  it('a number for a percentage of stations gets a hint', () => {
    const problems = problemsOf('stations: [{count: 1}]\ncsms:\n  commands: [{ at: 1s, action: Reset, stations: 5 }]\n');
    assert.match(problemAt(problems, 'csms.commands[0].stations').message, /write "5%"/);
  });
});
