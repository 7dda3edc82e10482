import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExitCode, ToolError } from '../util/errors.js';
import { loadScenarioFile } from '../scenario/load.js';
import type { CsmsSpec, SecuritySpec, Subprotocol, ValidationMode } from '../scenario/spec.js';
import { startCsms } from '../csms/server.js';
import { TLS_SERVER_NAMES, TlsPki } from '../csms/pki/tls.js';
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
  securityProfile?: string;
  organization?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  pkiDir?: string;
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ToolError('E_BAD_OPTION', `${flag}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, ExitCode.invalidInput);
  }
}

/**
 * Security profile and TLS material from the flags (over the scenario's): profiles 2/3 serve wss:// with the
 * given certificate files, or with a test PKI generated now (written to --pki-dir for foreign stations to trust
 * and, profile 3, to issue their certificates from).
 */
function securityOf(o: CsmsCliOptions, fromScenario: SecuritySpec | undefined): { security: SecuritySpec; tls?: { cert: string; key: string; ca?: string }; pki?: TlsPki } {
  const bad = (m: string): never => { throw new ToolError('E_BAD_OPTION', m, ExitCode.invalidInput); };
  let profile: SecuritySpec['profile'] = fromScenario?.profile ?? 0;
  // --password alone means profile 1 (as before); a scenario's profile 2 keeps TLS.
  if (o.password !== undefined && profile !== 2) profile = 1;
  if (o.securityProfile !== undefined) {
    const n = Number(o.securityProfile);
    if (n !== 0 && n !== 1 && n !== 2 && n !== 3) bad(`--security-profile expects 0, 1, 2 or 3, got '${o.securityProfile}'`);
    profile = n as SecuritySpec['profile'];
  }
  const password = o.password ?? fromScenario?.password;
  if ((profile === 1 || profile === 2) && !password) bad(`security profile ${profile} needs --password (HTTP Basic)`);
  if (profile === 0 && o.password !== undefined) bad('--password needs security profile 1 or 2');
  const tlsFlags = [o.tlsCert && '--tls-cert', o.tlsKey && '--tls-key', o.tlsCa && '--tls-ca', o.pkiDir && '--pki-dir', o.organization && '--organization'].filter(Boolean);
  if (profile < 2 && tlsFlags.length > 0) bad(`${tlsFlags.join(', ')} need --security-profile 2 or 3`);
  if (profile === 2 && o.organization !== undefined) bad('--organization is only checked with --security-profile 3');
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) bad('--tls-cert and --tls-key go together');
  if (o.tlsCert !== undefined && o.pkiDir !== undefined) bad('--pki-dir writes a generated PKI; it cannot be used with --tls-cert/--tls-key');
  if (profile === 3 && o.tlsCert !== undefined && o.tlsCa === undefined && !fromScenario?.issuer && !fromScenario?.ca) {
    bad('security profile 3 with --tls-cert needs --tls-ca: the CA that station certificates must chain to');
  }
  const security: SecuritySpec = {
    ...(fromScenario && fromScenario.profile === profile ? fromScenario : {}), profile,
    ...(profile === 1 || profile === 2 ? { password } : {}),
    ...(o.organization !== undefined ? { organization: o.organization } : {}),
  };
  if (profile === 0 || profile === 1) return { security: { profile, ...(password && profile === 1 ? { password } : {}) } };
  if (o.tlsCert !== undefined) {
    return {
      security,
      tls: { cert: readPem('--tls-cert', o.tlsCert), key: readPem('--tls-key', o.tlsKey!), ...(o.tlsCa ? { ca: readPem('--tls-ca', o.tlsCa) } : {}) },
    };
  }
  // One PKI for every worker process.
  const pki = TlsPki.generate({ serverNames: [...new Set([...TLS_SERVER_NAMES, o.host])] });
  return { security, tls: { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem }, pki };
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
    .option('--password <pw>', 'HTTP Basic with user = station id and this password (16-64 chars): security profile 1, or 2 with --security-profile 2')
    .option('--security-profile <n>', 'OCPP security profile: 0 none, 1 Basic over ws://, 2 Basic over wss:// (TLS >= 1.2), '
      + '3 mutual TLS (client certificate CN = serial number). 2/3 use a generated test PKI unless --tls-cert/--tls-key are given')
    .option('--tls-cert <file>', 'profiles 2/3: PEM server certificate (with --tls-key)')
    .option('--tls-key <file>', 'profiles 2/3: PEM private key of --tls-cert')
    .option('--tls-ca <file>', 'profile 3: PEM CA certificate(s) station certificates must chain to')
    .option('--organization <name>', 'profile 3: required O of station certificates (SecurityCtrlr.OrganizationName)')
    .option('--pki-dir <dir>', 'profiles 2/3: write the generated test PKI there (ca.pem, ca-key.pem, server.pem, server-key.pem) '
      + 'so foreign stations can trust it and issue their certificates from it')
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
        throw new ToolError('E_BAD_OPTION', '--password must be 16 to 64 characters (OCPP security profiles 1 and 2)', ExitCode.invalidInput);
      }
      const fromScenario = o.scenario ? loadScenarioFile(o.scenario) : undefined;
      const { security, tls, pki } = securityOf(o, fromScenario?.security);
      if (pki && o.pkiDir) {
        try {
          for (const f of pki.write(o.pkiDir)) process.stderr.write(`[csms] wrote ${f}\n`);
        } catch (e) {
          throw new ToolError('E_BAD_OPTION', `--pki-dir: cannot write ${o.pkiDir} (${(e as Error).message})`, ExitCode.invalidInput);
        }
      }
      const spec: Partial<CsmsSpec> = { ...(fromScenario?.csms ?? {}) };
      const hb = intOption('--heartbeat', o.heartbeat, 1);
      if (hb !== undefined) spec.heartbeatInterval = hb;
      if (o.block) spec.blockedTokens = o.block;
      const workers = intOption('--workers', o.workers, 1)!;
      const detecting = o.alertsFile !== undefined || o.alertsWebhook !== undefined;
      if (detecting && workers > 1) {
        // Each worker would see a fraction of the fleet: duplicate identities and fleet statistics span workers.
        throw new ToolError('E_BAD_OPTION', '--alerts-file / --alerts-webhook need --workers 1 (the detector runs in one process)', ExitCode.invalidInput);
      }
      const log = (level: string, message: string): void => { if (!o.quiet && level !== 'debug') process.stderr.write(`[csms] ${message}\n`); };
      const options = {
        host: o.host, port, protocols: protocols as Subprotocol[], validation: o.validation as ValidationMode, security, spec,
        ...(tls ? { tls } : {}),
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
