import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExitCode, ToolError } from '../util/errors.js';
import { parseDuration } from '../util/duration.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { ScenarioOverrides } from '../scenario/overrides.js';
import { totalStations, type ScenarioSpec, type ValidationMode } from '../scenario/spec.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { summarize, type Summary } from '../metrics/summary.js';
import { formatProgressLine, formatReport } from '../metrics/report.js';
import { startCsms, type Csms } from '../csms/server.js';
import { runFleet } from '../fleet/runner.js';
import { intOption } from './output.js';

interface RunOptions {
  target?: string;
  stations?: string;
  duration?: string;
  seed?: string;
  validation?: string;
  summaryExport?: string;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run a scenario: connect the fleet, drive its sessions, and report latency, errors and energy.')
    .argument('<scenario>', 'scenario YAML file (see docs/scenario-format.md)')
    .option('-t, --target <url>', 'CSMS endpoint, e.g. ws://127.0.0.1:9000/ocpp (station URL = target/<id>); '
      + 'default: the scenario\'s target, else an embedded CSMS started in-process')
    .option('-s, --stations <n>', 'total stations, spread over the scenario\'s groups in proportion (overrides the file)')
    .option('-d, --duration <time>', 'run length, e.g. 30s or 2m; the phases are scaled to fit (overrides the file)')
    .option('--seed <n>', 'seed of every random choice (identities, sessions, tokens); same seed, same run')
    .option('--validation <mode>', 'schema validation of every frame: strict | warn | off')
    .option('--summary-export <file>', 'write the end-of-run summary as JSON (schema: src/metrics/SUMMARY.md)')
    .option('-q, --quiet', 'no progress line and no report on stdout (use with --summary-export)')
    .option('-v, --verbose', 'trace connection failures and protocol events to stderr')
    .option('--no-color', 'no ANSI colours in the report')
    .action(async (file: string, o: RunOptions) => {
      process.exitCode = await runCommand(file, o);
    });
}

function overridesOf(o: RunOptions): ScenarioOverrides {
  const ov: ScenarioOverrides = {};
  if (o.target !== undefined) ov.target = o.target;
  const stations = intOption('--stations', o.stations, 1);
  if (stations !== undefined) ov.stations = stations;
  if (o.duration !== undefined) {
    const ms = parseDuration(o.duration);
    if (ms === undefined || ms <= 0) throw new ToolError('E_BAD_OPTION', `--duration expects a time such as 30s or 2m, got '${o.duration}'`, ExitCode.invalidInput);
    ov.duration = ms;
  }
  const seed = intOption('--seed', o.seed, 0);
  if (seed !== undefined) ov.seed = seed;
  if (o.validation !== undefined) ov.validation = o.validation as ValidationMode;
  return ov;
}

async function runCommand(file: string, o: RunOptions): Promise<number> {
  const spec = loadScenarioFile(file, overridesOf(o));
  const color = o.color !== false && process.stdout.isTTY === true;
  let csms: Csms | null = null;
  let target = spec.target;
  if (!target) {
    csms = await startCsms({
      host: '127.0.0.1', port: 0, protocols: spec.protocols, validation: spec.validation,
      callTimeoutMs: spec.callTimeout, security: spec.security, spec: spec.csms, seed: spec.seed,
    });
    target = `${csms.url}/ocpp`;
  }
  const registry = new MetricsRegistry();
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(ExitCode.interrupted); // second Ctrl-C: leave now
    process.stderr.write('\ninterrupted: ending sessions and writing a partial report (Ctrl-C again to quit now)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const total = totalStations(spec);
  if (!o.quiet) {
    process.stderr.write(`chargestorm: ${spec.name} — ${total} stations for ${Math.round(spec.duration / 1000)}s against ${target}${csms ? ' (embedded CSMS)' : ''}\n`);
  }
  const tty = process.stderr.isTTY === true;
  let result;
  try {
    if (csms) csms.startSchedule();
    result = await runFleet({
      spec, target, registry, signal: abort.signal,
      ...(o.verbose ? { verbose: (line: string) => process.stderr.write(`${line}\n`) } : {}),
      onTick(elapsedMs) {
        if (o.quiet) return;
        const line = formatProgressLine(registry.progress(), { stations: total, color: tty && color });
        // One refreshing line in a terminal; a compact line every 10 s in logs (CI).
        if (tty) process.stderr.write(`\r\x1b[2K${line}`);
        else if (Math.floor(elapsedMs / 1000) % 10 === 0) process.stderr.write(`${line}\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (tty && !o.quiet) process.stderr.write('\n');
    await csms?.close();
  }
  const summary = buildSummary(registry, spec, target, result.stationsPlanned, csms);
  if (o.summaryExport) writeFileSync(o.summaryExport, `${JSON.stringify(summary, null, 2)}\n`);
  if (!o.quiet) process.stdout.write(`${formatReport(summary, { color })}\n`);
  return result.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

function buildSummary(registry: MetricsRegistry, spec: ScenarioSpec, target: string, stations: number, csms: Csms | null): Summary & { embeddedCsms?: unknown } {
  const summary = summarize(registry.snapshot(), { scenario: spec.name, target, stations });
  return csms ? { ...summary, embeddedCsms: csms.stats() } : summary;
}
