import type { Reaction, ReactionSpec } from '../../detection/index.js';
import type { ConnectOptions } from '../../ocpp/transport.js';
import type { AttackEnv } from '../env.js';
import type { RogueOpen } from '../rogue.js';
import type { AttackImpl } from '../types.js';
import { attackSource } from './source.js';

/**
 * A14 security-profile downgrade (ATTACKS.md §3), `rate` upgrade attempts/s with the target's identity:
 * - `no-credentials`: profile 1/2 without the Authorization header (expected HTTP 401); profile 3 without a client
 *   certificate (TLS with the CA only, expected HTTP 403).
 * - `legacy-subprotocol`: offers only `subprotocol` (ocpp1.6); expected: the handshake completes without an OCPP
 *   subprotocol (the CSMS then closes 1002).
 * - `cleartext` (profile 2/3): ws:// to the TLS endpoint; expected: the connection is cut (no HTTP answer).
 * - `tls1.1` (profile 2/3): TLS 1.0-1.1 only; expected: the TLS handshake is refused.
 * Every attempt that gets a session is a conformance failure (recorded as HTTP 101) and is closed at once.
 */
export const A14: AttackImpl = {
  type: 'A14',
  title: 'security-profile downgrade',
  problem(spec, entry) {
    const mode = entry.params.mode as string;
    const profile = spec.security.profile;
    if (mode === 'no-credentials' && profile < 1) return 'mode no-credentials needs a security profile that has credentials (1, 2 or 3)';
    if ((mode === 'cleartext' || mode === 'tls1.1') && profile < 2) return `mode ${mode} needs TLS: security profile 2 or 3`;
    return undefined;
  },
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const src = attackSource(env, st);
    const mode = env.params.mode as string;
    const spec = env.ctx.spec;
    const { expect, frame, options } = attempt(env, mode);
    await env.every(env.rate, async () => {
      const sentMs = env.nowMs();
      env.malicious(sentMs);
      const res = await env.rogue({ identity: st.id, serialNumber: st.identity.serialNumber, ...(src.localAddress ? { localAddress: src.localAddress } : {}), ...options(spec.security.profile) });
      env.count(`a14_${mode.replace(/[^a-z0-9]/g, '_')}`);
      env.reaction(frame, sentMs, expect, observed(res));
      if (res.ok) res.rogue.close();
    });
  },
};

type Opts = { basicAuth?: null; protocols?: readonly string[]; target?: string; connect?: Partial<ConnectOptions> };

function attempt(env: AttackEnv, mode: string): { expect: ReactionSpec[]; frame: string; options(profile: number): Opts } {
  const security = env.ctx.spec.security;
  const ca = security.ca !== undefined ? { ca: security.ca } : {};
  switch (mode) {
    case 'no-credentials':
      return {
        frame: 'upgrade without credentials',
        expect: [{ kind: 'http', value: security.profile === 3 ? 403 : 401 }],
        options: (profile) => (profile === 3 ? { connect: { tls: ca } } : { basicAuth: null }),
      };
    case 'legacy-subprotocol':
      return {
        frame: `upgrade offering ${String(env.params.subprotocol)}`,
        expect: [{ kind: 'handshake', value: 'no-subprotocol' }],
        options: () => ({ protocols: [String(env.params.subprotocol)] }),
      };
    case 'cleartext':
      return {
        frame: 'ws:// upgrade to the TLS endpoint',
        expect: [{ kind: 'handshake', value: ['closed', 'tls-refused'] }],
        options: () => ({ target: env.ctx.target.replace(/^wss:/, 'ws:') }),
      };
    case 'tls1.1':
      return {
        frame: 'TLS 1.1 handshake',
        expect: [{ kind: 'handshake', value: 'tls-refused' }],
        // The version is refused before any certificate matters (profile 3 included).
        options: () => ({ connect: { tls: { ...ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } } }),
      };
    default:
      throw new Error(`A14: unknown mode ${mode}`);
  }
}

/** What the attempt ran into, as reaction facets (null: nothing recognisable, e.g. a timeout). */
export function observed(res: RogueOpen): { atMs: number; reactions: Reaction[] } | null {
  if (res.ok) return { atMs: res.atMs, reactions: [{ kind: 'http', value: 101 }] };
  const r = handshakeReaction(res);
  return r ? { atMs: res.atMs, reactions: [r] } : null;
}

function handshakeReaction(res: Extract<RogueOpen, { ok: false }>): Reaction | null {
  if (res.status !== undefined) return { kind: 'http', value: res.status };
  switch (res.kind) {
    case 'tls': return { kind: 'handshake', value: 'tls-refused' };
    case 'no-subprotocol': return { kind: 'handshake', value: 'no-subprotocol' };
    case 'error': return { kind: 'handshake', value: 'closed' };
    default: return null;
  }
}
