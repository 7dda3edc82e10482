import { issueCertificate } from '../../ocpp/tls.js';
import type { ScenarioSpec } from '../../scenario/spec.js';
import type { Station } from '../../station/station.js';
import type { AttackEnv } from '../env.js';
import type { AttackImpl } from '../types.js';
import { randomIdentity } from '../tokens.js';
import { reactionsOf } from '../reactions.js';
import { attackSource } from './source.js';

const DAY = 86_400_000;
/** How long a duplicate socket waits for the CSMS to close it before it counts as kept. */
const DUPLICATE_WAIT_MS = 3_000;

/**
 * A03 station impersonation (ATTACKS.md §3), three modes:
 * - `duplicate-connection`: a second socket with the online station's identity and credentials (stolen), `rate`/s.
 *   Expected (the embedded CSMS's documented policy, docs/csms-detector.md): the newcomer is closed with 1008.
 * - `boot-fingerprint`: the station reboots and boots with another serial number and model (a clone on other
 *   hardware); it keeps trying at the CSMS's retry interval until the instance ends. Expected: BootNotification
 *   Rejected. Afterwards it boots with its own fingerprint again.
 * - `certificate-cn` (profile 3): upgrades with the station's identity and a certificate from the scenario's
 *   issuing CA whose CN is another serial number, `rate`/s. Expected: HTTP 403.
 */
export const A03: AttackImpl = {
  type: 'A03',
  title: 'station impersonation',
  problem(spec, entry) {
    if (entry.params.mode !== 'certificate-cn') return undefined;
    return certificateProblem(spec);
  },
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const src = attackSource(env, st);
    switch (env.params.mode as string) {
      case 'duplicate-connection': return duplicate(env, st, src.localAddress);
      case 'boot-fingerprint': return bootFingerprint(env, st);
      case 'certificate-cn': return certificateCn(env, st, src.localAddress);
      default: throw new Error(`A03: unknown mode ${String(env.params.mode)}`);
    }
  },
};

/** Why certificate-based modes (A03 certificate-cn) cannot run: they need profile 3 and a CA that issues station certificates. */
export function certificateProblem(spec: ScenarioSpec): string | undefined {
  if (spec.security.profile !== 3) return 'mode certificate-cn needs security profile 3 (client certificates)';
  if (spec.security.clientCert) return 'mode certificate-cn needs a CA issuing station certificates (issuerCert/issuerKey, or the embedded CSMS), not per-station files';
  return undefined;
}

async function duplicate(env: AttackEnv, st: Station, localAddress: string | undefined): Promise<void> {
  const expect = [{ kind: 'close' as const, value: 1008 }];
  const waits: Promise<void>[] = [];
  await env.every(env.rate, async () => {
    if (!st.online) return; // a duplicate only while the real one is connected
    const sentMs = env.nowMs();
    env.malicious(sentMs);
    const res = await env.rogue({ identity: st.id, serialNumber: st.identity.serialNumber, ...(localAddress ? { localAddress } : {}) });
    env.count('a03_duplicates');
    if (!res.ok) {
      // Refused at the upgrade: a policy this expectation does not name (recorded as observed).
      env.reaction('duplicate connection', sentMs, expect, res.status !== undefined ? { atMs: res.atMs, reactions: [{ kind: 'http', value: res.status }] } : null);
      return;
    }
    const r = res.rogue;
    waits.push(r.closed(DUPLICATE_WAIT_MS).then((code) => {
      env.reaction('duplicate connection', sentMs, expect, code === null ? null : { atMs: r.closeAtMs, reactions: [{ kind: 'close', value: code }] });
      if (code === null) r.close();
    }));
  });
  await Promise.all(waits);
}

async function bootFingerprint(env: AttackEnv, st: Station): Promise<void> {
  const prev = st.hooks;
  const fake = { serialNumber: `SN${randomIdentity(env.rng).slice(3)}`, model: `X${st.identity.model}`.slice(0, 20) };
  let sentMs = 0;
  const expect = [{ kind: 'status' as const, value: 'Rejected' }];
  st.hooks = {
    ...prev,
    bootRequest: (p) => {
      prev.bootRequest?.(p);
      if (!env.active) return;
      p.chargingStation = { ...p.chargingStation, ...fake };
      sentMs = env.nowMs();
      env.malicious(sentMs);
      env.count('a03_boots');
    },
    bootAnswered: (p, out) => {
      prev.bootAnswered?.(p, out);
      if (sentMs === 0) return;
      const r = reactionsOf(out);
      env.reaction('BootNotification', sentMs, expect, r ? { atMs: env.nowMs(), reactions: r } : null);
      sentMs = 0;
    },
  };
  try {
    st.reboot('Unknown');
    await env.waitFor(() => false);
  } finally {
    st.hooks = prev;
  }
}

async function certificateCn(env: AttackEnv, st: Station, localAddress: string | undefined): Promise<void> {
  const security = env.ctx.spec.security;
  if (!security.issuer) throw new Error('A03 certificate-cn: no issuing CA (issuerCert/issuerKey) in this run');
  const now = Date.now();
  const other = `SN${randomIdentity(env.rng).slice(3)}`;
  // A genuine certificate of the operator's CA, but for another station's serial number (stolen or mis-issued).
  const cert = issueCertificate({ certPem: security.issuer.cert, keyPem: security.issuer.key }, {
    subject: [['CN', other], ['O', security.organization ?? 'chargestorm CSO']], notBeforeMs: now - DAY, notAfterMs: now + 30 * DAY,
  });
  const tls = { ...(security.ca !== undefined ? { ca: security.ca } : {}), cert: cert.certPem, key: cert.keyPem };
  const expect = [{ kind: 'http' as const, value: 403 }];
  await env.every(env.rate, async () => {
    const sentMs = env.nowMs();
    env.malicious(sentMs);
    const res = await env.rogue({ identity: st.id, connect: { tls }, ...(localAddress ? { localAddress } : {}) });
    env.count('a03_certificates');
    if (res.ok) {
      env.reaction('upgrade', sentMs, expect, { atMs: res.atMs, reactions: [{ kind: 'http', value: 101 }] });
      res.rogue.close();
      return;
    }
    env.reaction('upgrade', sentMs, expect, res.status !== undefined ? { atMs: res.atMs, reactions: [{ kind: 'http', value: res.status }] } : null);
  });
}
