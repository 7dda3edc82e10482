/**
 * TLS for OCPP security profiles 2 and 3 (FLOWS.md §1.2): certificate material as PEM text, issuing
 * certificates with node:crypto keys (EC P-256, ecdsa-with-SHA256) through the in-house X.509 builder, and
 * telling TLS failures apart from other connection errors. Shared by the station (its client certificate) and
 * the embedded CSMS (its server certificate and test PKI).
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { buildCertificate, encodeName, fromPem, parseCertificate, spkiOf, toPem, type NameAttrs } from './pki/x509.js';

/** Security profiles 2/3 require TLS 1.2 or newer (A00.FR, ATTACKS.md §1). */
export const MIN_TLS_VERSION = 'TLSv1.2';

/** What a TLS client presents and trusts (PEM text). */
export interface TlsClientOptions {
  /** CA certificate(s) trusted for the server certificate; absent = Node's built-in root store. */
  ca?: string;
  /** Client certificate (profile 3), possibly followed by its chain, and its private key. */
  cert?: string;
  key?: string;
  /** Name checked against the server certificate (and sent as SNI); default: the URL's host. */
  servername?: string;
}

/** A certificate and its private key, PEM. */
export interface CertifiedKey {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface IssueOptions {
  subject: NameAttrs;
  notBeforeMs: number;
  notAfterMs: number;
  /** A CA certificate (basicConstraints cA) instead of an end entity. */
  ca?: boolean;
  /** subjectAltName entries (server certificates: host names and IP addresses). */
  altNames?: readonly string[];
}

function freshKey(): { privateKey: ReturnType<typeof createPrivateKey>; spki: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, spki: spkiOf(publicKey) };
}

/** Positive random serial (8 bytes, high bit clear). */
function serial(): Buffer {
  const b = randomBytes(8);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b;
}

/** A self-signed CA certificate with a fresh P-256 key. */
export function selfSignedCa(o: Omit<IssueOptions, 'ca'>): CertifiedKey {
  const k = freshKey();
  const der = buildCertificate({
    serial: serial(), subject: o.subject, issuerName: encodeName(o.subject), spki: k.spki, issuerSpki: k.spki,
    notBeforeMs: o.notBeforeMs, notAfterMs: o.notAfterMs, ca: true, pathLen: 0,
  }, k.privateKey);
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: keyPem(k.privateKey) };
}

/** A certificate with a fresh P-256 key signed by `issuer` (its PEM certificate and key). Throws on unusable issuer PEM. */
export function issueCertificate(issuer: CertifiedKey, o: IssueOptions): CertifiedKey {
  const issuerDer = fromPem(issuer.certPem, 'CERTIFICATE')[0];
  if (issuerDer === undefined) throw new Error('the issuer PEM holds no CERTIFICATE block');
  const ic = parseCertificate(issuerDer);
  const k = freshKey();
  const der = buildCertificate({
    serial: serial(), subject: o.subject, issuerName: ic.subjectName, spki: k.spki, issuerSpki: ic.spki,
    notBeforeMs: o.notBeforeMs, notAfterMs: o.notAfterMs, ca: o.ca === true, ...(o.altNames ? { altNames: o.altNames } : {}),
  }, createPrivateKey(issuer.keyPem));
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: keyPem(k.privateKey) };
}

function keyPem(k: ReturnType<typeof createPrivateKey>): string {
  return k.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Checks that `certPem` and `keyPem` form a usable issuer (a parsable certificate and a private key); returns
 * a reason, or null when they do.
 */
export function issuerProblem(certPem: string, keyPem: string): string | null {
  const der = fromPem(certPem, 'CERTIFICATE')[0];
  if (der === undefined) return 'holds no PEM CERTIFICATE block';
  try { parseCertificate(der); } catch { return 'holds an unreadable certificate'; }
  try { createPrivateKey(keyPem); } catch { return 'the key file holds no readable private key'; }
  return null;
}

// OpenSSL certificate verification results (X509_V_ERR_* names as Node reports them).
const VERIFY_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_EXCEEDED)/;

/** Whether a socket error is a TLS failure: certificate rejected (by us or the peer), handshake or version failure. */
export function isTlsError(err: { code?: string; message?: string } | undefined): boolean {
  if (!err) return false;
  if (err.code !== undefined && (VERIFY_CODES.test(err.code) || err.code === 'EPROTO')) return true;
  return /\b(ssl|tls)\b.*alert|wrong version number|certificate/i.test(err.message ?? '');
}

/**
 * Why a TLS server refused a client before any HTTP request (tlsClientError): `plaintext` (HTTP on the TLS
 * port: a ws:// client), `tls-version` (below TLS 1.2), `no-client-certificate`, `bad-client-certificate`
 * (not chained to a trusted CA, expired, …), `handshake` (anything else, e.g. a client that gave up).
 */
export type TlsRefusal = 'plaintext' | 'tls-version' | 'no-client-certificate' | 'bad-client-certificate' | 'handshake';

export function tlsRefusalOf(err: { code?: string; message?: string }): TlsRefusal {
  const text = `${err.code ?? ''} ${err.message ?? ''}`.toLowerCase();
  if (/http_request|http request/.test(text)) return 'plaintext';
  if (/unsupported_protocol|unsupported protocol|version_too_low|wrong_version|wrong version/.test(text)) return 'tls-version';
  if (/did_not_return_a_certificate|did not return a certificate|certificate_required|certificate required/.test(text)) return 'no-client-certificate';
  if (/certificate|unknown_ca|unknown ca/.test(text)) return 'bad-client-certificate';
  return 'handshake';
}
