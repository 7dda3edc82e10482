import { toEpochMs } from '../../detection/time.js';
import type { Alert, AlertEntity } from '../../detection/types.js';

/** The fields of a normalised alert a mapping can fill. */
export type AlertField = 'id' | 'ts' | 'category' | 'severity' | 'station' | 'evse' | 'token' | 'tokenHash' | 'ip' | 'fleet' | 'score' | 'evidence';

/** Dotted paths into a received alert (`labels.station_id`), one or several tried in order. */
export type FieldPaths = Partial<Record<AlertField, string | readonly string[]>>;

/** A resolved mapping: per field, the paths to try in order (the first one present wins). */
export interface AlertMapping {
  paths: Readonly<Record<AlertField, readonly string[]>>;
  /** Append `@<ts ms>` to the id: Alertmanager's fingerprint names a label set, not one firing of it. */
  idWithTs: boolean;
}

/**
 * The scenario's mapping. Top-level paths apply to both formats; `generic` and `alertmanager` to one. Paths given
 * are tried before the defaults, so naming `labels.station_id` adds to the defaults rather than replacing them.
 */
export interface AlertMappingOptions extends FieldPaths {
  generic?: FieldPaths;
  alertmanager?: FieldPaths & { idWithTs?: boolean };
}

export type AlertFormat = 'generic' | 'alertmanager';

/** The generic alert JSON of ATTACKS.md §4 (`{alertId, ts, category, severity, entity: {...}, score, evidence}`). */
export const GENERIC_PATHS: Readonly<Record<AlertField, readonly string[]>> = Object.freeze({
  id: ['alertId', 'id'],
  ts: ['ts', 'timestamp', 'time'],
  category: ['category', 'type', 'name'],
  severity: ['severity'],
  station: ['entity.stationId', 'stationId'],
  evse: ['entity.evseId', 'evseId'],
  token: ['entity.idToken', 'idToken'],
  tokenHash: ['entity.idTokenHash', 'idTokenHash'],
  ip: ['entity.ip', 'ip'],
  fleet: ['entity.fleet', 'fleet'],
  score: ['score'],
  evidence: ['evidence'],
});

/** Prometheus Alertmanager webhook (version 4) alerts and `GET /api/v2/alerts` items. */
export const ALERTMANAGER_PATHS: Readonly<Record<AlertField, readonly string[]>> = Object.freeze({
  id: ['fingerprint'],
  ts: ['startsAt'],
  category: ['labels.alertname'],
  severity: ['labels.severity'],
  station: ['labels.station_id', 'labels.stationId', 'labels.station', 'labels.charging_station', 'labels.identity'],
  evse: ['labels.evse_id', 'labels.evseId', 'labels.evse'],
  token: ['labels.id_token', 'labels.idToken', 'labels.token'],
  tokenHash: ['labels.id_token_hash', 'labels.idTokenHash', 'labels.token_hash'],
  ip: ['labels.ip', 'labels.source_ip', 'labels.client_ip', 'labels.remote_ip'],
  fleet: ['labels.fleet'],
  score: ['annotations.score', 'labels.score'],
  evidence: ['annotations'],
});

const FIELDS = Object.keys(GENERIC_PATHS) as AlertField[];
const list = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/** Resolves the scenario's mapping for both formats. */
export function resolveMappings(opts: AlertMappingOptions = {}): Record<AlertFormat, AlertMapping> {
  const build = (defaults: Readonly<Record<AlertField, readonly string[]>>, specific: FieldPaths | undefined): Readonly<Record<AlertField, readonly string[]>> => {
    const out = {} as Record<AlertField, readonly string[]>;
    for (const f of FIELDS) out[f] = Object.freeze([...new Set([...list(specific?.[f]), ...list(opts[f]), ...defaults[f]])]);
    return Object.freeze(out);
  };
  return {
    generic: { paths: build(GENERIC_PATHS, opts.generic), idWithTs: false },
    alertmanager: { paths: build(ALERTMANAGER_PATHS, opts.alertmanager), idWithTs: opts.alertmanager?.idWithTs ?? true },
  };
}

/** The value at a dotted path (`labels.station_id`, `alerts.0.labels`); a key holding dots is found whole too. */
export function getPath(obj: unknown, path: string): unknown {
  if (obj !== null && typeof obj === 'object' && path in (obj as object)) return (obj as Record<string, unknown>)[path];
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function first(obj: unknown, paths: readonly string[]): unknown {
  for (const p of paths) {
    const v = getPath(obj, p);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && ['true', '1', 'yes', 'fleet'].includes(v.toLowerCase()));
}

/** Key-sorted JSON, so the same alert always hashes the same. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

/** FNV-1a, 32 bit, hex: a content id for alerts that carry none (repeats of the same alert get the same id). */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Whether a received object is an Alertmanager alert (webhook item or API v2 item) rather than a generic one. */
export function isAlertmanagerAlert(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object') return false;
  const o = raw as Record<string, unknown>;
  return o.labels !== null && typeof o.labels === 'object' && typeof o.startsAt === 'string';
}

/**
 * Maps one received alert to the normalised Alert. Times become epoch ms (ISO strings, epoch s or ms); an alert
 * without a time gets `nowMs` (its arrival); one naming no station, token or ip is about the fleet; one without
 * an id gets a content hash as id.
 */
export function mapAlert(raw: unknown, mapping: AlertMapping, nowMs: number): { alert: Alert } | { error: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { error: 'an alert must be a JSON object' };
  const p = mapping.paths;
  const rawTs = first(raw, p.ts);
  const ts = rawTs === undefined ? nowMs : toEpochMs(rawTs);
  if (ts === undefined) return { error: `unreadable time ${JSON.stringify(rawTs)} (expected ISO-8601 or epoch s/ms)` };
  const id = text(first(raw, p.id));
  const alertId = id === undefined ? `h${fnv1a(canonical(raw))}` : mapping.idWithTs ? `${id}@${ts}` : id;

  const entity: AlertEntity = {};
  const station = text(first(raw, p.station));
  const evse = first(raw, p.evse);
  const token = text(first(raw, p.token));
  const tokenHash = text(first(raw, p.tokenHash));
  const ip = text(first(raw, p.ip));
  if (station !== undefined) entity.stationId = station;
  if (typeof evse === 'number' || typeof evse === 'string') entity.evseId = evse;
  if (token !== undefined) entity.idToken = token;
  if (tokenHash !== undefined) entity.idTokenHash = tokenHash;
  if (ip !== undefined) entity.ip = ip;
  if (truthy(first(raw, p.fleet)) || (station === undefined && token === undefined && tokenHash === undefined && ip === undefined)) entity.fleet = true;

  const alert: Alert = { alertId, ts, category: text(first(raw, p.category)) ?? 'unknown', entity };
  const severity = text(first(raw, p.severity));
  if (severity !== undefined) alert.severity = severity;
  const score = Number(first(raw, p.score));
  if (first(raw, p.score) !== undefined && Number.isFinite(score)) alert.score = score;
  const evidence = first(raw, p.evidence);
  if (evidence !== undefined) alert.evidence = evidence;
  return { alert };
}

/**
 * The alerts of one received payload: an Alertmanager webhook (`{version: "4", alerts: [...]}`), an array (generic
 * alerts or Alertmanager API v2 items, told apart per item) or a single generic alert object.
 */
export function alertsFromPayload(
  body: unknown, mappings: Record<AlertFormat, AlertMapping>, nowMs: number,
): { alerts: Alert[]; errors: string[] } {
  const alerts: Alert[] = [];
  const errors: string[] = [];
  const take = (raw: unknown, where: string): void => {
    const r = mapAlert(raw, isAlertmanagerAlert(raw) ? mappings.alertmanager : mappings.generic, nowMs);
    if ('alert' in r) alerts.push(r.alert);
    else errors.push(`${where}: ${r.error}`);
  };
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && Array.isArray((body as { alerts?: unknown }).alerts)) {
    (body as { alerts: unknown[] }).alerts.forEach((a, i) => {
      const r = mapAlert(a, mappings.alertmanager, nowMs);
      if ('alert' in r) alerts.push(r.alert);
      else errors.push(`alerts[${i}]: ${r.error}`);
    });
  } else if (Array.isArray(body)) {
    body.forEach((a, i) => take(a, `[${i}]`));
  } else {
    take(body, 'alert');
  }
  return { alerts, errors };
}

/**
 * Parses a body as one JSON document or, failing that, as JSON Lines. Undefined `error` on success; a JSONL body
 * reports the first bad line.
 */
export function parseAlertBody(body: string): { payloads: unknown[]; error?: undefined } | { payloads?: undefined; error: string } {
  const trimmed = body.trim();
  if (trimmed === '') return { error: 'empty body' };
  try {
    return { payloads: [JSON.parse(trimmed)] };
  } catch (e) {
    const lines = trimmed.split('\n');
    if (lines.length === 1) return { error: `not JSON: ${(e as Error).message}` };
    const payloads: unknown[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        payloads.push(JSON.parse(line));
      } catch (err) {
        return { error: `not JSON or JSON Lines: line ${i + 1}: ${(err as Error).message}` };
      }
    }
    return { payloads };
  }
}
