import { Command, CommanderError } from 'commander';
import { ExitCode } from '../util/errors.js';
import { reportError } from './output.js';
import { registerRun } from './run.js';
import { registerCsms } from './csms.js';
import { registerValidate } from './validate.js';
import { registerMerge } from './merge.js';

/** The `chargestorm` program; the only composition root. */
export function program(): Command {
  const p = new Command('chargestorm')
    .description('Load- and attack-test OCPP 2.1 CSMS backends with fleets of virtual charging stations.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerRun(p);
  registerCsms(p);
  registerValidate(p);
  registerMerge(p);
  return p;
}

export async function main(argv: string[]): Promise<void> {
  let code: number;
  try {
    await program().parseAsync(argv);
    code = process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help / --version exit 0; usage errors are invalid input (k6 uses 104 too).
      code = err.exitCode === 0 ? 0 : ExitCode.invalidInput;
    } else {
      code = reportError(err);
    }
  }
  process.exit(code);
}
