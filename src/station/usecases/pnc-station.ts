/**
 * Station-wide Plug & Charge state (FLOWS.md §4.2-§4.4): the certificate store (CA roots installed by the CSMS,
 * the station's own certificates), the certificate signing flow (key pair + real PKCS#10 CSR → SignCertificate →
 * CertificateSigned, verified against the installed root, with CertSigningWaitMinimum retries), OCSP status of
 * its own chain, and the contract certificates of the EVs that visit it. Kept beside the Station (a WeakMap), so
 * station.ts carries no use-case fields; a key pair exists only while a signing request is open.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Rng, mixSeed } from '../../util/rng.js';
import type { TimelineTarget } from '../../util/timeline.js';
import { encodeExiRequest } from '../../ocpp/pki/exi.js';
import { parseOcspResponse } from '../../ocpp/pki/ocsp.js';
import type { Payload } from '../../ocpp/session.js';
import {
  buildCsr, fromPem, hashDataOf, parseCertificate, sameHashData, signedBy, spkiOf, toPem, type CertificateHashData, type ParsedCertificate,
} from '../../ocpp/pki/x509.js';
import type { Station } from '../station.js';
import { contractEmaid, contractFromExi, type Contract } from './pnc-contracts.js';

/** SignCertificateRequest.certificateType; undefined = a combined certificate (SignCombinedCertificate). */
export type SignUse = 'ChargingStationCertificate' | 'V2GCertificate' | 'V2G20Certificate' | undefined;

const ISO2_SCHEMA = 'urn:iso:15118:2:2013:MsgDef';
const ISO20_SCHEMA = 'urn:iso:std:iso:15118:-20:CommonMessages';
const ROOT_TYPES = ['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'ManufacturerRootCertificate', 'OEMRootCertificate'] as const;
/** A small store: a real station has room for a handful of roots per type. */
const MAX_ROOTS = 8;
const T_SIGN_RETRY = 1;

interface PendingSign {
  readonly requestId: number;
  readonly use: SignUse;
  readonly csr: string;
  /** SPKI of the key in the CSR: the certificate that comes back must be for it. */
  readonly spki: Buffer;
  attempts: number;
  timer: number;
}

const useKey = (u: SignUse): string => u ?? 'Combined';

// CA certificates (roots, sub-CAs of the chains) are the same for the whole fleet: parsed once, shared.
const CAS = new Map<string, ParsedCertificate>();

function sharedCa(der: Buffer): ParsedCertificate {
  const k = der.toString('base64');
  const hit = CAS.get(k);
  if (hit) return hit;
  const c = parseCertificate(Buffer.from(der));
  if (CAS.size < 256) CAS.set(k, c);
  return c;
}
const rootTypeFor = (u: SignUse): string => (u === 'V2GCertificate' || u === 'V2G20Certificate' ? 'V2GRootCertificate' : 'CSMSRootCertificate');

export class PncStation implements TimelineTarget {
  readonly st: Station;
  /** InstallCertificate: CA roots by certificate type. */
  readonly roots = new Map<string, ParsedCertificate[]>();
  /** CertificateSigned: the station's own chains (leaf first) by use (`Combined` for a combined one). */
  readonly own = new Map<string, ParsedCertificate[]>();
  /** Installed contract chains of the EVs that visit this station, by slot (stations[].pnc.contracts). */
  readonly contracts: (Contract | undefined)[];
  /** ISO15118Ctrlr.CentralContractValidationAllowed (not in the device model yet: drawn per station from the scenario). */
  readonly centralValidation: boolean;
  private readonly installing = new Map<number, Promise<Contract | null>>();
  private pending: PendingSign[] = [];
  private nextRequestId = 1;

  constructor(st: Station) {
    this.st = st;
    const pnc = st.plan.group.pnc;
    this.contracts = new Array<Contract | undefined>(pnc?.contracts ?? 1);
    const drawn = new Rng(mixSeed(st.ctx.spec.seed, st.plan.index, 0x15118)).next() < (pnc?.centralValidationRatio ?? 0);
    this.centralValidation = st.dm.bool('ISO15118Ctrlr', 'CentralContractValidationAllowed', drawn);
  }

  private count(name: string): void { this.st.ctx.sink.count(name); }

  // ------------------------------------------------------------------------------------------- contracts

  /**
   * The EV's contract in `slot`, installed through the CSMS on its first visit (Get15118EVCertificate Install,
   * FLOWS.md §4.2; then, on 2.1, GetCertificateChainStatus for it). Null when it could not be installed.
   */
  contract(slot: number, iso20: boolean): Promise<Contract | null> {
    const have = this.contracts[slot];
    if (have) return Promise.resolve(have);
    let p = this.installing.get(slot);
    if (!p) {
      p = this.install(slot, iso20).finally(() => this.installing.delete(slot));
      this.installing.set(slot, p);
    }
    return p;
  }

  private async install(slot: number, iso20: boolean): Promise<Contract | null> {
    const st = this.st;
    const emaid = contractEmaid(st.ctx.spec.seed, st.plan.index, slot);
    const req: Payload = { iso15118SchemaVersion: iso20 ? ISO20_SCHEMA : ISO2_SCHEMA, action: 'Install', exiRequest: encodeExiRequest(emaid, iso20 ? 20 : 2) };
    // 2.1: required in an ISO 15118-20 session (callers pass iso20 only on 2.1).
    if (iso20) req.maximumContractCertificateChains = 1;
    const out = await st.call('Get15118EVCertificate', req);
    const c = out.ok && out.payload.status === 'Accepted'
      ? contractFromExi(emaid, out.payload.exiResponse, this.roots.get('MORootCertificate') ?? [], this.centralValidation) : null;
    if (!c) { this.count('pnc_contract_install_failed'); return null; }
    this.contracts[slot] = c;
    this.count('pnc_contracts_installed');
    if (st.version === '2.1') await this.chainStatus(c);
    else this.count('usecase_skipped_201');
    return c;
  }

  /**
   * GetCertificateChainStatus (2.1, FLOWS.md §4.3) for a newly installed contract chain. The station reports what it
   * learns and leaves the decision to the CSMS's Authorize, so the CSMS's refusal paths are the ones exercised.
   */
  private async chainStatus(c: Contract): Promise<void> {
    const out = await this.st.call('GetCertificateChainStatus', {
      certificateStatusRequests: c.hashData.map((h) => ({
        certificateHashData: { hashAlgorithm: h.hashAlgorithm, issuerNameHash: h.issuerNameHash, issuerKeyHash: h.issuerKeyHash, serialNumber: h.serialNumber },
        source: 'OCSP', urls: [h.responderURL],
      })),
    });
    const s = out.ok ? (out.payload.certificateStatus as Payload[] | undefined)?.[0]?.status : undefined;
    this.count(s === 'Good' ? 'pnc_chain_status_good' : s === 'Revoked' ? 'pnc_chain_status_revoked' : 'pnc_chain_status_other');
  }

  // ------------------------------------------------------------------------------------ station certificates

  /** After boot: an ISO 15118 station without an SECC certificate asks for one (FLOWS.md §4.4). */
  ensureV2gCertificate(): void {
    if (!this.own.has('V2GCertificate') && !this.pending.some((p) => p.use === 'V2GCertificate')) void this.requestCertificate('V2GCertificate');
  }

  /** A new key pair and CSR (CN = serial number, O = SecurityCtrlr.OrganizationName) → SignCertificate. */
  async requestCertificate(use: SignUse): Promise<void> {
    const st = this.st;
    if (!st.online) return;
    if (use === 'V2G20Certificate' && st.version !== '2.1') { this.count('usecase_skipped_201'); return; }
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const org = st.dm.value('SecurityCtrlr', 'OrganizationName') || 'chargestorm';
    const csr = toPem(buildCsr([['CN', st.identity.serialNumber], ['O', org]], publicKey, privateKey), 'CERTIFICATE REQUEST');
    // A new request of the same kind replaces the open one (its late CertificateSigned is then Rejected).
    for (const p of this.pending) if (p.use === use) st.ctx.timeline.cancel(p.timer);
    this.pending = this.pending.filter((p) => p.use !== use);
    const p: PendingSign = { requestId: this.nextRequestId++, use, csr, spki: spkiOf(publicKey), attempts: 0, timer: -1 };
    this.pending.push(p);
    await this.sendCsr(p);
  }

  private async sendCsr(p: PendingSign): Promise<void> {
    const st = this.st;
    const req: Payload = { csr: p.csr };
    if (p.use !== undefined) req.certificateType = p.use;
    if (st.version === '2.1') req.requestId = p.requestId;
    const out = await st.call('SignCertificate', req);
    if (!this.pending.includes(p)) return;
    if (out.ok && out.payload.status !== 'Accepted') {
      this.count('csr_rejected');
      this.pending = this.pending.filter((x) => x !== p);
      return;
    }
    // No CertificateSigned within CertSigningWaitMinimum → resend, doubling the wait (A02.FR.17-19).
    const waitS = st.dm.int('SecurityCtrlr', 'CertSigningWaitMinimum', 30) * 2 ** p.attempts;
    p.timer = st.ctx.timeline.after(waitS * 1000, this, T_SIGN_RETRY, p.requestId);
  }

  onTimer(kind: number, requestId: number): void {
    if (kind !== T_SIGN_RETRY) return;
    const p = this.pending.find((x) => x.requestId === requestId);
    if (!p) return;
    if (this.st.link === 'stopped' || this.st.draining) { this.pending = this.pending.filter((x) => x !== p); return; }
    if (p.attempts >= this.st.dm.int('SecurityCtrlr', 'CertSigningRepeatTimes', 3) || !this.st.online) {
      this.count('certificate_sign_gave_up');
      this.pending = this.pending.filter((x) => x !== p);
      return;
    }
    p.attempts++;
    this.count('certificate_sign_retries');
    void this.sendCsr(p);
  }

  /**
   * CertificateSigned (A02/A03): matched to the open request by requestId (2.1; an unknown one is Rejected) or by
   * type; the chain must be for our key, each link signed by the next, the top by an installed root of the right
   * type, all within their validity. Accepted → installed, then OCSP for it; otherwise Rejected and a
   * SecurityEventNotification InvalidChargingStationCertificate.
   */
  certificateSigned(p: Payload): Payload {
    const st = this.st;
    const pend = typeof p.requestId === 'number'
      ? this.pending.find((x) => x.requestId === p.requestId)
      : this.pending.find((x) => x.use === p.certificateType) ?? (p.certificateType === undefined ? this.pending[0] : undefined);
    if (!pend) {
      this.count('certificates_rejected');
      return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownRequest', additionalInfo: 'no open SignCertificate request matches' } };
    }
    const roots = this.roots.get(rootTypeFor(pend.use)) ?? [];
    const why = this.verifyChain(p.certificateChain, pend.spki, roots);
    if (typeof why === 'string') {
      this.count('certificates_rejected');
      queueMicrotask(() => void st.call('SecurityEventNotification', { type: 'InvalidChargingStationCertificate', timestamp: st.now(), techInfo: why.slice(0, 255) }));
      return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCertificate', additionalInfo: why.slice(0, 500) } };
    }
    st.ctx.timeline.cancel(pend.timer);
    this.pending = this.pending.filter((x) => x !== pend);
    this.own.set(useKey(pend.use), why);
    this.count('certificates_signed');
    queueMicrotask(() => void this.checkOcsp(why, roots));
    return { status: 'Accepted' };
  }

  private verifyChain(text: unknown, spki: Buffer, roots: readonly ParsedCertificate[]): ParsedCertificate[] | string {
    let chain: ParsedCertificate[];
    try {
      chain = typeof text === 'string' ? fromPem(text, 'CERTIFICATE').map((d, i) => (i === 0 ? parseCertificate(d) : sharedCa(d))) : [];
    } catch {
      return 'unreadable certificate chain';
    }
    if (chain.length === 0) return 'no certificate in the chain';
    if (!chain[0]!.spki.equals(spki)) return 'the certificate is not for the key of our CSR';
    const now = this.st.nowMs();
    for (let i = 0; i < chain.length; i++) {
      const c = chain[i]!;
      if (c.notAfterMs < now || c.notBeforeMs > now) return `certificate ${i} is outside its validity`;
      const up = chain[i + 1] ?? roots.find((r) => r.subjectName.equals(c.issuerName));
      if (!up) return roots.length === 0 ? 'no root of this type is installed' : 'the chain does not end at an installed root';
      if (!signedBy(c, up)) return `certificate ${i} is not signed by its issuer`;
    }
    return chain;
  }

  /** GetCertificateStatus for each certificate of our new chain (FLOWS.md §4.3), checking the signed answer. */
  private async checkOcsp(chain: readonly ParsedCertificate[], roots: readonly ParsedCertificate[]): Promise<void> {
    for (let i = 0; i < chain.length; i++) {
      const c = chain[i]!;
      const issuer = chain[i + 1] ?? roots.find((r) => r.subjectName.equals(c.issuerName));
      if (!issuer || !this.st.online) return;
      const h = hashDataOf(c, issuer.spki);
      const out = await this.st.call('GetCertificateStatus', { ocspRequestData: { ...h, responderURL: c.ocspUrl ?? 'http://ocsp.invalid/' } });
      this.count(ocspCounter(out.ok ? out.payload : undefined, h, issuer.spki));
    }
  }

  // ------------------------------------------------------------------------------------------ M03-M05 store

  /** InstallCertificate (M05): a self-signed CA certificate in its validity is stored under its type. */
  installCertificate(p: Payload): Payload {
    let c: ParsedCertificate | undefined;
    try {
      const der = fromPem(String(p.certificate), 'CERTIFICATE')[0];
      c = der ? sharedCa(der) : undefined;
    } catch {
      c = undefined;
    }
    const now = this.st.nowMs();
    if (!c || !c.ca || !signedBy(c, c) || c.notAfterMs < now) return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCertificate' } };
    const list = this.roots.get(p.certificateType) ?? [];
    if (list.some((r) => r.der.equals(c.der))) return { status: 'Accepted' };
    if (list.length >= MAX_ROOTS) return { status: 'Failed', statusInfo: { reasonCode: 'CertificateStoreFull' } };
    list.push(c);
    this.roots.set(p.certificateType, list);
    this.count('roots_installed');
    return { status: 'Accepted' };
  }

  /** GetInstalledCertificateIds (M03): roots by type, and the V2G chains with their sub-CAs as children. */
  installedCertificateIds(p: Payload): Payload {
    const types: string[] = Array.isArray(p.certificateType) ? p.certificateType : [...ROOT_TYPES, 'V2GCertificateChain'];
    const out: Payload[] = [];
    for (const type of types) {
      if (type === 'V2GCertificateChain') {
        for (const use of ['V2GCertificate', 'V2G20Certificate']) {
          const chain = this.own.get(use);
          if (!chain) continue;
          const [leaf, ...subs] = this.chainHashData(chain);
          if (!leaf) continue;
          out.push(subs.length > 0 ? { certificateType: type, certificateHashData: leaf, childCertificateHashData: subs.slice(0, 4) } : { certificateType: type, certificateHashData: leaf });
        }
      } else {
        for (const r of this.roots.get(type) ?? []) out.push({ certificateType: type, certificateHashData: hashDataOf(r, r.spki) });
      }
    }
    // OEMRootCertificate is 2.1-only: a 2.0.1 station never stores one (its InstallCertificate cannot carry it).
    return out.length > 0 ? { status: 'Accepted', certificateHashDataChain: out } : { status: 'NotFound' };
  }

  /** DeleteCertificate (M04): a root or a V2G certificate by hash data; our own CSMS certificate → Failed. */
  deleteCertificate(p: Payload): Payload {
    const want = p.certificateHashData as Payload;
    for (const [type, list] of this.roots) {
      const i = list.findIndex((r) => sameHashData(hashDataOf(r, r.spki), want));
      if (i >= 0) { list.splice(i, 1); if (list.length === 0) this.roots.delete(type); return { status: 'Accepted' }; }
    }
    for (const [use, chain] of this.own) {
      const leaf = this.chainHashData(chain)[0];
      if (!leaf || !sameHashData(leaf, want)) continue;
      // The certificate the station uses towards the CSMS cannot be deleted (M04.FR.06).
      if (use === 'ChargingStationCertificate' || use === 'Combined') return { status: 'Failed' };
      this.own.delete(use);
      return { status: 'Accepted' };
    }
    return { status: 'NotFound' };
  }

  private chainHashData(chain: readonly ParsedCertificate[]): CertificateHashData[] {
    const out: CertificateHashData[] = [];
    const roots = this.roots.get('V2GRootCertificate') ?? [];
    for (let i = 0; i < chain.length; i++) {
      const c = chain[i]!;
      const issuer = chain[i + 1] ?? roots.find((r) => r.subjectName.equals(c.issuerName));
      if (!issuer) break;
      out.push(hashDataOf(c, issuer.spki));
    }
    return out;
  }
}

function ocspCounter(res: Payload | undefined, h: CertificateHashData, issuerSpki: Buffer): string {
  if (!res || res.status !== 'Accepted' || typeof res.ocspResult !== 'string') return 'ocsp_failed';
  try {
    const r = parseOcspResponse(Buffer.from(res.ocspResult, 'base64'));
    if (r.responseStatus !== 0 || r.serialNumber !== h.serialNumber || r.issuerKeyHash !== h.issuerKeyHash || !r.signatureValid(issuerSpki)) return 'ocsp_failed';
    return r.certStatus === 'good' ? 'ocsp_good' : r.certStatus === 'revoked' ? 'ocsp_revoked' : 'ocsp_unknown';
  } catch {
    return 'ocsp_failed';
  }
}

const STATIONS = new WeakMap<Station, PncStation>();

/** The Plug & Charge state of a station (created on first use). */
export function pncStation(st: Station): PncStation {
  let s = STATIONS.get(st);
  if (!s) STATIONS.set(st, (s = new PncStation(st)));
  return s;
}
