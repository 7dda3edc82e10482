import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { program } from '../../src/cli/main.js';
import { assertExit, assertNoStack, repoRoot, runCli } from './helpers.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

// Built from the program itself, so an option added later without help text is caught too.
const commands = program().commands.map((c) => ({
  name: c.name(),
  options: c.options.map((o) => ({ flag: o.long ?? o.short ?? o.flags, description: o.description })),
}));

describe('chargestorm --help', { concurrency: 4 }, () => {
  test('the program help lists every command and exits 0', async () => {
    const r = await runCli(['--help']);
    assertExit(r, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: chargestorm /);
    for (const name of ['run', 'csms', 'validate']) assert.ok(commands.some((c) => c.name === name), `no ${name} command`);
    for (const c of commands) assert.match(r.stdout, new RegExp(`^  ${c.name} `, 'm'), `command ${c.name} missing from:\n${r.stdout}`);
  });

  for (const { name, options } of commands) {
    test(`${name} --help documents every option and exits 0`, async () => {
      const r = await runCli([name, '--help']);
      assertExit(r, 0);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^Usage: chargestorm ${name} `));
      for (const o of options) {
        assert.ok(o.description.trim().length > 0, `${name} ${o.flag} has no description`);
        assert.match(r.stdout, new RegExp(`^\\s+(-\\w, )?${o.flag}\\b`, 'm'), `${name} --help does not show ${o.flag}:\n${r.stdout}`);
      }
    });
  }

  test('run --help shows the options the README and CI recipes rely on', async () => {
    const r = await runCli(['run', '--help']);
    assertExit(r, 0);
    for (const flag of ['--target <url>', '--stations <n>', '--duration <time>', '--seed <n>', '--summary-export <file>', '--quiet', '--validation <mode>']) {
      assert.ok(r.stdout.includes(flag), `run --help lacks ${flag}:\n${r.stdout}`);
    }
    assert.match(r.stdout, /<scenario>/);
  });

  test('csms --help shows --port, --host and --password', async () => {
    const r = await runCli(['csms', '--help']);
    assertExit(r, 0);
    for (const flag of ['--port <n>', '--host <addr>', '--password <pw>', '--scenario <file>']) assert.ok(r.stdout.includes(flag), flag);
  });

  test('`help run` is the same as `run --help`', async () => {
    const [a, b] = await Promise.all([runCli(['help', 'run']), runCli(['run', '--help'])]);
    assertExit(a, 0);
    assert.equal(a.stdout, b.stdout);
  });

  test('--version and -V print the package.json version and exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      assertExit(r, 0);
      assert.equal(r.stdout, `${version}\n`);
    }
  });
});

describe('chargestorm usage errors', { concurrency: 4 }, () => {
  test('an unknown command: exit 104, says so, suggests the near one, no stack trace', async () => {
    const r = await runCli(['valdate', 'scenarios/quickstart.yaml']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /unknown command 'valdate'/);
    assert.match(r.stderr, /Did you mean validate\?/);
    assert.match(r.stderr, /Usage: chargestorm /, 'the help follows the error');
    assert.equal(r.stdout, '');
  });

  test('an unknown option: exit 104, names it, suggests the near one, no stack trace', async () => {
    const r = await runCli(['run', 'fixtures/scenarios/cli-small.yaml', '--station', '5']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /unknown option '--station'/);
    assert.match(r.stderr, /Did you mean --stations\?/);
    assert.equal(r.stdout, '', 'nothing ran');
  });

  test('an unknown option of the program: exit 104', async () => {
    const r = await runCli(['--frobnicate']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /unknown option '--frobnicate'/);
  });

  test('a missing argument: exit 104, names it', async () => {
    const r = await runCli(['validate']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /missing required argument 'scenario'/);
  });

  test('an option without its value: exit 104', async () => {
    const r = await runCli(['run', 'fixtures/scenarios/cli-small.yaml', '--stations']);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, /option '-s, --stations <n>' argument missing/);
  });
});
