import type { AttackImpl } from '../types.js';
import { randomIdentity, randomPassword } from '../tokens.js';

/**
 * A02 credential brute force / identity enumeration: WebSocket upgrades with wrong HTTP Basic passwords for the
 * target's identity (`wrong-password`) or for random identities (`random-identities`), `rate` attempts/s. A
 * correct CSMS answers 401 (404 for an identity it does not know, 429 once it locks the source out) and opens no
 * OCPP session.
 */
export const A02: AttackImpl = {
  type: 'A02',
  title: 'credential brute force',
  problem(spec, entry) {
    if (entry.params.mode === 'bad-certificate') return spec.security.profile === 3 ? undefined : 'mode bad-certificate needs security profile 3 (client certificates)';
    return spec.security.profile >= 1 ? undefined : 'needs credentials to guess: set security.profile to 1, 2 or 3';
  },
  async run(env) {
    const st = env.stations[0];
    const mode = env.params.mode as string;
    if (mode === 'bad-certificate') throw new Error('mode bad-certificate is not available yet');
    const spec = env.ctx.spec;
    const la = spec.localAddresses;
    const localAddress = la.length > 0 && st ? la[st.plan.index % la.length] : undefined;
    env.scope.ip(localAddress ?? '127.0.0.1');
    // 401 (404 for an identity the CSMS does not know), or 429 once it locks the attacker out.
    const expect = [{ kind: 'http' as const, value: mode === 'random-identities' ? [401, 404, 429] : [401, 429] }];
    await env.every(env.rate, async () => {
      const identity = mode === 'random-identities' || !st ? randomIdentity(env.rng) : st.id;
      let password = randomPassword(env.rng, 16 + env.rng.int(0, 24));
      if (password === spec.security.password) password += 'x';
      if (mode === 'random-identities') env.scope.station(identity);
      const sentMs = env.nowMs();
      env.malicious(sentMs);
      const res = await env.rogue({ identity, basicAuth: { user: identity, password }, ...(localAddress ? { localAddress } : {}) });
      if (res.ok) {
        // The CSMS let a wrong password in: the reaction is the upgrade itself (101), a conformance failure.
        env.reaction('upgrade', sentMs, expect, { atMs: res.atMs, reactions: [{ kind: 'http', value: 101 }] });
        res.rogue.close();
        return;
      }
      env.reaction('upgrade', sentMs, expect, res.status !== undefined ? { atMs: res.atMs, reactions: [{ kind: 'http', value: res.status }] } : null);
    });
  },
};
