import { readFileSync } from 'node:fs';
import { issueCertificate, type TlsClientOptions } from '../ocpp/tls.js';
import type { SecuritySpec } from '../scenario/spec.js';

const DAY = 86_400_000;

/** The TLS material of one station, or why it has none (a file it cannot read, an unusable issuer). */
export type StationTls = { ok: true; tls: TlsClientOptions } | { ok: false; detail: string };

/**
 * What a station presents and trusts under security profile 2/3 (FLOWS.md §1.2): the scenario's CA for the
 * server certificate; with profile 3 its own client certificate — read from the per-station files, or issued
 * now by the scenario's CA with CN = its serial number and O = the organisation (A00.FR.509/511). Built once
 * per station (a P-256 key and a signature, well under a millisecond) and kept for its reconnects.
 */
export function stationTls(security: SecuritySpec, id: string, serialNumber: string): StationTls {
  const tls: TlsClientOptions = security.ca !== undefined ? { ca: security.ca } : {};
  if (security.profile !== 3) return { ok: true, tls };
  if (security.clientCert) {
    const fill = (t: string): string => t.replaceAll('{serial}', serialNumber).replaceAll('{id}', id);
    const certFile = fill(security.clientCert.cert);
    const keyFile = fill(security.clientCert.key);
    try {
      return { ok: true, tls: { ...tls, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } };
    } catch (err) {
      return { ok: false, detail: `client certificate: ${(err as Error).message}` };
    }
  }
  if (security.issuer) {
    try {
      const now = Date.now();
      const own = issueCertificate({ certPem: security.issuer.cert, keyPem: security.issuer.key }, {
        subject: [['CN', serialNumber], ['O', security.organization ?? 'chargestorm CSO']], notBeforeMs: now - DAY, notAfterMs: now + 365 * DAY,
      });
      return { ok: true, tls: { ...tls, cert: own.certPem, key: own.keyPem } };
    } catch (err) {
      return { ok: false, detail: `issuing the client certificate: ${(err as Error).message}` };
    }
  }
  // No certificate: the handshake with a profile-3 CSMS fails, as it would for a misconfigured station.
  return { ok: true, tls };
}
