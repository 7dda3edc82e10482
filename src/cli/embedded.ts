import { startCsms } from '../csms/server.js';
import { startCsmsCluster } from '../csms/cluster.js';
import { TlsPki } from '../csms/pki/tls.js';
import type { ScenarioSpec, SecuritySpec } from '../scenario/spec.js';
import type { DetectorOptions } from '../csms/detector/index.js';
import { ExitCode, ToolError } from '../util/errors.js';

/** The embedded CSMS of a run without a target, sized for the fleet. */
export interface EmbeddedCsms {
  url: string;
  /** Generator processes the stations need beside it (undefined: stations may share its process). */
  stationProcesses?: number;
  /** The stations' security settings: under profiles 2/3 they trust the CSMS's generated CA (and, profile 3, get certificates from it). */
  security: SecuritySpec;
  startSchedule(runStartMs?: number): void;
  close(): Promise<unknown>;
}

/**
 * Profiles 2/3 work out of the box: one TLS test PKI for the CSMS (shared by its workers); the stations trust
 * its CA and, under profile 3 without their own certificate files or issuer, get certificates issued by it.
 */
function embeddedTls(security: SecuritySpec): { tls?: { cert: string; key: string; ca: string }; security: SecuritySpec } {
  if (security.profile < 2) return { security };
  const pki = TlsPki.generate();
  const issue = security.profile === 3 && !security.clientCert && !security.issuer;
  return {
    tls: { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem },
    security: { ...security, ca: pki.ca.certPem, ...(issue ? { issuer: { cert: pki.ca.certPem, key: pki.ca.keyPem } } : {}) },
  };
}

// Every station costs a socket on each side; a process may hold 20,000 open files.
const SHARED_PROCESS_LIMIT = 8_000;
const SOCKETS_PER_PROCESS = 15_000;

/**
 * Up to 8,000 stations, the CSMS and the stations share this process. Up to 15,000 the CSMS stays here and
 * the stations move to generator processes. Beyond that the CSMS runs as a cluster of worker processes too.
 */
export async function startEmbeddedCsms(spec: ScenarioSpec, stations: number, detector?: DetectorOptions): Promise<EmbeddedCsms> {
  if (detector && stations > SOCKETS_PER_PROCESS) {
    // The detector's fleet statistics and duplicate-identity checks need every station in one process.
    throw new ToolError('E_BAD_OPTION', `detection with the embedded CSMS works up to ${SOCKETS_PER_PROCESS.toLocaleString('en-US')} stations `
      + `(its detector runs in one process); this run has ${stations.toLocaleString('en-US')}: use --target and your CSMS's alerts`, ExitCode.invalidInput);
  }
  const { tls, security } = embeddedTls(spec.security);
  const common = {
    host: '127.0.0.1', port: 0, protocols: spec.protocols, validation: spec.validation, callTimeoutMs: spec.callTimeout,
    security: spec.security, spec: spec.csms, seed: spec.seed, ...(tls ? { tls } : {}),
  };
  const generators = Math.max(2, Math.ceil(stations / SOCKETS_PER_PROCESS));
  if (stations <= SOCKETS_PER_PROCESS) {
    const csms = await startCsms({ ...common, ...(detector ? { detector } : {}) });
    return {
      url: csms.url,
      security,
      ...(stations > SHARED_PROCESS_LIMIT ? { stationProcesses: generators } : {}),
      startSchedule: (at) => csms.startSchedule(at),
      close: async () => {
        // The stations' last closes may still be on their way in (the fleet only waits for its own side of each
        // close); closing terminates what is left, and terminated sockets report 'close' on later ticks: read the
        // counters once they have seen every connection end (as the cluster's workers do).
        await csms.close();
        for (let i = 0; i < 100 && csms.stats().connected > 0; i++) await new Promise((r) => setTimeout(r, 10));
        return csms.stats();
      },
    };
  }
  const workers = Math.ceil(stations / SOCKETS_PER_PROCESS);
  const c = await startCsmsCluster({ ...common, workers });
  return {
    url: c.url,
    security,
    stationProcesses: generators,
    startSchedule: (at) => c.startSchedule(at),
    close: () => c.close(),
  };
}
