import { isIP } from 'node:net';
import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, integer, listOf, oneOf, readMap, string, type Reader } from '../read.js';
import type { PortRange, ReconnectSpec, ScenarioSpec, Subprotocol, ValidationMode } from '../spec.js';

export const SUBPROTOCOLS: readonly Subprotocol[] = ['ocpp2.1', 'ocpp2.0.1'];
export const VALIDATION_MODES: readonly ValidationMode[] = ['strict', 'warn', 'off'];
/** Seeds are mixed as 32-bit unsigned integers (util/rng `mixSeed`). */
export const MAX_SEED = 0xffff_ffff;

/** The top-level settings, as the spec has them. */
export type General = Pick<ScenarioSpec,
  'name' | 'target' | 'protocols' | 'seed' | 'validation' | 'callTimeout' | 'maxConnecting' | 'localAddresses' | 'localPorts' | 'drainTimeout'>;

/** Top-level scalar settings (the sections with their own key are read elsewhere). */
export function readGeneral(f: Fields, fileName: string): General {
  const general: General = {
    name: f.opt('name', fileName, string({ maxLength: 100 })),
    protocols: f.opt('protocols', DEFAULTS.protocols, protocols),
    seed: f.opt('seed', DEFAULTS.seed, integer({ min: 0, max: MAX_SEED })),
    validation: f.opt('validation', DEFAULTS.validation, oneOf(VALIDATION_MODES)),
    callTimeout: f.opt('callTimeout', DEFAULTS.callTimeout, duration({ min: 0, above: true })),
    maxConnecting: f.opt('maxConnecting', DEFAULTS.maxConnecting, integer({ min: 1, max: 100_000 })),
    localAddresses: f.opt('localAddresses', DEFAULTS.localAddresses, listOf(ipAddress, { single: true })),
    localPorts: f.opt('localPorts', DEFAULTS.localPorts, portRange),
    drainTimeout: f.opt('drainTimeout', DEFAULTS.drainTimeout, duration({ min: 0 })),
  };
  const target = f.maybe('target', targetUrl);
  if (target !== undefined) general.target = target;
  return general;
}

const protocols: Reader<Subprotocol[]> = (p, v, path) => {
  const list = listOf(oneOf(SUBPROTOCOLS), { minItems: 1, single: true })(p, v, path);
  if (list && new Set(list).size !== list.length) {
    p.add(path, 'each subprotocol may be listed once');
    return undefined;
  }
  return list;
};

/** `from-to` (inclusive, 1024..65535) or `kernel`; an error text otherwise. */
export function parsePortRange(v: unknown): { range: PortRange | 'kernel' } | { error: string } {
  if (v === 'kernel') return { range: 'kernel' };
  const m = typeof v === 'string' ? /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(v) : null;
  if (!m) return { error: `expected a port range like 10000-65535, or kernel, got ${describe(v)}` };
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from < 1024 || to > 65535 || from > to) return { error: `expected from-to with 1024 <= from <= to <= 65535, got "${String(v)}"` };
  return { range: { from, to } };
}

const portRange: Reader<PortRange | 'kernel'> = (p, v, path) => {
  const r = parsePortRange(v);
  if ('error' in r) {
    p.add(path, r.error);
    return undefined;
  }
  return r.range;
};

const ipAddress: Reader<string> = (p, v, path) => {
  if (typeof v === 'string' && isIP(v) !== 0) return v;
  p.add(path, `expected an IPv4 or IPv6 address, got ${describe(v)}`);
  return undefined;
};

/**
 * A CSMS endpoint. The station URL is `target + "/" + id` (OCPP-J, FLOWS §1.1), so a query or fragment
 * would end up before the id; a trailing slash is dropped to avoid `//id`.
 */
export const targetUrl: Reader<string> = (p, v, path) => {
  if (typeof v !== 'string') {
    p.add(path, `expected a ws:// or wss:// URL, got ${describe(v)}`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    p.add(path, `"${v}" is not a URL — expected e.g. ws://127.0.0.1:9000/ocpp`);
    return undefined;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    p.add(path, `"${v}" must start with ws:// or wss:// (got ${url.protocol}//)`);
    return undefined;
  }
  if (url.search || url.hash) {
    p.add(path, `"${v}" must not have a query or fragment: the station id is appended to the path`);
    return undefined;
  }
  return v.replace(/\/+$/, '');
};

export { readSecurity } from './security.js';

/** `reconnect:` — OCPPCommCtrlr.RetryBackOff* (FLOWS §1.6). */
export function readReconnect(p: Problems, v: unknown, path: Path): ReconnectSpec {
  const m = readMap(p, v, path, ['waitMinimum', 'randomRange', 'repeatTimes']);
  if (!m) return DEFAULTS.reconnect;
  const f = new Fields(p, m, path);
  const d = DEFAULTS.reconnect;
  return {
    waitMinimum: f.opt('waitMinimum', d.waitMinimum, duration({ min: 0 })),
    randomRange: f.opt('randomRange', d.randomRange, duration({ min: 0 })),
    repeatTimes: f.opt('repeatTimes', d.repeatTimes, integer({ min: 0, max: 100 })),
  };
}
