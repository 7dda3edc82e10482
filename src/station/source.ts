import { totalStations, type ScenarioSpec } from '../scenario/spec.js';

/** Where one connection attempt of a station comes from; both absent = the OS chooses. */
export interface ConnectionSource {
  localAddress?: string;
  localPort?: number;
}

/** The station's source address: `localAddresses` rotated by global index, or none (OS default). */
export function sourceAddress(spec: ScenarioSpec, index: number): string | undefined {
  const la = spec.localAddresses;
  return la.length > 0 ? la[index % la.length] : undefined;
}

/**
 * The source of a station's `attempt`-th connection attempt (0-based over its life).
 *
 * With `localAddresses`, the station also binds an explicit port. Binding an address with port 0 makes Linux
 * search for a port free on that address, and once the machine's sockets cover the port range (~28k) that
 * search costs milliseconds per bind: measured here, six processes' connects fell from ~4,000/s to ~150/s past
 * 28k sockets, while explicit ports kept ~4,000/s per process up to 90k. The port comes from the global index,
 * so stations never collide across processes, shards or machines' shared addresses: address = index mod A,
 * slot = index div A, and attempt k takes band k (slot + k × ⌈fleet / A⌉), so a reconnect does not wait for its
 * previous port's TIME_WAIT. Bands wrap around the range; a port that is taken anyway (another program, a
 * listener, a wrapped band) fails with EADDRINUSE/EADDRNOTAVAIL and the station tries the next attempt.
 */
export function connectionSource(spec: ScenarioSpec, index: number, attempt: number): ConnectionSource {
  const localAddress = sourceAddress(spec, index);
  if (localAddress === undefined) return {};
  const range = spec.localPorts;
  if (range === 'kernel') return { localAddress };
  const addresses = spec.localAddresses.length;
  const band = Math.max(1, Math.ceil(totalStations(spec) / addresses));
  const size = range.to - range.from + 1;
  const slot = Math.floor(index / addresses);
  return { localAddress, localPort: range.from + ((slot + attempt * band) % size) };
}
