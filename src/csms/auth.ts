import { timingSafeEqual } from 'node:crypto';
import type { AuthDecision, PeerCertificate } from '../ocpp/transport.js';
import type { SecuritySpec } from '../scenario/spec.js';

/**
 * Upgrade-request check (FLOWS.md §1.1, §1.2): an identity `knownStations` rejects → 404; with security profile
 * 1 or 2, HTTP Basic where the user must equal the identity and the password must match → otherwise 401.
 * Profile 3 authenticates with the client certificate instead (`certificateDecision`).
 */
export function authDecision(
  identity: string, authorization: string | undefined, security: SecuritySpec,
  knownStations: ((id: string) => boolean) | undefined,
): AuthDecision {
  if (knownStations !== undefined && !knownStations(identity)) return 404;
  if (security.profile !== 1 && security.profile !== 2) return 'accept';
  const creds = parseBasic(authorization);
  if (creds === null || creds.user !== identity) return 401;
  return sameSecret(creds.password, security.password ?? '') ? 'accept' : 401;
}

/** Outcome of the profile-3 certificate check of an upgrade request. */
export type CertificateVerdict =
  | { ok: true; cn: string }
  | { ok: false; rule: CertificateRule; detail: string };

export type CertificateRule =
  'L0.missing-client-certificate' | 'L0.client-certificate-rejected' | 'L0.certificate-cn-serial' | 'L0.certificate-organization';

/**
 * Profile 3 (A00.FR.509/511, FLOWS.md §1.2): a client certificate the TLS layer verified (chain to the client
 * CA, validity dates) with a CN equal to the serial number this identity booted with before (when it did) and
 * the configured organisation as O (when one is configured). The CN is checked again at BootNotification.
 */
export function certificateDecision(
  peer: PeerCertificate | null, security: SecuritySpec, bootedSerial: string | undefined,
): CertificateVerdict {
  if (peer === null) return { ok: false, rule: 'L0.missing-client-certificate', detail: 'no client certificate' };
  if (!peer.authorized) return { ok: false, rule: 'L0.client-certificate-rejected', detail: `client certificate refused (${peer.error ?? 'not verified'})` };
  if (!peer.CN) return { ok: false, rule: 'L0.client-certificate-rejected', detail: 'client certificate without a CN' };
  if (bootedSerial !== undefined && peer.CN !== bootedSerial) {
    return { ok: false, rule: 'L0.certificate-cn-serial', detail: `certificate CN ${peer.CN} is not the serial number ${bootedSerial}` };
  }
  if (security.organization !== undefined && peer.O !== security.organization) {
    return { ok: false, rule: 'L0.certificate-organization', detail: `certificate O ${peer.O ?? '(none)'} is not ${security.organization}` };
  }
  return { ok: true, cn: peer.CN };
}

/** user:password of a `Basic` Authorization header; the user is everything before the first colon. */
export function parseBasic(header: string | undefined): { user: string; password: string } | null {
  if (header === undefined) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Constant-time comparison, so response timing does not leak how much of a guessed password was right. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}
