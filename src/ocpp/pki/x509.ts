/**
 * X.509 for the ISO 15118 / OCPP certificate use cases, on node:crypto (which parses and verifies certificates
 * but cannot issue them): building and reading certificates (RFC 5280), certification requests (PKCS#10,
 * RFC 2986), PEM, and OCPP's CertificateHashData — the OCSP CertID fields (RFC 6960 §4.1.1): SHA-256 over the
 * DER of the issuer Name and over the issuer's public key BIT STRING value. Keys are ECDSA P-256, signatures
 * ecdsa-with-SHA256, as ISO 15118-2 prescribes; CSRs signed with RSA are read too.
 * Shared by the station (CSRs, hash data) and the embedded CSMS (its test PKI, csms/pki/), hence in the ocpp layer.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  Tag, bits, bool, child, children, contentOf, explicit, implicit, int, oid, octets, printable, ia5, rawOf, readNode, readOid,
  readTime, seq, setOf, utf8, x509Time, type DerNode,
} from './der.js';

export const OID = Object.freeze({
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha256: '2.16.840.1.101.3.4.2.1',
  cn: '2.5.4.3', c: '2.5.4.6', o: '2.5.4.10', ou: '2.5.4.11', dc: '0.9.2342.19200300.100.1.25',
  basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', subjectKeyId: '2.5.29.14', authorityKeyId: '2.5.29.35',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1', ocsp: '1.3.6.1.5.5.7.48.1', subjectAltName: '2.5.29.17',
} as const);

const ATTR_OID: Readonly<Record<string, string>> = { CN: OID.cn, C: OID.c, O: OID.o, OU: OID.ou, DC: OID.dc };
const ATTR_NAME: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ATTR_OID).map(([k, v]) => [v, k]));

/** A distinguished name as ordered (attribute, value) pairs: `[['CN', 'CS-1'], ['O', 'chargestorm']]`. */
export type NameAttrs = readonly (readonly [keyof typeof ATTR_OID | string, string])[];

/** DER of a Name (RDNSequence, one attribute per RDN): C as PrintableString, DC as IA5String, others UTF8String. */
export function encodeName(attrs: NameAttrs): Buffer {
  return seq(...attrs.map(([k, v]) => {
    const o = ATTR_OID[k];
    if (!o) throw new Error(`unknown name attribute ${k}`);
    const value = k === 'C' ? printable(v) : k === 'DC' ? ia5(v) : utf8(v);
    return setOf(seq(oid(o), value));
  }));
}

/** The attributes of a Name node (multi-valued RDNs flattened). */
export function decodeName(n: DerNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rdn of children(n)) {
    for (const atv of children(rdn)) {
      const [t, v] = children(atv);
      if (!t || !v) continue;
      const key = ATTR_NAME[readOid(t)] ?? readOid(t);
      out[key] = contentOf(v).toString('utf8');
    }
  }
  return out;
}

const SIG_ALG = seq(oid(OID.ecdsaWithSha256));

/** The BIT STRING value of a SubjectPublicKeyInfo: what issuerKeyHash and key identifiers hash. */
export function publicKeyBits(spkiDer: Buffer): Buffer {
  const keyBits = child(readNode(spkiDer), 1, Tag.BIT_STRING);
  return contentOf(keyBits).subarray(1);
}

export function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the public key bits. */
export function keyIdOf(spkiDer: Buffer): Buffer {
  return createHash('sha1').update(publicKeyBits(spkiDer)).digest();
}

export interface CertificateTemplate {
  /** Positive serial number, big-endian magnitude (≤ 20 bytes). */
  serial: Buffer;
  subject: NameAttrs;
  /** DER of the issuer's subject Name (copied byte for byte, so names match exactly). */
  issuerName: Buffer;
  /** SubjectPublicKeyInfo DER of the certificate's key. */
  spki: Buffer;
  /** SPKI DER of the issuer's key (the subject's own for a self-signed root): the authority key identifier. */
  issuerSpki: Buffer;
  notBeforeMs: number;
  notAfterMs: number;
  /** CA certificate (basicConstraints cA, keyCertSign + cRLSign) with an optional path length; else an end entity. */
  ca: boolean;
  pathLen?: number;
  /** Authority Information Access: the OCSP responder of the issuer (where OCPP's responderURL comes from). */
  ocspUrl?: string;
  /** Subject Alternative Names (a TLS server's host names and addresses): IP literals as iPAddress, the rest as dNSName. */
  altNames?: readonly string[];
}

/** GeneralNames of a subjectAltName: [7] iPAddress (4 or 16 bytes) or [2] dNSName. */
function altNamesOf(names: readonly string[]): Buffer {
  return seq(...names.map((n) => {
    const v = isIP(n);
    if (v === 4) return implicit(7, Buffer.from(n.split('.').map(Number)));
    if (v === 6) return implicit(7, ipv6Bytes(n));
    return implicit(2, Buffer.from(n, 'ascii'));
  }));
}

function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') as [string, string] : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** Issues a v3 certificate: the TBSCertificate signed with ecdsa-with-SHA256 by `issuerKey` (DER out). */
export function buildCertificate(t: CertificateTemplate, issuerKey: KeyObject): Buffer {
  const basic = t.ca ? seq(bool(true), ...(t.pathLen !== undefined ? [int(t.pathLen)] : [])) : seq();
  // keyUsage bits: CA keyCertSign(5) + cRLSign(6) = 0x06 with 1 unused bit; end entity digitalSignature(0) + keyAgreement(4).
  const usage = t.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x88]), 3);
  const exts = [
    extension(OID.basicConstraints, true, basic),
    extension(OID.keyUsage, true, usage),
    extension(OID.subjectKeyId, false, octets(keyIdOf(t.spki))),
    extension(OID.authorityKeyId, false, seq(implicit(0, keyIdOf(t.issuerSpki)))),
  ];
  if (t.altNames && t.altNames.length > 0) exts.push(extension(OID.subjectAltName, false, altNamesOf(t.altNames)));
  if (t.ocspUrl) exts.push(extension(OID.authorityInfoAccess, false, seq(seq(oid(OID.ocsp), implicit(6, Buffer.from(t.ocspUrl, 'ascii'))))));
  const tbs = seq(
    explicit(0, int(2)),
    int(t.serial),
    SIG_ALG,
    t.issuerName,
    seq(x509Time(t.notBeforeMs), x509Time(t.notAfterMs)),
    encodeName(t.subject),
    t.spki,
    explicit(3, seq(...exts)),
  );
  return seq(tbs, SIG_ALG, bits(sign('sha256', tbs, issuerKey)));
}

/** What the use cases read from a certificate. */
export interface ParsedCertificate {
  readonly der: Buffer;
  readonly tbs: Buffer;
  readonly signature: Buffer;
  /** Serial magnitude bytes (no sign byte). */
  readonly serial: Buffer;
  /** Hex, lower case, no leading zeros: OCPP's serialNumber form. */
  readonly serialHex: string;
  readonly issuerName: Buffer;
  readonly subjectName: Buffer;
  readonly subject: Readonly<Record<string, string>>;
  readonly spki: Buffer;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly ca: boolean;
  readonly ocspUrl: string | undefined;
}

/** Reads a DER certificate (throws DerError/Error on malformed input). */
export function parseCertificate(der: Buffer): ParsedCertificate {
  const cert = readNode(der);
  const [tbsN, , sigN] = children(cert);
  if (!tbsN || !sigN) throw new Error('not a certificate');
  const f = children(tbsN);
  const off = f[0]!.tag === 0xa0 ? 1 : 0;
  const serialN = f[off]!;
  const validity = children(f[off + 3]!);
  const serialRaw = contentOf(serialN);
  const serial = serialRaw[0] === 0 && serialRaw.length > 1 ? serialRaw.subarray(1) : serialRaw;
  let ca = false;
  let ocspUrl: string | undefined;
  const extsN = f.find((n) => n.tag === 0xa3);
  if (extsN) {
    for (const e of children(child(extsN, 0))) {
      const parts = children(e);
      const id = readOid(parts[0]!);
      const value = readNode(contentOf(parts[parts.length - 1]!));
      if (id === OID.basicConstraints) ca = children(value).some((c) => c.tag === Tag.BOOLEAN && contentOf(c)[0] !== 0);
      if (id === OID.authorityInfoAccess) {
        for (const ad of children(value)) {
          const [m, loc] = children(ad);
          if (m && loc && readOid(m) === OID.ocsp && loc.tag === 0x86) ocspUrl = contentOf(loc).toString('ascii');
        }
      }
    }
  }
  return {
    der, tbs: rawOf(tbsN), signature: contentOf(sigN).subarray(1), serial, serialHex: serialHexOf(serial),
    issuerName: rawOf(f[off + 2]!), subjectName: rawOf(f[off + 4]!), subject: decodeName(f[off + 4]!), spki: rawOf(f[off + 5]!),
    notBeforeMs: readTime(validity[0]!), notAfterMs: readTime(validity[1]!), ca, ocspUrl,
  };
}

/** Whether `cert` carries a valid signature by the key in `issuerSpki` (and names the issuer's subject). */
export function signedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (!cert.issuerName.equals(issuer.subjectName)) return false;
  try {
    return verify('sha256', cert.tbs, createPublicKey({ key: issuer.spki, format: 'der', type: 'spki' }), cert.signature);
  } catch {
    return false;
  }
}

/** OCPP serialNumber: hex without prefix and leading zeros (lower case; compare case-insensitively). */
export function serialHexOf(serial: Buffer): string {
  return serial.toString('hex').replace(/^0+(?=.)/, '');
}

/** OCPP CertificateHashDataType (the OCSP CertID of RFC 6960 with SHA-256). */
export interface CertificateHashData {
  hashAlgorithm: 'SHA256';
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Hash data of `cert` issued by the holder of `issuerSpki` (for a self-signed root: its own SPKI). */
export function hashDataOf(cert: ParsedCertificate, issuerSpki: Buffer): CertificateHashData {
  return { hashAlgorithm: 'SHA256', issuerNameHash: sha256(cert.issuerName), issuerKeyHash: sha256(publicKeyBits(issuerSpki)), serialNumber: cert.serialHex };
}

/** Equality of two hash data as OCPP compares them (hex case-insensitive, serial without leading zeros). */
export function sameHashData(a: CertificateHashData, b: { issuerNameHash?: unknown; issuerKeyHash?: unknown; serialNumber?: unknown; hashAlgorithm?: unknown }): boolean {
  const low = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : '');
  return low(b.hashAlgorithm) === 'sha256' && low(b.issuerNameHash) === a.issuerNameHash && low(b.issuerKeyHash) === a.issuerKeyHash
    && low(b.serialNumber).replace(/^0+(?=.)/, '') === a.serialNumber;
}

// ------------------------------------------------------------------------------------------------ PKCS#10

/** A PKCS#10 CertificationRequest for `subject` and the pair's public key, self-signed with `privateKey` (DER). */
export function buildCsr(subject: NameAttrs, publicKey: KeyObject, privateKey: KeyObject): Buffer {
  const info = seq(int(0), encodeName(subject), spkiOf(publicKey), implicit(0, Buffer.alloc(0), true));
  return seq(info, SIG_ALG, bits(sign('sha256', info, privateKey)));
}

export interface ParsedCsr {
  readonly subject: Readonly<Record<string, string>>;
  readonly spki: Buffer;
  /** The request's self-signature verifies with its own public key. */
  readonly signatureValid: boolean;
}

/** Reads a DER PKCS#10 request and checks its self-signature (ECDSA or RSA with SHA-256). */
export function parseCsr(der: Buffer): ParsedCsr {
  const req = readNode(der);
  const [infoN, algN, sigN] = children(req);
  if (!infoN || !algN || !sigN) throw new Error('not a certification request');
  const [, subjectN, spkiN] = children(infoN);
  if (!subjectN || !spkiN) throw new Error('not a certification request');
  const spki = rawOf(spkiN);
  const alg = readOid(child(algN, 0, Tag.OID));
  let signatureValid = false;
  if (alg === OID.ecdsaWithSha256 || alg === OID.sha256WithRsa) {
    try {
      signatureValid = verify('sha256', rawOf(infoN), createPublicKey({ key: spki, format: 'der', type: 'spki' }), contentOf(sigN).subarray(1));
    } catch {
      signatureValid = false;
    }
  }
  return { subject: decodeName(subjectN), spki, signatureValid };
}

// ------------------------------------------------------------------------------------------------ PEM

export function toPem(der: Buffer, label: 'CERTIFICATE' | 'CERTIFICATE REQUEST'): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text` with `label`, in order, as DER. */
export function fromPem(text: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) if (m[1] === label) out.push(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'));
  return out;
}
