/**
 * Spawning the real `bin/chargestorm.js` for CLI tests: what a user or a CI job sees (exit code, stdout, stderr),
 * nothing in-process. Every child has a deadline and is killed when it passes it, so a hung command fails its test
 * instead of the whole run. Deadlines are generous: CI runners are shared, and a 4 s run can take 10 s there.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests are compiled to dist/test/cli/). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A printed stack frame: users must never see one. */
export const STACK_TRACE = /\n\s+at /;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `chargestorm` child whose output is collected as it arrives. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once stdout (or stderr) matches `re`, with the match; rejects if the child exits first or on timeout. */
  waitFor(re: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the child exits (killed with SIGKILL and rejected after its deadline). */
  readonly done: Promise<CliResult>;
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.CHARGESTORM_DEBUG;
  delete env.FORCE_COLOR;
  return env;
}

/** Starts `chargestorm <args>` from the repository root; the deadline covers the whole life of the child. */
export function startCli(args: readonly string[], timeoutMs = 40_000): CliProcess {
  const child = spawn(process.execPath, ['bin/chargestorm.js', ...args], { cwd: repoRoot, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const changed = (): void => { for (const l of [...listeners]) l(); };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; changed(); });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; changed(); });
  let exited = false;
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chargestorm ${args.join(' ')}: no exit within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      exited = true;
      changed();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  // Keep an unobserved rejection from crashing the test process; callers still see it through `done`.
  done.catch(() => {});
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(re, stream = 'stdout', waitMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = (stream === 'stdout' ? out : err).match(re);
          if (m) { finish(); resolve(m); } else if (exited) { finish(); reject(new Error(`exited before ${re} appeared on ${stream}\nstdout:\n${out}\nstderr:\n${err}`)); }
        };
        const timer = setTimeout(() => { finish(); reject(new Error(`${re} did not appear on ${stream} within ${waitMs} ms\nstdout:\n${out}\nstderr:\n${err}`)); }, waitMs);
        const finish = (): void => { clearTimeout(timer); listeners.delete(check); };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs `chargestorm <args>` to completion. */
export function runCli(args: readonly string[], timeoutMs = 40_000): Promise<CliResult> {
  return startCli(args, timeoutMs).done;
}

/** Asserts the exit code, showing the child's output when it differs. */
export function assertExit(r: CliResult, code: number): void {
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

/** Asserts that nothing the child printed contains a stack trace. */
export function assertNoStack(r: CliResult): void {
  assert.doesNotMatch(r.stderr, STACK_TRACE, `stack trace on stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, STACK_TRACE, `stack trace on stdout:\n${r.stdout}`);
}

/** A fresh temporary directory (removed by the returned cleanup). /tmp is shared: never use fixed names there. */
export function tempDir(): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'chargestorm-cli-'));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads a JSON file the CLI wrote. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A 127.0.0.1 port that nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The 1-based line of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `'${needle}' not found`);
  return i + 1;
}
