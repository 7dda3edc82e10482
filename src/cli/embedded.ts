import { startCsms } from '../csms/server.js';
import { startCsmsCluster } from '../csms/cluster.js';
import type { ScenarioSpec } from '../scenario/spec.js';

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
export async function startEmbeddedCsms(spec: ScenarioSpec, stations: number): Promise<EmbeddedCsms> {
  const common = {
    host: '127.0.0.1', port: 0, protocols: spec.protocols, validation: spec.validation, callTimeoutMs: spec.callTimeout,
    security: spec.security, spec: spec.csms, seed: spec.seed,
  };
  const generators = Math.max(2, Math.ceil(stations / SOCKETS_PER_PROCESS));
  if (stations <= SOCKETS_PER_PROCESS) {
    const csms = await startCsms(common);
    return {
      url: csms.url,
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
    stationProcesses: generators,
    startSchedule: (at) => c.startSchedule(at),
    close: () => c.close(),
  };
}
