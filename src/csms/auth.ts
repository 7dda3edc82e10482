import { timingSafeEqual } from 'node:crypto';
import type { AuthDecision } from '../ocpp/transport.js';
import type { SecuritySpec } from '../scenario/spec.js';

/**
 * Upgrade-request check (FLOWS.md §1.1, §1.2): an identity `knownStations` rejects → 404; with security profile
 * 1, HTTP Basic where the user must equal the identity and the password must match → otherwise 401.
 */
export function authDecision(
  identity: string, authorization: string | undefined, security: SecuritySpec,
  knownStations: ((id: string) => boolean) | undefined,
): AuthDecision {
  if (knownStations !== undefined && !knownStations(identity)) return 404;
  if (security.profile !== 1) return 'accept';
  const creds = parseBasic(authorization);
  if (creds === null || creds.user !== identity) return 401;
  return sameSecret(creds.password, security.password ?? '') ? 'accept' : 401;
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
