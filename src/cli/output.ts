import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExitCode, ToolError } from '../util/errors.js';

/** Prints a tool error the way users should see it: message only, never a stack trace. */
export function reportError(err: unknown): number {
  if (err instanceof ToolError) {
    process.stderr.write(`chargestorm: ${err.message}\n`);
    return err.exitCode;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`chargestorm: unexpected error: ${msg}\n`);
  if (process.env.CHARGESTORM_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return ExitCode.runtimeError;
}

/** Parses a positive integer option, or throws a 104 ToolError naming the option. */
export function intOption(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new ToolError('E_BAD_OPTION', `${name} expects an integer >= ${min}, got '${value}'`, ExitCode.invalidInput);
  }
  return n;
}

/** Throws a 104 ToolError at once, not after a long run, when the file an option names could not be written. */
export function writableFileOption(name: string, path: string | undefined): void {
  if (path === undefined) return;
  let why: string | undefined;
  try {
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) why = 'it is a directory';
      else accessSync(path, constants.W_OK);
    } else {
      accessSync(dirname(resolve(path)), constants.W_OK);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    why = code === 'ENOENT' ? 'its directory does not exist' : `not writable (${code ?? (e as Error).message})`;
  }
  if (why) throw new ToolError('E_BAD_OPTION', `${name} cannot write '${path}': ${why}`, ExitCode.invalidInput);
}
