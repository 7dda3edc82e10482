import { startCsms } from '../csms/server.js';
import { startCsmsCluster } from '../csms/cluster.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import type { DetectorOptions } from '../csms/detector/index.js';
import { ExitCode, ToolError } from '../util/errors.js';

/** The embedded CSMS of a run without a target, sized for the fleet. */
export interface EmbeddedCsms {
  url: string;
  /** Generator processes the stations need beside it (undefined: stations may share its process). */
  stationProcesses?: number;
  startSchedule(runStartMs?: number): void;
  close(): Promise<unknown>;
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
  const common = {
    host: '127.0.0.1', port: 0, protocols: spec.protocols, validation: spec.validation, callTimeoutMs: spec.callTimeout,
    security: spec.security, spec: spec.csms, seed: spec.seed,
  };
  const generators = Math.max(2, Math.ceil(stations / SOCKETS_PER_PROCESS));
  if (stations <= SOCKETS_PER_PROCESS) {
    const csms = await startCsms({ ...common, ...(detector ? { detector } : {}) });
    return {
      url: csms.url,
      ...(stations > SHARED_PROCESS_LIMIT ? { stationProcesses: generators } : {}),
      startSchedule: (at) => csms.startSchedule(at),
      close: async () => { const s = csms.stats(); await csms.close(); return s; },
    };
  }
  const workers = Math.ceil(stations / SOCKETS_PER_PROCESS);
  const c = await startCsmsCluster({ ...common, workers });
  return {
    url: c.url,
    stationProcesses: generators,
    startSchedule: (at) => c.startSchedule(at),
    close: () => c.close(),
  };
}
