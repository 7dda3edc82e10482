/**
 * The EV side of Plug & Charge (FLOWS.md §4.1-§4.2): the contracts (eMAIDs) of the EVs that visit a station and
 * what the station keeps of each installed contract certificate chain — the OCSP request data it sends in
 * Authorize and, only for stations with CentralContractValidationAllowed, the PEM chain.
 */
import { mixSeed } from '../../util/rng.js';
import { decodeExiResponse } from '../../ocpp/pki/exi.js';
import { hashDataOf, parseCertificate, signedBy, toPem, type ParsedCertificate } from '../../ocpp/pki/x509.js';

/** OCPP OCSPRequestDataType: CertificateHashData plus the responder URL. */
export interface OcspRequestData {
  readonly hashAlgorithm: 'SHA256';
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  readonly serialNumber: string;
  readonly responderURL: string;
}

/** One installed contract certificate chain, as the station keeps it. */
export interface Contract {
  readonly emaid: string;
  /** iso15118CertificateHashData: the contract certificate and each sub-CA whose issuer the station has (1-4). */
  readonly hashData: readonly OcspRequestData[];
  /** The chain as PEM, leaf first; kept only when the station sends it (CentralContractValidationAllowed). */
  readonly pem: string | undefined;
  readonly notAfterMs: number;
  /** The station verified the chain up to an installed MO root itself. */
  readonly verifiedLocally: boolean;
}

const B36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SPAN = 36n ** 8n;

/**
 * The eMAID of contract `slot` of the EVs visiting station `stationIndex`: `DE` + provider `CST` + `C` + 8
 * base-36 characters + a check character — 15 characters like FLOWS.md's `DEABCC123456789`, unique per (station,
 * slot) for any fleet, shifted by the seed. The check character is a weighted sum mod 36, not the DIN SPEC 91286
 * algorithm (no CSMS we target validates it).
 */
export function contractEmaid(seed: number, stationIndex: number, slot: number): string {
  const v = (BigInt(stationIndex) * 64n + BigInt(slot) + BigInt(mixSeed(seed, 0x15118))) % SPAN;
  const body = `DECSTC${v.toString(36).toUpperCase().padStart(8, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += B36.indexOf(body[i]!) * (i + 1);
  return body + B36[sum % 36];
}

/** The EVCCID of an ISO 15118-20 EV (its MAC-like communication controller id), from the contract. */
export function evccidOf(seed: number, emaid: string): string {
  let h = mixSeed(seed, 0xecc1d);
  for (let i = 0; i < emaid.length; i++) h = mixSeed(h, emaid.charCodeAt(i));
  return `02${h.toString(16).padStart(8, '0').toUpperCase()}${(mixSeed(h, 7) & 0xff).toString(16).padStart(2, '0').toUpperCase()}`;
}

// The sub-CA entries are the same for every contract of a mobility operator: one shared object per CA.
const SHARED = new Map<string, OcspRequestData>();

function intern(d: OcspRequestData): OcspRequestData {
  const k = `${d.issuerKeyHash}|${d.serialNumber}`;
  const hit = SHARED.get(k);
  if (hit) return hit;
  if (SHARED.size < 1024) SHARED.set(k, Object.freeze(d));
  return d;
}

/**
 * What the station keeps of the contract chain in a Get15118EVCertificate exiResponse (pseudo-EXI, ocpp/pki/exi.ts),
 * or null when the response carries none (a foreign CSMS) or the leaf is not this eMAID's. Hash data come from
 * the real certificates: each certificate whose issuer is in the chain or among `moRoots` (RFC 6960 CertID).
 */
export function contractFromExi(emaid: string, exiResponse: unknown, moRoots: readonly ParsedCertificate[], keepPem: boolean): Contract | null {
  const ders = decodeExiResponse(exiResponse);
  if (!ders) return null;
  let chain: ParsedCertificate[];
  try {
    chain = ders.map(parseCertificate);
  } catch {
    return null;
  }
  const leaf = chain[0]!;
  if ((leaf.subject.CN ?? '').toUpperCase() !== emaid.toUpperCase()) return null;
  const hashData: OcspRequestData[] = [];
  for (let i = 0; i < chain.length && hashData.length < 4; i++) {
    const c = chain[i]!;
    const issuer = chain[i + 1] ?? moRoots.find((r) => r.subjectName.equals(c.issuerName));
    if (!issuer) break;
    const d = { ...hashDataOf(c, issuer.spki), responderURL: c.ocspUrl ?? 'http://ocsp.invalid/' };
    hashData.push(i === 0 ? d : intern(d));
  }
  if (hashData.length === 0) return null;
  const top = chain[chain.length - 1]!;
  const root = moRoots.find((r) => r.subjectName.equals(top.issuerName));
  const verifiedLocally = root !== undefined && chain.every((c, i) => signedBy(c, chain[i + 1] ?? root));
  return {
    emaid, hashData, notAfterMs: leaf.notAfterMs, verifiedLocally,
    pem: keepPem ? ders.map((d) => toPem(d, 'CERTIFICATE')).join('') : undefined,
  };
}
