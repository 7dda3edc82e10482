import { parseArgs } from 'node:util';

export const MEASUREMENTS = ['calls-1k', 'calls-10k', 'connect-rate', 'hold-100k'] as const;
export type MeasurementName = (typeof MEASUREMENTS)[number];

export interface BenchArgs {
  quick: boolean;
  only: readonly MeasurementName[];
  json: string | null;
  /** The plain-ws ceiling script, relative to the repository root. */
  ceiling: string;
  verbose: boolean;
  /** Runs of each measurement; the table keeps each side's best (other load on the machine only lowers figures). */
  repeat: number;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only <name>[,<name>...]] [--repeat N] [--json <file>] [--ceiling <path>] [--verbose]

Measures chargestorm against the plain-ws ceiling (../shared/bench/ws-ceiling.mjs) for the same connection
counts and prints a markdown table: measurement | chargestorm | ceiling | ratio | target | pass.

  --quick           small counts for a smoke run (1k-5k stations, a few seconds each)
  --only <names>    run only these measurements: ${MEASUREMENTS.join(', ')}
  --repeat <n>      run each measurement n times (1-5) and keep each side's best figure (busy machines)
  --json <file>     also write every figure and detail as JSON
  --ceiling <path>  the ceiling script (default ../shared/bench/ws-ceiling.mjs, from the repository root)
  --verbose         pass the child processes' stderr through
`;

/** Parses the bench's command line; throws an Error with a readable message on bad input. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      json: { type: 'string' },
      ceiling: { type: 'string', default: '../shared/bench/ws-ceiling.mjs' },
      verbose: { type: 'boolean', short: 'v', default: false },
      repeat: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const names = (values.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(MEASUREMENTS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown measurement ${unknown.map((n) => `'${n}'`).join(', ')}; expected ${MEASUREMENTS.join(', ')}`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 5) throw new Error(`--repeat expects 1 to 5, got '${values.repeat}'`);
  return {
    quick: values.quick!,
    repeat,
    only: names.length > 0 ? MEASUREMENTS.filter((m) => names.includes(m)) : [...MEASUREMENTS],
    json: values.json ?? null,
    ceiling: values.ceiling!,
    verbose: values.verbose!,
    help: values.help!,
  };
}
