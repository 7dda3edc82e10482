import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, integer, isRaw, listOf, readMap, string, type Reader } from '../read.js';
import { ATTACK_TYPE_IDS, type AlertIntakeSpec, type DetectionSpec } from '../spec.js';
import { bool } from './params.js';

/** Alert fields a mapping may name (the alert intake's AlertField). */
export const ALERT_FIELDS = ['id', 'ts', 'category', 'severity', 'station', 'evse', 'token', 'tokenHash', 'ip', 'fleet', 'score', 'evidence'] as const;

export const DETECTION_DEFAULTS: DetectionSpec = Object.freeze({
  warmup: 0,
  delta: 2_000,
  strict: true,
  fleetMinStations: 3,
  alerts: Object.freeze({ pollInterval: 5_000, mapping: Object.freeze({}) }),
  categories: Object.freeze({}),
});

const KEYS = ['warmup', 'delta', 'strict', 'tail', 'fleetMinStations', 'alerts', 'categories', 'maintenance', 'groundTruth'] as const;
const ALERT_KEYS = ['listen', 'file', 'poll', 'pollInterval', 'mapping'] as const;

/** `detection:` — warm-up, matching rules, alert intake and where the ground truth goes (ATTACKS.md §4). */
export function readDetection(p: Problems, v: unknown, path: Path): DetectionSpec {
  const m = readMap(p, v, path, KEYS);
  if (!m) return DETECTION_DEFAULTS;
  const f = new Fields(p, m, path);
  const d = DETECTION_DEFAULTS;
  const out: DetectionSpec = {
    warmup: f.opt('warmup', d.warmup, duration({ min: 0 })),
    delta: f.opt('delta', d.delta, duration({ min: 0, max: 600_000 })),
    strict: f.opt('strict', d.strict, bool),
    fleetMinStations: f.opt('fleetMinStations', d.fleetMinStations, integer({ min: 1 })),
    alerts: f.has('alerts') ? readAlerts(p, m.alerts, f.at('alerts')) : d.alerts,
    categories: f.opt('categories', d.categories, categories),
  };
  const tail = f.maybe('tail', duration({ min: 0, max: 3_600_000 }));
  if (tail !== undefined) out.tail = tail;
  const maintenance = f.maybe('maintenance', listOf(string({ maxLength: 100 }), { minItems: 1, single: true }));
  if (maintenance !== undefined) out.maintenance = maintenance;
  const gt = f.maybe('groundTruth', string());
  if (gt !== undefined) out.groundTruth = gt;
  return out;
}

function readAlerts(p: Problems, v: unknown, path: Path): AlertIntakeSpec {
  const m = readMap(p, v, path, ALERT_KEYS);
  if (!m) return DETECTION_DEFAULTS.alerts;
  const f = new Fields(p, m, path);
  const out: AlertIntakeSpec = {
    pollInterval: f.opt('pollInterval', DETECTION_DEFAULTS.alerts.pollInterval, duration({ min: 100 })),
    mapping: f.opt('mapping', DETECTION_DEFAULTS.alerts.mapping, mapping),
  };
  const listen = f.maybe('listen', integer({ min: 0, max: 65_535 }));
  if (listen !== undefined) out.listen = listen;
  const file = f.maybe('file', string());
  if (file !== undefined) out.file = file;
  const poll = f.maybe('poll', url);
  if (poll !== undefined) out.poll = poll;
  return out;
}

const url: Reader<string> = (p, v, path) => {
  if (typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v)) return v;
  p.add(path, `expected an http:// or https:// URL to poll for alerts, got ${describe(v)}`);
  return undefined;
};

const dotted = string({ maxLength: 200 });

// `mapping: { station: labels.station_id, category: [labels.alertname, annotations.kind] }`
const mapping: Reader<Record<string, string | readonly string[]>> = (p, v, path) => {
  const m = readMap(p, v, path, ALERT_FIELDS);
  if (!m) return undefined;
  const out: Record<string, string | readonly string[]> = {};
  for (const [k, x] of Object.entries(m)) {
    const r = Array.isArray(x) ? listOf(dotted, { minItems: 1 })(p, x, [...path, k]) : dotted(p, x, [...path, k]);
    if (r !== undefined) out[k] = r;
  }
  return out;
};

// `categories: { A06: [token-enumeration, auth-fail-burst] }` replaces the default row of A06.
const categories: Reader<Record<string, readonly string[]>> = (p, v, path) => {
  if (!isRaw(v)) {
    p.add(path, `expected a map of attack type → list of alert categories, got ${describe(v)}`);
    return undefined;
  }
  const m = readMap(p, v, path, ATTACK_TYPE_IDS.filter((t) => t.startsWith('A')));
  if (!m) return undefined;
  const out: Record<string, readonly string[]> = {};
  for (const [k, x] of Object.entries(m)) {
    const r = listOf(string({ maxLength: 100 }), { minItems: 1, single: true })(p, x, [...path, k]);
    if (r !== undefined) out[k] = r;
  }
  return out;
};
