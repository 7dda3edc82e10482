import type { Command } from 'commander';
import { ExitCode, ToolError } from '../util/errors.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { CsmsSpec, SecuritySpec, Subprotocol, ValidationMode } from '../scenario/spec.js';
import { startCsms } from '../csms/server.js';
import { startCsmsCluster, type CsmsCluster } from '../csms/cluster.js';
import type { CsmsStats } from '../csms/stats.js';
import { intOption } from './output.js';

interface CsmsCliOptions {
  host: string;
  port: string;
  scenario?: string;
  protocols?: string;
  validation?: string;
  password?: string;
  heartbeat?: string;
  block?: string[];
  statsEvery?: string;
  workers: string;
  quiet?: boolean;
  alertsFile?: string;
  alertsWebhook?: string;
}

export function registerCsms(program: Command): void {
  program
    .command('csms')
    .description('Serve the embedded reference CSMS (OCPP 2.1 with 2.0.1 fallback) until Ctrl-C.')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <n>', 'port to listen on (0 = any free port)', '9000')
    .option('--scenario <file>', 'take the csms: section (heartbeat, boot status, blocked tokens, command schedule) and security from a scenario')
    .option('--protocols <list>', 'offered subprotocols in preference order, e.g. ocpp2.0.1 for a 2.0.1-only CSMS', 'ocpp2.1,ocpp2.0.1')
    .option('--validation <mode>', 'schema validation of every frame: strict | warn | off', 'strict')
    .option('--password <pw>', 'require security profile 1: HTTP Basic with user = station id and this password (16-64 chars)')
    .option('--heartbeat <s>', 'heartbeat interval given to stations in BootNotificationResponse (seconds)')
    .option('--block <token...>', 'idTokens answered Blocked')
    .option('--stats-every <s>', 'print a stats line every N seconds (0 = never)', '10')
    .option('-w, --workers <n>', 'processes sharing the port (node cluster); each holds up to ~18,000 stations '
      + '(20,000 open files per process). 1 = in-process', '1')
    .option('-q, --quiet', 'print only the listening address')
    .option('--alerts-file <file>', 'turn on the anomaly detector and append its alerts to FILE as JSON lines (docs/csms-detector.md)')
    .option('--alerts-webhook <url>', 'turn on the anomaly detector and POST its alerts (JSON arrays) to URL')
    .action(async (o: CsmsCliOptions) => {
      const port = intOption('--port', o.port, 0)!;
      if (port > 65535) throw new ToolError('E_BAD_OPTION', `--port expects 0..65535, got '${o.port}'`, ExitCode.invalidInput);
      const protocols = (o.protocols ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = protocols.filter((p) => p !== 'ocpp2.1' && p !== 'ocpp2.0.1');
      if (protocols.length === 0 || bad.length > 0) {
        throw new ToolError('E_BAD_OPTION', `--protocols expects ocpp2.1 and/or ocpp2.0.1, got '${o.protocols}'`, ExitCode.invalidInput);
      }
      if (!['strict', 'warn', 'off'].includes(o.validation ?? '')) {
        throw new ToolError('E_BAD_OPTION', `--validation expects strict | warn | off, got '${o.validation}'`, ExitCode.invalidInput);
      }
      if (o.password !== undefined && (o.password.length < 16 || o.password.length > 64)) {
        throw new ToolError('E_BAD_OPTION', '--password must be 16 to 64 characters (OCPP security profile 1)', ExitCode.invalidInput);
      }
      const fromScenario = o.scenario ? loadScenarioFile(o.scenario) : undefined;
      const spec: Partial<CsmsSpec> = { ...(fromScenario?.csms ?? {}) };
      const hb = intOption('--heartbeat', o.heartbeat, 1);
      if (hb !== undefined) spec.heartbeatInterval = hb;
      if (o.block) spec.blockedTokens = o.block;
      const security: SecuritySpec = o.password ? { profile: 1, password: o.password } : fromScenario?.security ?? { profile: 0 };
      const workers = intOption('--workers', o.workers, 1)!;
      const detecting = o.alertsFile !== undefined || o.alertsWebhook !== undefined;
      if (detecting && workers > 1) {
        // Each worker would see a fraction of the fleet: duplicate identities and fleet statistics span workers.
        throw new ToolError('E_BAD_OPTION', '--alerts-file / --alerts-webhook need --workers 1 (the detector runs in one process)', ExitCode.invalidInput);
      }
      const log = (level: string, message: string): void => { if (!o.quiet && level !== 'debug') process.stderr.write(`[csms] ${message}\n`); };
      const options = {
        host: o.host, port, protocols: protocols as Subprotocol[], validation: o.validation as ValidationMode, security, spec,
        ...(fromScenario ? { seed: fromScenario.seed } : {}),
        ...(detecting ? { detector: { enabled: true, alertsFile: o.alertsFile, alertsWebhook: o.alertsWebhook } } : {}),
      };
      const every = intOption('--stats-every', o.statsEvery, 0)!;
      const statsLine = (s: CsmsStats): void => {
        process.stderr.write(`[csms] ${JSON.stringify({ connected: s.connected, booted: s.boots.accepted, txStarted: s.transactions.started, txEnded: s.transactions.ended, energyWh: Math.round(s.transactions.energyWh) })}\n`);
      };
      if (workers > 1) {
        process.exitCode = await serveCluster(await startCsmsCluster({ ...options, workers, log }), protocols, fromScenario !== undefined, o.quiet ? 0 : every, statsLine);
        return;
      }
      const csms = await startCsms({ ...options, log });
      // Handlers before the banner: a script that signals as soon as it reads the address must get a clean stop.
      const stopped = new Promise<void>((resolve) => {
        const stop = (): void => { resolve(); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      process.stdout.write(`chargestorm csms listening on ${csms.url}/ocpp/<stationId> (${protocols.join(', ')})\n`);
      if (fromScenario) csms.startSchedule();
      const timer = every > 0 && !o.quiet ? setInterval(() => statsLine(csms.stats()), every * 1000) : null;
      await stopped;
      if (timer) clearInterval(timer);
      await csms.close();
    });
}

/** Runs until SIGINT/SIGTERM (forwarded to the workers) or until every worker is down; returns the exit code. */
async function serveCluster(c: CsmsCluster, protocols: string[], schedule: boolean, every: number, statsLine: (s: CsmsStats) => void): Promise<number> {
  const stop = (): void => { void c.close(); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`chargestorm csms listening on ${c.url}/ocpp/<stationId> (${protocols.join(', ')}; ${c.workers} workers)\n`);
  if (schedule) c.startSchedule();
  const timer = every > 0 ? setInterval(() => statsLine(c.stats()), every * 1000) : null;
  const exit = await c.exited;
  if (timer) clearInterval(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (exit.failed > 0) {
    process.stderr.write(`chargestorm: ${exit.failed} of ${c.workers} CSMS workers failed\n`);
    return ExitCode.runtimeError;
  }
  return ExitCode.ok;
}
