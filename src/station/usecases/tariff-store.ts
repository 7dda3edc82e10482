/**
 * The tariffs a local-cost station holds (OCPP 2.1 I01-I07, FLOWS.md §7.1): default tariffs per EVSE (evseId 0 =
 * every EVSE; several per EVSE with different validFrom — the latest one that has started applies) and the driver
 * tariffs of running transactions (AuthorizeResponse.tariff). Pure data: the handlers in tariff.ts answer
 * SetDefaultTariff / GetTariffs / ClearTariffs from it.
 */
import type { Payload } from '../../ocpp/session.js';

/** Price elements a station accepts in one tariff (TariffCostCtrlr.MaxElements[Tariff]). */
export const MAX_TARIFF_ELEMENTS = 24;
/** Default tariffs kept per EVSE (the current one and a few future ones). */
export const MAX_TARIFFS_PER_EVSE = 4;

const PRICED = ['energy', 'chargingTime', 'idleTime', 'fixedFee', 'reservationTime', 'reservationFixed'] as const;

const validFromMs = (t: Payload): number => (typeof t.validFrom === 'string' ? Date.parse(t.validFrom) : -Infinity);

/** Number of price elements of a tariff. */
export function elementCount(t: Payload): number {
  let n = 0;
  for (const k of PRICED) n += (t[k]?.prices as unknown[] | undefined)?.length ?? 0;
  return n;
}

export interface DriverTariff { readonly tariff: Payload; readonly evseId: number; readonly idToken: string }

export class TariffStore {
  /** evseId (0 = all) → its default tariffs. */
  private readonly defaults = new Map<number, Payload[]>();
  /** Running transactions' driver tariffs, by transactionId. */
  readonly drivers = new Map<string, DriverTariff>();

  get size(): number {
    let n = 0;
    for (const l of this.defaults.values()) n += l.length;
    return n;
  }

  /** SetDefaultTariff (I01): TariffSetStatusEnumType. */
  setDefault(evseId: number, tariff: Payload, evseCount: number): string {
    if (evseId > evseCount) return 'Rejected';
    if (elementCount(tariff) > MAX_TARIFF_ELEMENTS) return 'TooManyElements';
    // One tariffId names one tariff: the same id with other content elsewhere is a duplicate (the CSMS must
    // choose a new id for new prices); at the same EVSE it replaces the old one.
    const text = JSON.stringify(tariff);
    for (const [at, list] of this.defaults) {
      if (at !== evseId && list.some((t) => t.tariffId === tariff.tariffId && JSON.stringify(t) !== text)) return 'DuplicateTariffId';
    }
    const list = (this.defaults.get(evseId) ?? []).filter((t) => t.tariffId !== tariff.tariffId);
    if (list.length >= MAX_TARIFFS_PER_EVSE) return 'TooManyElements';
    list.push(tariff);
    list.sort((a, b) => validFromMs(a) - validFromMs(b));
    this.defaults.set(evseId, list);
    return 'Accepted';
  }

  /** The default tariff in force at `nowMs` on EVSE `evseId`: its own, else the station-wide one. */
  defaultFor(evseId: number, nowMs: number): Payload | undefined {
    return current(this.defaults.get(evseId), nowMs) ?? current(this.defaults.get(0), nowMs);
  }

  /** GetTariffs (I07): the assignments that apply to `evseId` (0 = all of the station). */
  assignments(evseId: number): Payload[] {
    const out: Payload[] = [];
    for (const [at, list] of [...this.defaults].sort((a, b) => a[0] - b[0])) {
      if (evseId !== 0 && at !== 0 && at !== evseId) continue;
      for (const t of list) {
        const a: Payload = { tariffId: t.tariffId, tariffKind: 'DefaultTariff', evseIds: [at] };
        if (t.validFrom !== undefined) a.validFrom = t.validFrom;
        out.push(a);
      }
    }
    for (const d of this.drivers.values()) {
      if (evseId !== 0 && d.evseId !== evseId) continue;
      out.push({ tariffId: d.tariff.tariffId, tariffKind: 'DriverTariff', evseIds: [d.evseId], idTokens: [d.idToken] });
    }
    return out;
  }

  /** ClearTariffs (I06): default tariffs only — running transactions keep theirs. */
  clear(tariffIds: readonly string[] | undefined, evseId: number | undefined): Payload[] {
    const cleared = new Set<string>();
    for (const [at, list] of this.defaults) {
      if (evseId !== undefined && at !== evseId) continue;
      const keep = list.filter((t) => {
        const hit = tariffIds === undefined || tariffIds.includes(t.tariffId);
        if (hit) cleared.add(t.tariffId);
        return !hit;
      });
      if (keep.length > 0) this.defaults.set(at, keep);
      else this.defaults.delete(at);
    }
    const results: Payload[] = [...cleared].map((tariffId) => ({ tariffId, status: 'Accepted' }));
    for (const id of tariffIds ?? []) if (!cleared.has(id)) results.push({ tariffId: id, status: 'NoTariff' });
    return results.length > 0 ? results : [{ status: 'NoTariff' }];
  }
}

function current(list: Payload[] | undefined, nowMs: number): Payload | undefined {
  if (!list) return undefined;
  let found: Payload | undefined;
  for (const t of list) if (validFromMs(t) <= nowMs) found = t;
  return found;
}
