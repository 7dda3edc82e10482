import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertExit, assertNoStack, readJson, repoRoot, runCli, startCli, tempDir, type CliProcess } from './helpers.js';

const SMALL = 'fixtures/scenarios/cli-small.yaml';
const SECURE = 'fixtures/scenarios/cli-secure.yaml';
// The password in cli-secure.yaml.
const PASSWORD = 'cli-test-password-0001';

const tmp = tempDir();
after(() => tmp.cleanup());

/** Starts `chargestorm csms --port 0 ...` and returns it with the target its banner tells users to pass to `run`. */
async function startServer(...extra: string[]): Promise<{ cli: CliProcess; target: string }> {
  const cli = startCli(['csms', '--port', '0', '--stats-every', '0', ...extra], 60_000);
  const m = await cli.waitFor(/^chargestorm csms listening on (ws:\/\/127\.0\.0\.1:\d+\/ocpp)\/<stationId> \(ocpp2\.1, ocpp2\.0\.1\)$/m);
  return { cli, target: m[1]! };
}

/** Stops the server with `signal` and asserts a clean exit 0. */
async function stop(cli: CliProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  cli.child.kill(signal);
  const r = await cli.done;
  assertExit(r, 0);
  assertNoStack(r);
}

describe('chargestorm csms', { concurrency: 3 }, () => {
  test('the README flow: `csms`, then `run --target <its url>`: every station boots, exit 0; SIGTERM stops it with 0', async () => {
    const { cli, target } = await startServer();
    try {
      const files = [tmp.file('csms-small.json'), tmp.file('csms-quickstart.json')];
      const results = await Promise.all([
        runCli(['run', SMALL, '--target', target, '--stations', '5', '--duration', '3s', '--quiet', '--summary-export', files[0]!]),
        // The README's own command, scaled down.
        runCli(['run', 'scenarios/quickstart.yaml', '--target', target, '--stations', '5', '--duration', '3s', '--quiet', '--summary-export', files[1]!]),
      ]);
      for (const [i, r] of results.entries()) {
        assertExit(r, 0);
        assertNoStack(r);
        const s = readJson(files[i]!);
        assert.equal(s.run.target, target);
        assert.equal(s.actions.BootNotification.count, 5);
        assert.equal(s.actions.BootNotification.ok, 5);
        assert.equal(s.connect.ok, 5);
        assert.equal(s.calls.failed, 0, JSON.stringify(s.calls.errors));
        assert.equal(s.embeddedCsms, undefined, 'the run used the external CSMS, not one of its own');
      }
    } finally {
      await stop(cli, 'SIGTERM');
    }
    assert.match(cli.stderr(), /\[csms\] CSMS listening on ws:\/\/127\.0\.0\.1:\d+/);
  });

  test('the README pairs `csms --port P` with `run --target ws://127.0.0.1:P/ocpp`, the address the banner prints', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const port = readme.match(/chargestorm csms --port (\d+)/)?.[1];
    assert.ok(port, 'README shows `chargestorm csms --port N`');
    assert.ok(readme.includes(`chargestorm run scenarios/quickstart.yaml --target ws://127.0.0.1:${port}/ocpp`), 'README pairs it with run --target');
  });

  test('SIGINT (Ctrl-C) stops it with exit 0 too', async () => {
    const { cli } = await startServer();
    await stop(cli, 'SIGINT');
  });

  test('a signal the instant the banner appears still stops it cleanly (scripts wait for the banner, then stop)', async () => {
    for (let i = 0; i < 6; i++) {
      const cli = startCli(['csms', '--port', '0', '--quiet'], 10_000);
      cli.child.stdout!.once('data', () => cli.child.kill(i % 2 === 0 ? 'SIGTERM' : 'SIGINT'));
      const r = await cli.done;
      assert.equal(r.signal, null, `attempt ${i + 1}: killed by ${r.signal} — the handlers were installed after the banner`);
      assertExit(r, 0);
    }
  });

  test('--quiet prints only the listening line', async () => {
    const { cli } = await startServer('--quiet');
    await stop(cli);
    assert.equal(cli.stdout().split('\n').filter(Boolean).length, 1);
    assert.equal(cli.stderr(), '');
  });

  test('--password: stations without it are refused with 401 (counted, exit 0); with it they boot', async () => {
    const { cli, target } = await startServer('--password', PASSWORD);
    try {
      const [without, withIt] = [tmp.file('no-password.json'), tmp.file('password.json')];
      const [a, b] = await Promise.all([
        runCli(['run', SMALL, '--target', target, '--stations', '3', '--duration', '2s', '--quiet', '--summary-export', without]),
        runCli(['run', SECURE, '--target', target, '--stations', '3', '--duration', '2s', '--quiet', '--summary-export', withIt]),
      ]);
      assertExit(a, 0);
      assertExit(b, 0);
      const refused = readJson(without);
      assert.equal(refused.connect.ok, 0);
      assert.ok(refused.connect.attempts >= 3);
      // SUMMARY.md documents the kind as `http-401`; src/station/station.ts reports `http_401` (reported to the lead).
      const kinds = Object.keys(refused.connect.errors);
      assert.equal(kinds.length, 1, JSON.stringify(refused.connect.errors));
      assert.match(kinds[0]!, /^http[-_]401$/);
      assert.equal(refused.connect.errors[kinds[0]!], refused.connect.attempts);
      const accepted = readJson(withIt);
      assert.equal(accepted.connect.ok, 3);
      assert.equal(accepted.actions.BootNotification.ok, 3);
    } finally {
      await stop(cli);
    }
  });

  for (const [args, message] of [
    [['--password', 'short'], /--password must be 16 to 64 characters/],
    [['--password', 'x'.repeat(65)], /--password must be 16 to 64 characters/],
    [['--port', 'abc'], /--port expects an integer >= 0, got 'abc'/],
    [['--port', '70000'], /--port/],
    [['--protocols', 'ocpp1.6'], /--protocols expects ocpp2\.1 and\/or ocpp2\.0\.1, got 'ocpp1\.6'/],
    [['--validation', 'loose'], /--validation expects strict \| warn \| off, got 'loose'/],
    [['--scenario', 'fixtures/scenarios/cli-invalid.yaml'], /cli-invalid\.yaml:\d+:\d+  stations\[0\]\.cuont: unknown key/],
  ] as const) {
    test(`csms ${args.join(' ').slice(0, 40)}: exit 104 with a clear message, never listening`, async () => {
      const r = await runCli(['csms', '--port', '0', ...args]);
      assertExit(r, 104);
      assertNoStack(r);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /listening/);
    });
  }

  test('a port already in use: a runtime error (107) that says why, no stack trace', async () => {
    const { cli, target } = await startServer();
    try {
      const port = new URL(target).port;
      const r = await runCli(['csms', '--port', port]);
      assertExit(r, 107);
      assertNoStack(r);
      assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}.*EADDRINUSE`));
    } finally {
      await stop(cli);
    }
  });
});
