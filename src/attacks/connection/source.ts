import type { AttackEnv } from '../env.js';
import type { Station } from '../../station/station.js';
import { sourceAddress } from '../../station/source.js';

/**
 * The source address an attack's extra connections use: the target station's (`localAddresses` assigns one
 * per station index) or the loopback default. Named in the instance's scope, since connection-level alerts
 * name the IP.
 */
export function attackSource(env: AttackEnv, st: Station | undefined): { localAddress?: string; ip: string } {
  const localAddress = st ? sourceAddress(env.ctx.spec, st.plan.index) : undefined;
  const ip = localAddress ?? '127.0.0.1';
  env.scope.ip(ip);
  return localAddress ? { localAddress, ip } : { ip };
}
