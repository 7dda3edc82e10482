// stations[].pnc and csms.pki (src/scenario/sections/pnc.ts): defaults, validation with YAML paths, and the shipped
// Plug & Charge scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/scenario/defaults.js';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import { problemAt, problemsOf, repoPath } from './helpers.js';

test('a plug-and-charge group gets the pnc defaults; others have none; csms.pki defaults to no refusals', () => {
  const spec = parseScenario('stations: [{ count: 1, behaviour: plug-and-charge }, { count: 1 }]\n', 't.yaml');
  assert.deepEqual(spec.groups[0]!.pnc, DEFAULTS.pnc);
  assert.equal(spec.groups[1]!.pnc, undefined);
  assert.deepEqual(spec.csms.pki, { revokedContracts: 0, expiredContracts: 0 });
});

test('pnc and pki values are read, percentages included', () => {
  const spec = parseScenario(`
stations:
  - { count: 2, behaviour: plug-and-charge, pnc: { contracts: 2, iso20Ratio: 50%, centralValidationRatio: 1 } }
csms: { pki: { revokedContracts: 10%, expiredContracts: 0.05 } }
`, 't.yaml');
  assert.deepEqual(spec.groups[0]!.pnc, { contracts: 2, iso20Ratio: 0.5, centralValidationRatio: 1 });
  assert.deepEqual(spec.csms.pki, { revokedContracts: 0.1, expiredContracts: 0.05 });
});

test('bad pnc / pki input is reported with its path', () => {
  const problems = problemsOf(`
stations:
  - { count: 1, behaviour: plug-and-charge, pnc: { contracts: 0, iso20Ratio: 2, centralValidation: 1 } }
  - { count: 1, pnc: { contracts: 2 } }
csms: { pki: { revokedContracts: 0.7, expiredContracts: 0.6 } }
`);
  assert.match(problemAt(problems, 'stations[0].pnc.contracts').message, /1/);
  assert.match(problemAt(problems, 'stations[0].pnc.iso20Ratio').message, /out of range/);
  assert.match(problemAt(problems, 'stations[0].pnc.centralValidation').message, /unknown key/);
  assert.match(problemAt(problems, 'stations[1].pnc').message, /plug-and-charge only/);
  assert.match(problemAt(problems, 'csms.pki.expiredContracts').message, /more than all contracts/);
});

test('the shipped scenarios/plug-and-charge.yaml is valid', () => {
  const spec = loadScenarioFile(repoPath('scenarios/plug-and-charge.yaml'));
  assert.ok(spec.groups.every((g) => g.behaviour === 'plug-and-charge' && g.pnc !== undefined));
  assert.ok(spec.csms.pki.revokedContracts > 0 && spec.csms.pki.expiredContracts > 0);
});
