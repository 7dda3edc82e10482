import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate, selfSignedCa, type CertifiedKey } from '../../ocpp/tls.js';

const DAY = 86_400_000;
const YEAR = 365 * DAY;

/** Host names and addresses the generated server certificate is valid for (the embedded CSMS listens on loopback). */
export const TLS_SERVER_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export interface TlsPkiOptions {
  /** subjectAltNames of the server certificate; default TLS_SERVER_NAMES (plus the listen host when given to `generate`). */
  serverNames?: readonly string[];
  nowMs?: number;
}

/** File names `write` uses (and `chargestorm csms --pki-dir` documents). */
export const TLS_PKI_FILES = Object.freeze({
  caCert: 'ca.pem', caKey: 'ca-key.pem', serverCert: 'server.pem', serverKey: 'server-key.pem',
} as const);

/**
 * The TLS test PKI of the embedded CSMS (security profiles 2/3): one root CA (EC P-256) that signs the CSMS
 * server certificate (SAN localhost / 127.0.0.1 / ::1) and, for profile 3, the stations' client certificates
 * (CN = serial number, O = the CSO's organisation, A00.FR.509/511). Generated fresh at start: nothing secret is
 * kept anywhere unless written out with `write`.
 */
export class TlsPki {
  readonly ca: CertifiedKey;
  readonly server: CertifiedKey;

  private constructor(ca: CertifiedKey, server: CertifiedKey) {
    this.ca = ca;
    this.server = server;
  }

  static generate(o: TlsPkiOptions = {}): TlsPki {
    const now = o.nowMs ?? Date.now();
    const ca = selfSignedCa({
      subject: [['CN', 'chargestorm TLS Test Root CA'], ['O', 'chargestorm test PKI']], notBeforeMs: now - DAY, notAfterMs: now + 10 * YEAR,
    });
    const names = o.serverNames ?? TLS_SERVER_NAMES;
    const server = issueCertificate(ca, {
      subject: [['CN', names[0] ?? 'localhost'], ['O', 'chargestorm test PKI']], altNames: names, notBeforeMs: now - DAY, notAfterMs: now + 2 * YEAR,
    });
    return new TlsPki(ca, server);
  }

  /** A station's client certificate (profile 3): CN = its serial number, O = the organisation. */
  issueStation(serialNumber: string, organization: string, validity?: { notBeforeMs: number; notAfterMs: number }): CertifiedKey {
    const now = Date.now();
    return issueCertificate(this.ca, {
      subject: [['CN', serialNumber], ['O', organization]],
      notBeforeMs: validity?.notBeforeMs ?? now - DAY, notAfterMs: validity?.notAfterMs ?? now + YEAR,
    });
  }

  /** Writes the CA and server certificate/key as PEM files into `dir` (created); returns the paths written. */
  write(dir: string): string[] {
    mkdirSync(dir, { recursive: true });
    const out: [string, string][] = [
      [TLS_PKI_FILES.caCert, this.ca.certPem], [TLS_PKI_FILES.caKey, this.ca.keyPem],
      [TLS_PKI_FILES.serverCert, this.server.certPem], [TLS_PKI_FILES.serverKey, this.server.keyPem],
    ];
    return out.map(([name, pem]) => {
      const path = join(dir, name);
      writeFileSync(path, pem, { mode: name.endsWith('key.pem') ? 0o600 : 0o644 });
      return path;
    });
  }
}
