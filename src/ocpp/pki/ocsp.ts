/**
 * OCSP responses (RFC 6960) as OCPP carries them in GetCertificateStatusResponse.ocspResult (base64 DER
 * OCSPResponse, FLOWS.md §4.3): the embedded CSMS builds real BasicOCSPResponses signed by the issuing CA itself
 * (RFC 6960 §4.2.2.2: the CA may sign its own responses; responder named by key hash), and the station reads
 * them back and checks the signature against the issuer certificate of its chain.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import {
  Tag, bits, child, children, contentOf, enumerated, explicit, generalizedTime, int, nul, oid, octets, rawOf, readNode, readOid,
  readTime, seq, tlv,
} from './der.js';
import { OID, publicKeyBits, serialHexOf } from './x509.js';

const BASIC = '1.3.6.1.5.5.7.48.1.1';

/** A certificate's status as an OCSP responder states it. */
export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

/** RFC 6960 CertID with SHA-256 (OCPP's hash data, as bytes). */
export interface OcspCertId {
  readonly issuerNameHash: Buffer;
  readonly issuerKeyHash: Buffer;
  readonly serial: Buffer;
}

export interface OcspAnswer {
  readonly status: OcspCertStatus;
  /** When it was revoked (status revoked). */
  readonly revokedAtMs?: number;
  readonly thisUpdateMs: number;
  readonly nextUpdateMs: number;
}

function certId(id: OcspCertId): Buffer {
  return seq(seq(oid(OID.sha256), nul()), octets(id.issuerNameHash), octets(id.issuerKeyHash), int(id.serial));
}

/** A successful OCSPResponse (DER) for one certificate, signed by `responderKey` (ECDSA P-256, SHA-256). */
export function buildOcspResponse(id: OcspCertId, a: OcspAnswer, responderKey: KeyObject, responderSpki: Buffer): Buffer {
  const status = a.status === 'good' ? tlv(0x80, Buffer.alloc(0))
    : a.status === 'revoked' ? tlv(0xa1, generalizedTime(a.revokedAtMs ?? a.thisUpdateMs))
      : tlv(0x82, Buffer.alloc(0));
  const single = seq(certId(id), status, generalizedTime(a.thisUpdateMs), explicit(0, generalizedTime(a.nextUpdateMs)));
  const keyHash = createHash('sha1').update(publicKeyBits(responderSpki)).digest();
  const tbs = seq(explicit(2, octets(keyHash)), generalizedTime(a.thisUpdateMs), seq(single));
  const basic = seq(tbs, seq(oid(OID.ecdsaWithSha256)), bits(sign('sha256', tbs, responderKey)));
  return seq(enumerated(0), explicit(0, seq(oid(BASIC), octets(basic))));
}

/** What a station reads from an OCSPResponse. */
export interface ParsedOcspResponse {
  /** OCSPResponseStatus: 0 = successful. */
  readonly responseStatus: number;
  readonly certStatus: OcspCertStatus;
  /** Serial in OCPP's hex form. */
  readonly serialNumber: string;
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  readonly nextUpdateMs: number | undefined;
  /** The BasicOCSPResponse signature verifies with `responderSpki` (false when not checked or not valid). */
  signatureValid(responderSpki: Buffer): boolean;
}

/** Reads a DER OCSPResponse with one SingleResponse (throws on malformed input). */
export function parseOcspResponse(der: Buffer): ParsedOcspResponse {
  const top = readNode(der);
  const responseStatus = contentOf(child(top, 0, Tag.ENUMERATED))[0]!;
  const bytes = child(child(top, 1), 0, Tag.SEQUENCE);
  if (readOid(child(bytes, 0, Tag.OID)) !== BASIC) throw new Error('not a basic OCSP response');
  const basic = readNode(contentOf(child(bytes, 1, Tag.OCTET_STRING)));
  const [tbsN, , sigN] = children(basic);
  const tbs = children(tbsN!);
  const responses = tbs.find((n) => n.tag === Tag.SEQUENCE)!;
  const single = child(responses, 0);
  const parts = children(single);
  const [, nameHash, keyHash, serial] = children(parts[0]!);
  const statusTag = parts[1]!.tag & 0x1f;
  const next = parts.find((n) => n.tag === 0xa0);
  const rawSerial = contentOf(serial!);
  return {
    responseStatus,
    certStatus: statusTag === 0 ? 'good' : statusTag === 1 ? 'revoked' : 'unknown',
    serialNumber: serialHexOf(rawSerial[0] === 0 && rawSerial.length > 1 ? rawSerial.subarray(1) : rawSerial),
    issuerNameHash: contentOf(nameHash!).toString('hex'),
    issuerKeyHash: contentOf(keyHash!).toString('hex'),
    nextUpdateMs: next ? readTime(child(next, 0)) : undefined,
    signatureValid(responderSpki: Buffer): boolean {
      try {
        return verify('sha256', rawOf(tbsN!), createPublicKey({ key: responderSpki, format: 'der', type: 'spki' }), contentOf(sigN!).subarray(1));
      } catch {
        return false;
      }
    },
  };
}
