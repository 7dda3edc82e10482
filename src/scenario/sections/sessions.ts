import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, integer, isRaw, number, oneOf, ratio, readMap, string, type Reader } from '../read.js';
import type { IdTokenSource, SessionModel } from '../spec.js';
import { distribution, durationQuantity, kiloQuantity, percentQuantity } from './distribution.js';

const SESSION_KEYS = [
  'arrivalsPerEvsePerHour', 'authorizeDelay', 'plugDuration', 'energyKwh', 'batteryKwh', 'initialSocPercent', 'carMaxKw',
  'idTokens', 'meterInterval', 'stopByTokenRatio',
] as const;

/** idToken types the station can generate realistic values for (FLOWS §3.1). */
export const FAKER_TOKEN_TYPES = ['ISO14443', 'ISO15693', 'eMAID', 'Central', 'KeyCode', 'Local', 'MacAddress'] as const;
// IdTokenType.idToken maxLength in 2.1 (36 in 2.0.1, checked against `protocols` later).
const MAX_TOKEN_LENGTH = 255;
// IdTokenType.type is a string ≤ 20 in 2.1.
const MAX_TOKEN_TYPE_LENGTH = 20;

// 2.0.1's closed IdTokenEnumType and idToken maxLength (FLOWS §1.8): a 2.0.1 fallback must still send valid tokens.
const TOKEN_TYPES_201 = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'];
const MAX_TOKEN_LENGTH_201 = 36;

/**
 * `sessions:` — the EV/driver model. Every field has a default, so the whole section is optional.
 * `offers201`: `protocols` includes ocpp2.0.1, so listed idTokens must also be valid 2.0.1 tokens.
 */
export function readSessions(p: Problems, v: unknown, path: Path, offers201: boolean): SessionModel {
  const m = readMap(p, v, path, SESSION_KEYS);
  if (!m) return DEFAULTS.sessions;
  const f = new Fields(p, m, path);
  const d = DEFAULTS.sessions;
  return {
    arrivalsPerEvsePerHour: f.opt('arrivalsPerEvsePerHour', d.arrivalsPerEvsePerHour, number({ min: 0, max: 3600 })),
    authorizeDelay: f.opt('authorizeDelay', d.authorizeDelay, distribution(durationQuantity({ min: 0 }))),
    plugDuration: f.opt('plugDuration', d.plugDuration, distribution(durationQuantity({ min: 0, above: true }))),
    energyWh: f.opt('energyKwh', d.energyWh, distribution(kiloQuantity('kWh', { min: 0, above: true }))),
    batteryWh: f.opt('batteryKwh', d.batteryWh, distribution(kiloQuantity('kWh', { min: 0, above: true }))),
    initialSoc: f.opt('initialSocPercent', d.initialSoc, distribution(percentQuantity)),
    carMaxPowerW: f.opt('carMaxKw', d.carMaxPowerW, distribution(kiloQuantity('kW', { min: 0, above: true }))),
    idTokens: f.opt('idTokens', d.idTokens, idTokens(offers201)),
    // SampledDataCtrlr.TxUpdatedInterval is an integer number of seconds.
    meterInterval: f.opt('meterInterval', d.meterInterval, wholeSeconds),
    stopByTokenRatio: f.opt('stopByTokenRatio', d.stopByTokenRatio, ratio()),
  };
}

const wholeSeconds: Reader<number> = (p, v, path) => {
  const ms = duration({ min: 1000 })(p, v, path);
  if (ms !== undefined && ms % 1000 !== 0) {
    p.add(path, 'must be a whole number of seconds (it becomes SampledDataCtrlr.TxUpdatedInterval)');
    return undefined;
  }
  return ms;
};

// `{source: faker, type, poolSize}` or `{list: [...], type?}` where list items are strings or `{idToken, type}`.
const idTokens = (offers201: boolean): Reader<IdTokenSource> => (p, v, path) => {
  const m = readMap(p, v, path, ['source', 'type', 'poolSize', 'list']);
  if (!m) return undefined;
  const f = new Fields(p, m, path);
  const source = f.opt('source', f.has('list') ? 'list' : 'faker', oneOf(['faker', 'list'] as const));
  if (source === 'faker') {
    if (f.has('list')) p.add(f.at('list'), "'list' needs source: list");
    const d = DEFAULTS.sessions.idTokens;
    return {
      source,
      type: f.opt('type', d.source === 'faker' ? d.type : 'ISO14443', oneOf(FAKER_TOKEN_TYPES)),
      poolSize: f.opt('poolSize', d.source === 'faker' ? d.poolSize : 10_000, integer({ min: 1, max: 10_000_000 })),
    };
  }
  if (f.has('poolSize')) p.add(f.at('poolSize'), "'poolSize' applies to source: faker only");
  const defaultType = f.opt('type', 'ISO14443', tokenType);
  if (offers201 && Array.isArray(m.list) && m.list.some((x) => typeof x === 'string')) {
    fits201(p, '', defaultType, f.at('type'), f.at('type'));
  }
  const list = f.req<{ idToken: string; type: string }[] | undefined>('list', undefined, tokenList(defaultType, offers201));
  return list ? { source, tokens: list } : undefined;
};

const tokenType = string({ maxLength: MAX_TOKEN_TYPE_LENGTH });

function tokenList(defaultType: string, offers201: boolean): Reader<{ idToken: string; type: string }[]> {
  return (p, v, path) => {
    if (!Array.isArray(v) || v.length === 0) {
      p.add(path, `expected a non-empty list of idTokens, got ${describe(v)}`);
      return undefined;
    }
    const out: { idToken: string; type: string }[] = [];
    v.forEach((item, i) => {
      const at = [...path, i];
      if (typeof item === 'string' || typeof item === 'number') {
        const idToken = tokenString(p, item, at);
        // The shared default type is checked once, at idTokens.type.
        if (idToken !== undefined && (!offers201 || fits201(p, idToken, defaultType, at, undefined))) {
          out.push({ idToken, type: defaultType });
        }
        return;
      }
      if (!isRaw(item)) {
        p.add(at, `expected an idToken string or {idToken, type}, got ${describe(item)}`);
        return;
      }
      const t = new Fields(p, readMap(p, item, at, ['idToken', 'type']) ?? {}, at);
      const idToken = t.req('idToken', '', tokenString);
      const type = t.opt('type', defaultType, tokenType);
      if (idToken && (!offers201 || fits201(p, idToken, type, t.at('idToken'), t.has('type') ? t.at('type') : at))) {
        out.push({ idToken, type });
      }
    });
    return out.length === v.length ? out : undefined;
  };
}

// Numbers are refused rather than converted: YAML has already turned `0123` into 123 and `1E5` into 100000.
const tokenString: Reader<string> = (p, v, path) => {
  if (typeof v === 'number') {
    p.add(path, `idToken ${v} was read as a number; quote it ("...") so YAML keeps it as written`);
    return undefined;
  }
  return string({ maxLength: MAX_TOKEN_LENGTH })(p, v, path);
};

function fits201(p: Problems, idToken: string, type: string, tokenPath: Path, typePath: Path | undefined): boolean {
  const hint = 'protocols offers ocpp2.0.1; remove it from protocols or use a 2.0.1-compatible token';
  let ok = true;
  if (idToken.length > MAX_TOKEN_LENGTH_201) {
    p.add(tokenPath, `idToken is ${idToken.length} characters; 2.0.1 allows ${MAX_TOKEN_LENGTH_201} (${hint})`);
    ok = false;
  }
  if (typePath && !TOKEN_TYPES_201.includes(type)) {
    p.add(typePath, `idToken type '${type}' does not exist in 2.0.1 (${hint})`);
    ok = false;
  }
  return ok;
}
