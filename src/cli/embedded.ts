import { startCsms } from '../csms/server.js';
import { startCsmsCluster } from '../csms/cluster.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import { poolTokens } from '../station/draw.js';

/** The embedded CSMS of a run without a target, sized for the fleet. */
export interface EmbeddedCsms {
  url: string;
  /** Generator processes the stations need beside it (undefined: stations may share its process). */
  stationProcesses?: number;
  startSchedule(runStartMs?: number): void;
  close(): Promise<unknown>;
}

/** Faker pools up to this size are enumerated into the token registry; a bigger pool leaves every token known. */
const REGISTRY_LIMIT = 1_000_000;

/** The scenario's drivers' idTokens (sessions.idTokens), case-insensitive: the embedded CSMS's token registry. */
export function tokenRegistry(spec: ScenarioSpec): ((idToken: string) => boolean) | undefined {
  const src = spec.sessions.idTokens;
  if (src.source === 'faker' && src.poolSize > REGISTRY_LIMIT) return undefined;
  const known = new Set(poolTokens(src, spec.seed).map((t) => t.idToken.toLowerCase()));
  return (idToken) => known.has(idToken.toLowerCase());
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
    // A predicate cannot cross into cluster workers: beyond one CSMS process every token stays known.
    const knownTokens = tokenRegistry(spec);
    const csms = await startCsms({ ...common, ...(knownTokens ? { knownTokens } : {}) });
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
