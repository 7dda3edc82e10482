import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parseScenario, type ScenarioOverrides } from '../../src/scenario/load.js';
import { InvalidInputError, type InputProblem } from '../../src/util/errors.js';

/** Absolute path of a file in the repository (tests run from dist/test/scenario). */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
}

/** The problems parseScenario throws for `text`; fails the test if it does not throw InvalidInputError. */
export function problemsOf(text: string, overrides?: ScenarioOverrides, file = 'test.yaml'): readonly InputProblem[] {
  try {
    parseScenario(text, file, overrides);
  } catch (e) {
    assert.ok(e instanceof InvalidInputError, `expected InvalidInputError, got ${String(e)}`);
    assert.equal(e.exitCode, 104);
    return e.problems;
  }
  assert.fail(`expected problems for:\n${text}`);
}

/** The single problem at `path`; fails with the full list otherwise. */
export function problemAt(problems: readonly InputProblem[], path: string): InputProblem {
  const hits = problems.filter((p) => p.path === path);
  assert.equal(hits.length, 1, `expected one problem at ${path}, got:\n${JSON.stringify(problems, null, 2)}`);
  return hits[0]!;
}
