import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { describe, Fields, readMap, string, type Reader } from '../read.js';
import type { SecuritySpec } from '../spec.js';

/** O of generated station certificates when `organization` is not given (SecurityCtrlr.OrganizationName). */
export const DEFAULT_ORGANIZATION = 'chargestorm CSO';

const SECURITY_KEYS = ['profile', 'password', 'ca', 'organization', 'clientCert', 'clientKey', 'issuerCert', 'issuerKey'];
const TLS_KEYS = ['ca', 'organization', 'clientCert', 'clientKey', 'issuerCert', 'issuerKey'] as const;
const CLIENT_KEYS = ['organization', 'clientCert', 'clientKey', 'issuerCert', 'issuerKey'] as const;
const PROFILE_TEXT = '0 (none), 1 (HTTP Basic), 2 (TLS + HTTP Basic) or 3 (mutual TLS)';

/**
 * `security:` — OCPP security profiles 0-3 (FLOWS §1.2). Files (`ca`, `issuerCert`, `issuerKey`) are read
 * here, relative to the scenario's directory, so the spec carries their PEM text to every generator process;
 * `clientCert`/`clientKey` are per-station templates read by each station at its first connect.
 */
export function readSecurity(p: Problems, v: unknown, path: Path, baseDir = '.'): SecuritySpec {
  const m = readMap(p, v, path, SECURITY_KEYS);
  if (!m) return DEFAULTS.security;
  const f = new Fields(p, m, path);
  const profile = f.opt<SecuritySpec['profile']>('profile', DEFAULTS.security.profile, securityProfile);
  if (profile < 2) for (const k of TLS_KEYS) if (f.has(k)) p.add(f.at(k), `${k} is only used with profile 2 or 3 (TLS)`);
  if (profile === 2) for (const k of CLIENT_KEYS) if (f.has(k)) p.add(f.at(k), `${k} is only used with profile 3 (client certificates)`);
  if (profile === 0) {
    if (f.has('password')) p.add(f.at('password'), 'a password is only used with profile: 1 or profile: 2 (HTTP Basic)');
    return { profile };
  }
  const out: SecuritySpec = { profile };
  if (profile === 3) {
    if (f.has('password')) p.add(f.at('password'), 'profile 3 authenticates with client certificates, not a password');
  } else {
    // SecurityCtrlr.BasicAuthPassword: 16..64 characters, used as plain UTF-8 text.
    const password = f.req('password', '', string({ maxLength: 64 }));
    if (password && password.length < 16) {
      p.add(f.at('password'), `the Basic-auth password must be 16..64 characters long (got ${password.length})`);
    }
    out.password = password;
  }
  if (profile < 2) return out;
  const ca = f.maybe('ca', pemFile(baseDir, 'certificate'));
  if (ca !== undefined) out.ca = ca;
  if (profile === 3) readClientCertificates(p, f, baseDir, out);
  return out;
}

function readClientCertificates(p: Problems, f: Fields, baseDir: string, out: SecuritySpec): void {
  out.organization = f.opt('organization', DEFAULT_ORGANIZATION, string({ maxLength: 64 }));
  const pair = (a: string, b: string): boolean => {
    if (f.has(a) !== f.has(b)) p.add(f.at(f.has(a) ? b : a), `${a} and ${b} go together`);
    return f.has(a) && f.has(b);
  };
  const files = pair('clientCert', 'clientKey');
  const issuer = pair('issuerCert', 'issuerKey');
  if (files && issuer) {
    p.add(f.at('issuerCert'), 'give either clientCert/clientKey (files per station) or issuerCert/issuerKey (a CA issuing them), not both');
    return;
  }
  if (files) {
    const cert = f.req('clientCert', '', template(baseDir));
    const key = f.req('clientKey', '', template(baseDir));
    if (cert && key) out.clientCert = { cert, key };
  }
  if (issuer) {
    const cert = f.req('issuerCert', '', pemFile(baseDir, 'certificate'));
    const key = f.req('issuerKey', '', pemFile(baseDir, 'key'));
    if (cert && key) out.issuer = { cert, key };
  }
}

const securityProfile: Reader<SecuritySpec['profile']> = (p, v, path) => {
  if (v === 0 || v === 1 || v === 2 || v === 3) return v;
  p.add(path, `expected ${PROFILE_TEXT}, got ${describe(v)}`);
  return undefined;
};

/** A PEM file (read now): a certificate file must hold at least one readable certificate, a key file a private key. */
function pemFile(baseDir: string, kind: 'certificate' | 'key'): Reader<string> {
  return (p, v, path) => {
    if (typeof v !== 'string' || v === '') {
      p.add(path, `expected the path of a PEM ${kind} file, got ${describe(v)}`);
      return undefined;
    }
    const file = resolve(baseDir, v);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      p.add(path, code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file} (${code ?? (e as Error).message})`);
      return undefined;
    }
    try {
      if (kind === 'certificate') new X509Certificate(text);
      else createPrivateKey(text);
    } catch {
      p.add(path, `${file} holds no readable PEM ${kind === 'key' ? 'private key' : 'certificate'}`);
      return undefined;
    }
    return text;
  };
}

/** A per-station file template: must name each station (`{serial}` or `{id}`); its directory must exist. Absolute path out. */
function template(baseDir: string): Reader<string> {
  return (p, v, path) => {
    if (typeof v !== 'string' || v === '') {
      p.add(path, `expected a file path template such as certs/{serial}.pem, got ${describe(v)}`);
      return undefined;
    }
    if (!v.includes('{serial}') && !v.includes('{id}')) {
      p.add(path, `"${v}" must contain {serial} or {id}: every station has its own certificate`);
      return undefined;
    }
    const file = resolve(baseDir, v);
    const dir = dirname(file);
    if (!dir.includes('{') && !(existsSync(dir) && statSync(dir).isDirectory())) {
      p.add(path, `directory not found: ${dir}`);
      return undefined;
    }
    return file;
  };
}

/**
 * Cross-check with the target (after `--target` overrides): profiles 2/3 need wss://, and profile 3 against
 * a CSMS other than the embedded one needs client certificates to present. Returns the problem, or null.
 */
export function securityTargetProblem(security: SecuritySpec, target: string | undefined): string | null {
  if (security.profile < 2 || target === undefined) return null;
  if (!target.startsWith('wss://')) return `security profile ${security.profile} needs a wss:// target (TLS), got ${target}`;
  if (security.profile === 3 && !security.clientCert && !security.issuer) {
    return 'security profile 3 against an external CSMS needs client certificates: clientCert/clientKey or issuerCert/issuerKey';
  }
  return null;
}
