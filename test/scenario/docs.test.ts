import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TOP_LEVEL_KEYS } from '../../src/scenario/draft.js';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import type { ScenarioSpec } from '../../src/scenario/spec.js';
import { repoPath } from './helpers.js';

const DOC = readFileSync(repoPath('docs/scenario-format.md'), 'utf8');

/** The ```yaml block right after `<!-- example:NAME -->`. */
function example(name: string): string {
  const m = new RegExp(`<!-- example:${name} -->\\s*\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  assert.ok(m, `docs/scenario-format.md has no example:${name} block`);
  return m[1]!;
}

function withoutSource(spec: ScenarioSpec): Omit<ScenarioSpec, 'file' | 'name'> {
  const { file: _file, name: _name, ...rest } = spec;
  return rest;
}

describe('docs/scenario-format.md stays true', () => {
  it('"Defaults, spelled out" equals what a minimal file gets', () => {
    const spelled = parseScenario(example('defaults'), 'defaults.yaml');
    const minimal = loadScenarioFile(repoPath('fixtures/scenarios/minimal.yaml'));
    assert.deepEqual(withoutSource(spelled), withoutSource(minimal));
  });

  it('the fully commented example is valid', () => {
    const spec = parseScenario(example('full'), 'full.yaml');
    assert.equal(spec.groups.length, 3);
    assert.equal(spec.target, 'wss://csms.example.com/ocpp');
  });

  it('documents every top-level key', () => {
    for (const key of TOP_LEVEL_KEYS) assert.ok(DOC.includes(`| \`${key}\` |`), `no table row for ${key}`);
  });
});
