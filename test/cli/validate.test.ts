import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertExit, assertNoStack, lineOf, repoRoot, runCli } from './helpers.js';

const INVALID = 'fixtures/scenarios/cli-invalid.yaml';
const SYNTAX = 'fixtures/scenarios/cli-syntax-error.yaml';

describe('chargestorm validate', { concurrency: 4 }, () => {
  test('a valid scenario: exit 0 and a one-line summary on stdout, nothing on stderr', async () => {
    const r = await runCli(['validate', 'scenarios/quickstart.yaml']);
    assertExit(r, 0);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0]!, /^scenarios\/quickstart\.yaml: valid — 1000 stations \(ac ×800, dc ×200\), 1m, target embedded CSMS$/);
  });

  test('every problem of the file at once: file, line, column and YAML path, sorted by line, exit 104', async () => {
    const text = readFileSync(join(repoRoot, INVALID), 'utf8');
    const r = await runCli(['validate', INVALID]);
    assertExit(r, 104);
    assertNoStack(r);
    assert.equal(r.stdout, '', 'an invalid file must not be reported valid');
    assert.match(r.stderr, /^chargestorm: 4 problems in input:\n/);
    const expected: [path: string, line: number, message: RegExp][] = [
      ['seed', lineOf(text, 'seed: lots'), /expected a number .*got "lots"/],                       // wrong type
      ['stations[0].count', lineOf(text, '- name: ac'), /'count' is required/],                       // missing field
      ['stations[0].cuont', lineOf(text, 'cuont:'), /unknown key 'cuont' \(did you mean 'count'\?\)/], // unknown key
      ['stations[0].evse.maxKw', lineOf(text, 'maxKw: 9000'), /out of range/],                        // impossible value
    ];
    const reported = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    assert.equal(reported.length, expected.length, r.stderr);
    expected.forEach(([path, line, message], i) => {
      const l = reported[i]!;
      const where = `  ${INVALID}:${line}:`;
      assert.ok(l.startsWith(where), `problem ${i + 1} should be at ${where}\n${r.stderr}`);
      assert.match(l, new RegExp(`^  \\S+:\\d+:\\d+  ${path.replace(/[[\].]/g, '\\$&')}: `), l);
      assert.match(l, message);
    });
  });

  test('a YAML syntax error: exit 104 with the file and the line', async () => {
    const text = readFileSync(join(repoRoot, SYNTAX), 'utf8');
    const r = await runCli(['validate', SYNTAX]);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, new RegExp(`  ${SYNTAX.replace(/\./g, '\\.')}:${lineOf(text, 'duration: 30s')}:\\d+  \\(document\\): YAML: `));
  });

  test('a missing file: exit 104 naming the file, not an unexpected error', async () => {
    const r = await runCli(['validate', 'fixtures/scenarios/cli-no-such-file.yaml']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.equal(r.stderr, 'chargestorm: 1 problem in input:\n  fixtures/scenarios/cli-no-such-file.yaml  (document): file not found\n');
  });

  test('a directory instead of a file: exit 104 with the reason', async () => {
    const r = await runCli(['validate', 'fixtures/scenarios']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /fixtures\/scenarios  \(document\): cannot read the file \(EISDIR\)/);
  });

  test('the fixture the run and csms tests use is valid', async () => {
    const r = await runCli(['validate', 'fixtures/scenarios/cli-small.yaml']);
    assertExit(r, 0);
    assert.match(r.stdout, /cli-small\.yaml: valid — 10 stations \(ac ×10\), 4s, target embedded CSMS\n$/);
  });
});
