// `npm run bench`: chargestorm against the plain-ws ceiling (../shared/bench/ws-ceiling.mjs) on this machine, for
// the same connection counts, in one run. Prints a markdown table (measurement | chargestorm | ceiling | ratio |
// target | pass); `--json FILE` keeps every figure and the exact commands. Progress goes to stderr.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.js';
import { measure, type MeasurementResult } from './lib/measure.js';
import { planFor } from './lib/plans.js';
import { killAll } from './lib/procs.js';
import { bestOf, formatTable, type Row } from './lib/table.js';

// dist/bench/bench.js -> the repository root, where bin/, bench/scenarios/ and node_modules/ are.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) { process.stdout.write(USAGE); return 0; }
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  const machine = {
    cpus: availableParallelism(), memGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
    loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  log(`bench: ${args.quick ? 'quick' : 'full'} run of ${args.only.join(', ')} on ${machine.cpus} cores, load average ${machine.loadavgAtStart.join(' ')}`);
  const startedAt = new Date().toISOString();
  const results: MeasurementResult[] = [];
  const rows: Row[] = [];
  for (const name of args.only) {
    const plan = planFor(name, args.quick);
    const runs: MeasurementResult[] = [];
    for (let i = 1; i <= args.repeat; i++) {
      log(`\n${name}: ${plan.stations} stations${args.repeat > 1 ? ` (run ${i} of ${args.repeat})` : ''}`);
      runs.push(await measure(plan, { root: ROOT, ceiling: args.ceiling, log, verbose: args.verbose }));
    }
    results.push(...runs);
    rows.push(...bestOf(runs.map((r) => r.rows)));
  }
  const title = `chargestorm vs plain ws (${args.quick ? 'quick' : 'full'} run, ${machine.cpus} cores, node ${machine.node}, `
    + `${startedAt.slice(0, 10)}, load average at start ${machine.loadavgAtStart[0]})`;
  process.stdout.write(`\n${title}\n\n${formatTable(rows)}\n`);
  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({ version: 1, quick: args.quick, repeat: args.repeat, startedAt, endedAt: new Date().toISOString(), machine, rows, measurements: results }, null, 2)}\n`);
    log(`bench: wrote ${args.json}`);
  }
  // A measurement that could not run is an error; a figure below its target is a result, not an error.
  return results.some((r) => !r.ceiling.ok || !r.chargestorm.ok) ? 1 : 0;
}

main().then((code) => { killAll(); process.exit(code); }, (err: unknown) => {
  process.stderr.write(`bench: ${(err as Error)?.stack ?? String(err)}\n`);
  killAll();
  process.exit(1);
});
