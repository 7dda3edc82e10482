/**
 * The embedded CSMS's test PKI for ISO 15118 Plug & Charge (FLOWS.md §4): real X.509 certificates (ECDSA P-256,
 * built with ocpp/pki/x509.ts and node:crypto), in the ISO 15118-2 hierarchy:
 *
 *   V2G Root ── CPO Sub-CA 1 ── CPO Sub-CA 2 ── SECC leaf (V2GCertificate / V2G20Certificate, from a station CSR)
 *   MO Root  ── MO Sub-CA 1  ── MO Sub-CA 2  ── contract leaf (CN = eMAID, Get15118EVCertificate)
 *   CSMS Root ───────────────────────────────── ChargingStationCertificate (from a station CSR)
 *
 * CA keys derive from the seed (keys.ts), so every process of a run and a test that rebuilds the PKI agree on
 * issuer hashes. Revocation and expiry: a contract's fate (valid / revoked / expired, drawn from the scenario's
 * `csms.pki` fractions by eMAID) is written into its serial number's first byte and its validity dates, so any
 * process decides a presented contract alike without a shared registry; `revoke()` adds explicit entries.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import {
  buildCertificate, encodeName, fromPem, hashDataOf, parseCertificate, parseCsr, publicKeyBits, serialHexOf, signedBy, toPem,
  type CertificateHashData, type NameAttrs, type ParsedCertificate,
} from '../../ocpp/pki/x509.js';
import { buildOcspResponse, type OcspCertStatus } from '../../ocpp/pki/ocsp.js';
import { seededBytes, seededKeyPair } from './keys.js';

export type ContractFate = 'valid' | 'revoked' | 'expired';
export type CertificateUse = 'ChargingStationCertificate' | 'V2GCertificate' | 'V2G20Certificate';
export type RootType = 'V2GRootCertificate' | 'MORootCertificate' | 'CSMSRootCertificate';
/** AuthorizeResponse.certificateStatus. */
export type ContractStatus = 'Accepted' | 'SignatureError' | 'CertificateExpired' | 'CertificateRevoked' | 'CertChainError';

export interface PkiOptions {
  seed: number;
  /** Share of contracts issued revoked / expired (0..1, together ≤ 1). */
  revokedContracts?: number;
  expiredContracts?: number;
  nowMs?: () => number;
}

/** One CA of the hierarchy. */
export interface CaEntry {
  readonly label: string;
  readonly key: KeyObject;
  readonly cert: ParsedCertificate;
  readonly pem: string;
  /** The CA that signed it; null for a root. */
  readonly issuer: CaEntry | null;
  /** Its own hash data (as its issuer names it). */
  readonly hashData: CertificateHashData;
}

/** The OCSP responder every certificate of this PKI names (Authority Information Access). */
export const OCSP_URL = 'http://ocsp.pki.chargestorm.test/';

const ROOT_FROM = Date.UTC(2024, 0, 1);
const ROOT_TO = Date.UTC(2054, 0, 1);
const DAY = 86_400_000;
const YEAR = 365 * DAY;
// First serial byte: what kind of certificate this PKI issued (and, for contracts, its fate).
const CONTRACT = 0x40;
const FATE_CODE: Readonly<Record<ContractFate, number>> = { valid: 0, revoked: 1, expired: 2 };
const STATION = 0x50;
/** Serial numbers of this PKI's CA certificates (first byte 0x10, 8 bytes). */
const CA_SERIAL = /^10[0-9a-f]{14}$/;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function normEmaid(s: string): string { return s.replace(/[-\s]/g, '').toUpperCase(); }
function low(v: unknown): string { return typeof v === 'string' ? v.toLowerCase() : ''; }
function normSerial(v: unknown): string { return low(v).replace(/^0+(?=.)/, ''); }

/** Result of signing a station's CSR (SignCertificate → CertificateSigned). */
export type SignResult =
  | { ok: true; chainPem: string; leaf: ParsedCertificate; root: CaEntry; rootType: RootType }
  | { ok: false; reason: string };
export type SignResultOk = Extract<SignResult, { ok: true }>;

export class TestPki {
  readonly v2gRoot: CaEntry;
  readonly cpoSub1: CaEntry;
  readonly cpoSub2: CaEntry;
  readonly moRoot: CaEntry;
  readonly moSub1: CaEntry;
  readonly moSub2: CaEntry;
  readonly csmsRoot: CaEntry;
  /** Certificates issued since start. */
  contractsIssued = 0;
  stationCertificatesIssued = 0;
  private readonly seed: number;
  private readonly revokedShare: number;
  private readonly expiredShare: number;
  private readonly now: () => number;
  /** `issuerNameHash|issuerKeyHash` of certificates a CA signed → that CA. */
  private readonly byIssuer = new Map<string, CaEntry>();
  /** Explicitly revoked serials (OCPP hex) → when. */
  private readonly revoked = new Map<string, number>();
  /** Recent OCSP responses about the CA certificates. */
  private readonly caOcsp = new Map<string, { der: Buffer; untilMs: number }>();

  constructor(o: PkiOptions) {
    this.seed = o.seed;
    this.revokedShare = o.revokedContracts ?? 0;
    this.expiredShare = o.expiredContracts ?? 0;
    this.now = o.nowMs ?? Date.now;
    this.v2gRoot = this.ca('v2g-root', [['CN', 'chargestorm V2G Root CA'], ['O', 'chargestorm test PKI'], ['DC', 'V2G']], null, 2);
    this.cpoSub1 = this.ca('cpo-sub1', [['CN', 'chargestorm CPO Sub-CA 1'], ['O', 'chargestorm test PKI'], ['DC', 'CPO']], this.v2gRoot, 1);
    this.cpoSub2 = this.ca('cpo-sub2', [['CN', 'chargestorm CPO Sub-CA 2'], ['O', 'chargestorm test PKI'], ['DC', 'CPO']], this.cpoSub1, 0);
    this.moRoot = this.ca('mo-root', [['CN', 'chargestorm MO Root CA'], ['O', 'chargestorm test PKI'], ['DC', 'MO']], null, 2);
    this.moSub1 = this.ca('mo-sub1', [['CN', 'chargestorm MO Sub-CA 1'], ['O', 'chargestorm test PKI'], ['DC', 'MO']], this.moRoot, 1);
    this.moSub2 = this.ca('mo-sub2', [['CN', 'chargestorm MO Sub-CA 2'], ['O', 'chargestorm test PKI'], ['DC', 'MO']], this.moSub1, 0);
    this.csmsRoot = this.ca('csms-root', [['CN', 'chargestorm CSMS Root CA'], ['O', 'chargestorm test PKI']], null, 0);
  }

  private ca(label: string, subject: NameAttrs, issuer: CaEntry | null, pathLen: number): CaEntry {
    const kp = seededKeyPair(this.seed, label);
    const serial = Buffer.concat([Buffer.from([0x10]), seededBytes(this.seed, `serial:${label}`, 7)]);
    const der = buildCertificate({
      serial, subject, issuerName: issuer ? issuer.cert.subjectName : encodeName(subject), spki: kp.spki,
      issuerSpki: issuer ? issuer.cert.spki : kp.spki, notBeforeMs: ROOT_FROM, notAfterMs: ROOT_TO, ca: true, pathLen,
      ...(issuer ? { ocspUrl: OCSP_URL } : {}),
    }, issuer ? issuer.key : kp.privateKey);
    const cert = parseCertificate(der);
    const e: CaEntry = {
      label, key: kp.privateKey, cert, pem: toPem(der, 'CERTIFICATE'), issuer, hashData: hashDataOf(cert, issuer ? issuer.cert.spki : kp.spki),
    };
    this.byIssuer.set(`${sha256(cert.subjectName)}|${sha256(publicKeyBits(cert.spki))}`, e);
    return e;
  }

  /** The root an InstallCertificate of `type` carries. */
  root(type: RootType): CaEntry {
    return type === 'V2GRootCertificate' ? this.v2gRoot : type === 'MORootCertificate' ? this.moRoot : this.csmsRoot;
  }

  // ------------------------------------------------------------------------------------------- contracts

  /** The fate of the contract `emaid` under this run's seed and shares. */
  contractFate(emaid: string): ContractFate {
    const u = seededBytes(this.seed, `fate:${normEmaid(emaid)}`, 4).readUInt32BE(0) / 2 ** 32;
    return u < this.revokedShare ? 'revoked' : u < this.revokedShare + this.expiredShare ? 'expired' : 'valid';
  }

  /** The serial number of the contract certificate for `emaid` (its first byte says its fate). */
  contractSerial(emaid: string): Buffer {
    const id = normEmaid(emaid);
    return Buffer.concat([Buffer.from([CONTRACT | FATE_CODE[this.contractFate(id)]]), seededBytes(this.seed, `contract:${id}`, 11)]);
  }

  /**
   * Issues the contract certificate of `emaid` (ISO 15118 CertificateInstallation): DER chain, leaf first, with
   * the MO sub-CAs. A revoked contract is a normal certificate whose serial the PKI reports revoked; an expired
   * one ended yesterday.
   */
  issueContract(emaid: string): { chain: Buffer[]; fate: ContractFate; serialNumber: string } {
    const id = normEmaid(emaid);
    const fate = this.contractFate(id);
    const now = Math.floor(this.now() / 1000) * 1000;
    const kp = seededKeyPair(this.seed, `contract-key:${id}`);
    const serial = this.contractSerial(id);
    const der = buildCertificate({
      serial, subject: [['CN', id], ['O', 'chargestorm MO'], ['DC', 'MO']], issuerName: this.moSub2.cert.subjectName,
      spki: kp.spki, issuerSpki: this.moSub2.cert.spki, ca: false, ocspUrl: OCSP_URL,
      notBeforeMs: fate === 'expired' ? now - 2 * YEAR : now - DAY, notAfterMs: fate === 'expired' ? now - DAY : now + 2 * YEAR,
    }, this.moSub2.key);
    this.contractsIssued++;
    return { chain: [der, this.moSub2.cert.der, this.moSub1.cert.der], fate, serialNumber: serialHexOf(serial) };
  }

  /**
   * Checks a contract presented in Authorize (C07, FLOWS.md §4.1): by hash data (an OCSP-style lookup: issuers
   * must be this PKI's MO CAs, the leaf must be this eMAID's contract) or by PEM chain (signatures up to the MO
   * root, validity dates, CN = eMAID), then revocation.
   */
  contractStatus(emaid: string, hashData: unknown, certificatePem: unknown): ContractStatus {
    if (typeof certificatePem === 'string') return this.chainStatus(emaid, certificatePem);
    if (!Array.isArray(hashData) || hashData.length === 0) return 'CertChainError';
    let leaf: Record<string, unknown> | undefined;
    for (const h of hashData as Record<string, unknown>[]) {
      if (low(h?.hashAlgorithm) !== 'sha256') return 'CertChainError';
      const issuer = this.byIssuer.get(`${low(h.issuerNameHash)}|${low(h.issuerKeyHash)}`);
      if (!issuer) return 'CertChainError';
      if (issuer === this.moSub2) { leaf = h; continue; }
      // A sub-CA entry must be this PKI's own CA certificate.
      if (![this.moSub1, this.moSub2].some((c) => c.issuer === issuer && c.cert.serialHex === normSerial(h.serialNumber))) return 'CertChainError';
    }
    if (!leaf || normSerial(leaf.serialNumber) !== serialHexOf(this.contractSerial(emaid))) return 'CertChainError';
    const serial = normSerial(leaf.serialNumber);
    if (this.revoked.has(serial) || this.fateOfSerial(serial) === 'revoked') return 'CertificateRevoked';
    return this.fateOfSerial(serial) === 'expired' ? 'CertificateExpired' : 'Accepted';
  }

  private chainStatus(emaid: string, pem: string): ContractStatus {
    let certs: ParsedCertificate[];
    try {
      certs = fromPem(pem, 'CERTIFICATE').map(parseCertificate);
    } catch {
      return 'CertChainError';
    }
    if (certs.length === 0) return 'CertChainError';
    const trusted = [this.moRoot, this.v2gRoot];
    for (let i = 0; i < certs.length; i++) {
      const c = certs[i]!;
      const up = certs[i + 1] ?? trusted.find((t) => t.cert.subjectName.equals(c.issuerName))?.cert;
      if (!up) return 'CertChainError';
      if (!signedBy(c, up)) return c.issuerName.equals(up.subjectName) ? 'SignatureError' : 'CertChainError';
      if (i === certs.length - 1 && !trusted.some((t) => t.cert.spki.equals(up.spki))) return 'CertChainError';
    }
    const leaf = certs[0]!;
    if (normEmaid(leaf.subject.CN ?? '') !== normEmaid(emaid)) return 'CertChainError';
    const now = this.now();
    if (certs.some((c) => c.notAfterMs < now || c.notBeforeMs > now)) return 'CertificateExpired';
    if (this.revoked.has(leaf.serialHex) || this.fateOfSerial(leaf.serialHex) === 'revoked') return 'CertificateRevoked';
    return 'Accepted';
  }

  private fateOfSerial(serialHex: string): ContractFate | undefined {
    if (serialHex.length !== 24) return undefined;
    const b = parseInt(serialHex.slice(0, 2), 16);
    if ((b & 0xf0) !== CONTRACT) return undefined;
    return (['valid', 'revoked', 'expired'] as const)[b & 0x0f];
  }

  // -------------------------------------------------------------------------------------- station certificates

  /**
   * Signs a station's CSR (A02/A03, FLOWS.md §4.4): PEM or bare base64 PKCS#10 whose self-signature verifies,
   * CN = the serial number the station booted with (when known) and an O. V2G certificates are issued by CPO
   * Sub-CA 2 (chain: leaf, Sub-CA 2, Sub-CA 1 under the V2G root); ChargingStationCertificate (or no type: a
   * combined one) by the CSMS root.
   */
  signCsr(csr: unknown, use: CertificateUse | undefined, expectedSerial: string | undefined): SignResult {
    if (typeof csr !== 'string') return { ok: false, reason: 'no CSR' };
    let parsed;
    try {
      const der = fromPem(csr, 'CERTIFICATE REQUEST')[0] ?? Buffer.from(csr.replace(/\s+/g, ''), 'base64');
      parsed = parseCsr(der);
    } catch {
      return { ok: false, reason: 'unreadable CSR' };
    }
    if (!parsed.signatureValid) return { ok: false, reason: 'CSR signature does not verify' };
    const cn = parsed.subject.CN;
    const o = parsed.subject.O;
    if (!cn) return { ok: false, reason: 'CSR has no CN' };
    if (expectedSerial !== undefined && cn !== expectedSerial) return { ok: false, reason: `CSR CN ${cn} is not the serial number ${expectedSerial}` };
    if (!o) return { ok: false, reason: 'CSR has no O (SecurityCtrlr.OrganizationName)' };
    const v2g = use === 'V2GCertificate' || use === 'V2G20Certificate';
    const issuer = v2g ? this.cpoSub2 : this.csmsRoot;
    const now = Math.floor(this.now() / 1000) * 1000;
    const der = buildCertificate({
      serial: Buffer.concat([Buffer.from([STATION]), randomBytes(11)]),
      subject: v2g ? [['CN', cn], ['O', o], ['DC', 'CPO']] : [['CN', cn], ['O', o]],
      issuerName: issuer.cert.subjectName, spki: parsed.spki, issuerSpki: issuer.cert.spki, ca: false, ocspUrl: OCSP_URL,
      notBeforeMs: now - 3_600_000, notAfterMs: now + YEAR,
    }, issuer.key);
    this.stationCertificatesIssued++;
    const chain = v2g ? [der, this.cpoSub2.cert.der, this.cpoSub1.cert.der] : [der];
    return {
      ok: true, chainPem: chain.map((d) => toPem(d, 'CERTIFICATE')).join(''), leaf: parseCertificate(der),
      root: v2g ? this.v2gRoot : this.csmsRoot, rootType: v2g ? 'V2GRootCertificate' : 'CSMSRootCertificate',
    };
  }

  // ------------------------------------------------------------------------------------- revocation and OCSP

  /** Revokes a certificate of this PKI by serial (OCPP hex). */
  revoke(serialNumber: string, atMs = this.now()): void {
    this.revoked.set(normSerial(serialNumber), atMs);
  }

  /**
   * Status of the certificate named by hash data: Unknown when this PKI did not issue it (unknown issuer, or a
   * serial its issuer never used), else Good or Revoked. Expiry is not revocation (RFC 6960): an expired
   * contract is Good here and CertificateExpired in Authorize.
   */
  status(h: { hashAlgorithm?: unknown; issuerNameHash?: unknown; issuerKeyHash?: unknown; serialNumber?: unknown }): { status: OcspCertStatus; issuer?: CaEntry } {
    if (low(h.hashAlgorithm) !== 'sha256') return { status: 'unknown' };
    const issuer = this.byIssuer.get(`${low(h.issuerNameHash)}|${low(h.issuerKeyHash)}`);
    if (!issuer) return { status: 'unknown' };
    const serial = normSerial(h.serialNumber);
    if (this.revoked.has(serial)) return { status: 'revoked', issuer };
    const first = serial.length === 24 ? parseInt(serial.slice(0, 2), 16) : -1;
    if (issuer === this.moSub2 && (first & 0xf0) === CONTRACT) return { status: this.fateOfSerial(serial) === 'revoked' ? 'revoked' : 'good', issuer };
    if ((issuer === this.cpoSub2 || issuer === this.csmsRoot) && first === STATION) return { status: 'good', issuer };
    const child = [this.cpoSub1, this.cpoSub2, this.moSub1, this.moSub2].some((c) => c.issuer === issuer && c.cert.serialHex === serial);
    return { status: child ? 'good' : 'unknown', issuer };
  }

  /**
   * A signed OCSPResponse (DER) for the certificate named by hash data, or null when another PKI issued it. The
   * answers about this PKI's own CAs (asked by every station for its chain) are reused for a minute.
   */
  ocspResponse(h: CertificateHashData | Record<string, unknown>, validMs = 7 * DAY): Buffer | null {
    const s = this.status(h);
    if (!s.issuer) return null;
    const now = Math.floor(this.now() / 1000) * 1000;
    const serialHex = normSerial(h.serialNumber);
    const ca = CA_SERIAL.test(serialHex) && s.status === 'good' ? `${s.issuer.label}|${serialHex}` : undefined;
    const hit = ca === undefined ? undefined : this.caOcsp.get(ca);
    if (hit && hit.untilMs > now) return hit.der;
    const der = buildOcspResponse(
      {
        issuerNameHash: Buffer.from(low(h.issuerNameHash), 'hex'), issuerKeyHash: Buffer.from(low(h.issuerKeyHash), 'hex'),
        serial: Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex'),
      },
      { status: s.status, revokedAtMs: this.revoked.get(serialHex) ?? now, thisUpdateMs: now, nextUpdateMs: now + validMs },
      s.issuer.key, s.issuer.cert.spki,
    );
    if (ca !== undefined) this.caOcsp.set(ca, { der, untilMs: now + 60_000 });
    return der;
  }
}
