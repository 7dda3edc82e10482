import { X509Certificate } from 'node:crypto';
import type { Payload } from '../../ocpp/session.js';
import { Category } from './alert.js';
import { stationEntity, type Ctx } from './context.js';
import { normalSerial } from './options.js';
import { Leaky, Level, levelAlert } from './primitives.js';
import type { StationDet } from './station.js';

// What can be checked from the data alone — expiry, a configured revocation list, eMAID vs certificate CN, CSR CN
// vs serial — plus bursts of what the CSMS's PKI refused (handlers/certificates.ts, usecases/pnc.ts).

const PEM = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/;

function firstPem(text: unknown): { label: string; der: Buffer } | null {
  if (typeof text !== 'string') return null;
  const m = PEM.exec(text);
  if (!m) return null;
  try { return { label: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') }; } catch { return null; }
}

/** CN of an X.500 subject string as node prints it (`CN=...` lines). */
function commonName(subject: string): string | undefined {
  return /(?:^|\n|,\s*)CN=([^\n,]+)/.exec(subject)?.[1]?.trim();
}

const DASHES = /[-\s]/g;

/**
 * Authorize with ISO 15118 contract data (A15): a revoked serial (hash data or certificate), an expired
 * certificate, or an eMAID that is not the certificate's CN → idTokenInfo Invalid (Expired for an expired one, as
 * FLOWS.md §4.1 maps it) with the matching certificateStatus. A mismatch alerts at once; revoked and expired
 * contracts count towards the refusal burst. Unparseable certificates are left alone (no PKI to judge them).
 */
export function onAuthorizeCertificates(ctx: Ctx, sd: StationDet, p: Payload, answer: Payload, nowMs: number): Payload {
  let status: string | undefined;
  let ev: Record<string, unknown> = {};
  const revoked = ctx.o.revokedSerials;
  const hashes = p.iso15118CertificateHashData;
  if (Array.isArray(hashes) && revoked.size > 0) {
    for (const h of hashes as Payload[]) {
      if (typeof h?.serialNumber === 'string' && revoked.has(normalSerial(h.serialNumber))) {
        status = 'CertificateRevoked';
        ev = { rule: 'L1.certificate-revoked', serialNumber: h.serialNumber, source: 'hashData' };
        break;
      }
    }
  }
  const pem = status === undefined ? firstPem(p.certificate) : null;
  if (pem !== null) {
    let cert: X509Certificate | null = null;
    try { cert = new X509Certificate(pem.der); } catch { cert = null; }
    if (cert !== null) {
      const serial = normalSerial(cert.serialNumber);
      const validTo = Date.parse(cert.validTo);
      const cn = commonName(cert.subject);
      const idToken = p.idToken as Payload | undefined;
      if (revoked.has(serial)) {
        status = 'CertificateRevoked';
        ev = { rule: 'L1.certificate-revoked', serialNumber: serial, source: 'certificate' };
      } else if (validTo < nowMs) {
        status = 'CertificateExpired';
        ev = { rule: 'L1.certificate-expired', serialNumber: serial, validTo: cert.validTo };
      } else if (idToken?.type === 'eMAID' && typeof idToken.idToken === 'string' && cn !== undefined
        && cn.replace(DASHES, '').toUpperCase() !== idToken.idToken.replace(DASHES, '').toUpperCase()) {
        status = 'CertChainError';
        ev = { rule: 'L1.emaid-certificate-mismatch', eMAID: idToken.idToken, certificateCN: cn };
      }
    }
  }
  if (status === undefined) {
    // What the PKI refused (unverifiable chain, revoked, expired) counts towards a burst.
    const refused = answer.certificateStatus;
    if (typeof refused === 'string' && refused !== 'Accepted' && refused !== 'ContractCancelled') certRefusal(ctx, sd, nowMs, { action: 'Authorize', certificateStatus: refused });
    return answer;
  }
  ctx.actions.certificatesRefused++;
  if (status === 'CertChainError') {
    // An eMAID presented with another contract's certificate: no EV does that by mistake.
    const tok = (p.idToken as Payload | undefined)?.idToken;
    ctx.alert(nowMs, Category.certificate, 'high', typeof tok === 'string' ? { stationId: sd.id, idToken: tok } : stationEntity(sd), { ...ev, certificateStatus: status });
  } else {
    // A revoked or expired contract is refused, but drivers with one exist: only a burst of them is misuse (ATTACKS.md A15).
    certRefusal(ctx, sd, nowMs, { action: 'Authorize', certificateStatus: status, ...ev, check: ev.rule });
  }
  return { idTokenInfo: { status: status === 'CertificateExpired' ? 'Expired' : 'Invalid' }, certificateStatus: status };
}

const CN_OID = [0x06, 0x03, 0x55, 0x04, 0x03];
const STRING_TAGS = new Set([0x0c, 0x13, 0x16, 0x14]);

/** The first CN in a PKCS#10 CSR (the subject's), by scanning the DER for the CN attribute; null if none. */
export function csrCommonName(csr: unknown): string | null {
  const pem = firstPem(csr);
  const der = pem?.der;
  if (der === undefined) return null;
  outer: for (let i = 0; i + CN_OID.length + 2 < der.length; i++) {
    for (let k = 0; k < CN_OID.length; k++) if (der[i + k] !== CN_OID[k]) continue outer;
    const tag = der[i + CN_OID.length]!;
    const len = der[i + CN_OID.length + 1]!;
    if (!STRING_TAGS.has(tag) || len >= 0x80) return null;
    const start = i + CN_OID.length + 2;
    return der.subarray(start, start + len).toString(tag === 0x14 ? 'latin1' : 'utf8');
  }
  return null;
}

/**
 * SignCertificate (A15): a ChargingStationCertificate CSR whose CN is not the serial number the station booted
 * with (A00.FR.511) → Rejected with reasonCode InvalidCSR, and an alert. Other CSRs the CSMS rejected count
 * towards the refusal burst.
 */
export function onSignCertificate(ctx: Ctx, sd: StationDet, p: Payload, answer: Payload, nowMs: number): Payload {
  const type = p.certificateType ?? 'ChargingStationCertificate';
  const cn = type === 'ChargingStationCertificate' && sd.serial !== undefined ? csrCommonName(p.csr) : null;
  if (cn === null || cn === sd.serial) {
    // A CSR the PKI refused (unreadable, bad signature, no O) counts towards a burst.
    if (answer.status === 'Rejected') certRefusal(ctx, sd, nowMs, { action: 'SignCertificate', reasonCode: (answer.statusInfo as Payload | undefined)?.reasonCode });
    return answer;
  }
  ctx.actions.csrRejected++;
  ctx.alert(nowMs, Category.certificate, 'high', stationEntity(sd), { rule: 'L1.csr-cn-serial', csrCN: cn, serialNumber: sd.serial });
  return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR' } };
}

/**
 * Refused certificate requests per station (A15 bursts): contract authorizations the PKI refused, CSRs it
 * rejected and Get15118EVCertificate requests that were not ISO 15118 EXI, counted over a decaying window; an EV with one bad
 * contract now and then stays below `certRefusalAlert`, a station cycling forged contracts or garbage does not.
 */
export function certRefusal(ctx: Ctx, sd: StationDet, nowMs: number, ev: Record<string, unknown>): void {
  const n = (sd.certRefusals ??= new Leaky(ctx.t.certRefusalTauMs)).add(nowMs);
  if (levelAlert(sd, Level.certRefusals, n, ctx.t.certRefusalAlert)) {
    ctx.alert(nowMs, Category.certificate, 'high', stationEntity(sd), { ...ev, rule: 'L2.certificate-refusals', count: Math.round(n * 10) / 10, threshold: ctx.t.certRefusalAlert }, n);
  }
}

/** Get15118EVCertificate answered Failed (garbage exiRequest): a refusal towards the burst rule. */
export function onEvCertificate(ctx: Ctx, sd: StationDet, answer: Payload, nowMs: number): void {
  if (answer.status === 'Failed') certRefusal(ctx, sd, nowMs, { action: 'Get15118EVCertificate', reasonCode: (answer.statusInfo as Payload | undefined)?.reasonCode });
}
