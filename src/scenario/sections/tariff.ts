import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, number, ratio, readMap, string, type Reader } from '../read.js';
import type { CsmsTariffSpec, TariffGroupSpec } from '../spec.js';

const GROUP_KEYS = ['runningCost', 'runningCostInterval', 'cardPayments', 'authorizationAmount', 'authorizeDirectPayment', 'vatNumbers'] as const;
const CSMS_KEYS = [
  'tariffId', 'currency', 'priceKwh', 'chargingPriceMinute', 'idlePriceMinute', 'idleGrace', 'fixedFee', 'vatPercent', 'offPeak',
  'minCost', 'maxCost', 'afterBoot',
] as const;
const OFF_PEAK_KEYS = ['from', 'to', 'priceKwh'] as const;

const bool: Reader<boolean> = (p, v, path) => {
  if (typeof v === 'boolean') return v;
  p.add(path, `expected true or false, got ${describe(v)}`);
  return undefined;
};
const money = number({ min: 0, max: 1_000_000 });

/**
 * `stations[].tariff` — local cost and the payment terminal of a `tariff` group (FLOWS.md §7). Absent: the
 * defaults. Only a `tariff` group may have it (reported by the caller).
 */
export function readTariffGroup(p: Problems, v: unknown, path: Path): TariffGroupSpec {
  const d = DEFAULTS.tariff;
  if (v === undefined || v === null) return d;
  const m = readMap(p, v, path, GROUP_KEYS);
  if (!m) return d;
  const f = new Fields(p, m, path);
  return {
    runningCost: f.opt('runningCost', d.runningCost, bool),
    // 0 = none; otherwise at least a second, so a typo cannot flood the CSMS with cost events.
    runningCostInterval: f.opt('runningCostInterval', d.runningCostInterval, nonZeroAtLeast(1000)),
    cardPaymentRatio: f.opt('cardPayments', d.cardPaymentRatio, ratio()),
    authorizationAmount: f.opt('authorizationAmount', d.authorizationAmount, number({ min: 0, above: true, max: 1_000_000 })),
    authorizeDirectPayment: f.opt('authorizeDirectPayment', d.authorizeDirectPayment, bool),
    vatNumberRatio: f.opt('vatNumbers', d.vatNumberRatio, ratio()),
  };
}

function nonZeroAtLeast(min: number): Reader<number> {
  return (p, v, path) => {
    const ms = duration({ min: 0 })(p, v, path);
    if (ms !== undefined && ms > 0 && ms < min) {
      p.add(path, `must be 0 (none) or at least ${min / 1000}s`);
      return undefined;
    }
    return ms;
  };
}

// "HH:MM", 24 h with leading zeros (TariffConditionsType.startTimeOfDay).
const timeOfDay = string({ pattern: /^([01][0-9]|2[0-3]):[0-5][0-9]$/, patternHint: 'use "HH:MM" (24 h, e.g. "22:00")' });

/** `csms.tariff` — the embedded CSMS's default tariff (FLOWS.md §7.1). Absent: undefined (no tariffs sent). */
export function readCsmsTariff(p: Problems, v: unknown, path: Path): CsmsTariffSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const d = DEFAULTS.csmsTariff;
  const m = readMap(p, v, path, CSMS_KEYS);
  if (!m) return undefined;
  const f = new Fields(p, m, path);
  const out: CsmsTariffSpec = {
    tariffId: f.opt('tariffId', d.tariffId, string({ maxLength: 60 })),
    currency: f.opt('currency', d.currency, string({ pattern: /^[A-Z]{3}$/, patternHint: 'use an ISO 4217 code such as "EUR"' })),
    priceKwh: f.opt('priceKwh', d.priceKwh, money),
    chargingPriceMinute: f.opt('chargingPriceMinute', d.chargingPriceMinute, money),
    idlePriceMinute: f.opt('idlePriceMinute', d.idlePriceMinute, money),
    idleGrace: f.opt('idleGrace', d.idleGrace, duration({ min: 0, max: 86_400_000 })),
    fixedFee: f.opt('fixedFee', d.fixedFee, money),
    vatPercent: f.opt('vatPercent', d.vatPercent, number({ min: 0, max: 100 })),
    afterBoot: f.opt('afterBoot', d.afterBoot, bool),
  };
  const offPeak = f.maybe('offPeak', readOffPeak);
  if (offPeak) out.offPeak = offPeak;
  const minCost = f.maybe('minCost', money);
  const maxCost = f.maybe('maxCost', money);
  if (minCost !== undefined) out.minCost = minCost;
  if (maxCost !== undefined) out.maxCost = maxCost;
  if (minCost !== undefined && maxCost !== undefined && minCost > maxCost) p.add(f.at('minCost'), `minCost (${minCost}) is above maxCost (${maxCost})`);
  return out;
}

const readOffPeak: Reader<NonNullable<CsmsTariffSpec['offPeak']>> = (p, v, path) => {
  const m = readMap(p, v, path, OFF_PEAK_KEYS);
  if (!m) return undefined;
  const f = new Fields(p, m, path);
  const from = f.req('from', '00:00', timeOfDay);
  const to = f.req('to', '00:00', timeOfDay);
  const priceKwh = f.req('priceKwh', 0, money);
  if (from === to) p.add(f.at('to'), `the window ${from}-${to} is empty`);
  return { from, to, priceKwh };
};
