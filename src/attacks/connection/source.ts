import type { AttackEnv } from '../env.js';
import type { Station } from '../../station/station.js';

/**
 * The source address an attack's extra connections use: the target station's (`localAddresses` assigns one
 * per station index) or the loopback default. Named in the instance's scope, since connection-level alerts
 * name the IP.
 */
export function attackSource(env: AttackEnv, st: Station | undefined): { localAddress?: string; ip: string } {
  const la = env.ctx.spec.localAddresses;
  const localAddress = la.length > 0 && st ? la[st.plan.index % la.length] : undefined;
  const ip = localAddress ?? '127.0.0.1';
  env.scope.ip(ip);
  return localAddress ? { localAddress, ip } : { ip };
}
