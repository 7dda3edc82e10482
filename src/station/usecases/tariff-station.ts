/**
 * Station-wide part of the `tariff` behaviour: its TariffStore (kept beside the Station in a WeakMap, so it
 * survives reconnects and station.ts carries no use-case fields) and the CSMS→station tariff and payment messages
 * (FLOWS.md §7): SetDefaultTariff, GetTariffs, ClearTariffs, ChangeTransactionTariff, CostUpdated,
 * NotifyWebPaymentStarted.
 */
import type { Payload } from '../../ocpp/session.js';
import type { Station } from '../station.js';
import type { StationCallHandler } from './index.js';
import { elementCount, MAX_TARIFF_ELEMENTS, TariffStore } from './tariff-store.js';
import type { TariffEvse } from './tariff.js';

const STORES = new WeakMap<Station, TariffStore>();

/** The tariffs of a station (created on first use). */
export function tariffStore(st: Station): TariffStore {
  let s = STORES.get(st);
  if (!s) STORES.set(st, (s = new TariffStore()));
  return s;
}

const hooksOf = (st: Station, evseId: number): TariffEvse | undefined => st.evses[evseId - 1]?.hooks as TariffEvse | undefined;

export const TARIFF_HANDLERS: Readonly<Record<string, StationCallHandler>> = {
  /** I01/I02: a default tariff for one EVSE or (evseId 0) all of them. */
  SetDefaultTariff(st, p) {
    const status = tariffStore(st).setDefault(p.evseId, p.tariff, st.evses.length);
    st.ctx.sink.count(status === 'Accepted' ? 'tariffs_applied' : 'tariffs_rejected');
    return { status };
  },

  /** I07: the tariffs assigned to an EVSE (0 = the whole station), default and driver tariffs. */
  GetTariffs(st, p) {
    if (p.evseId > st.evses.length) return { status: 'Rejected' };
    const tariffAssignments = tariffStore(st).assignments(p.evseId);
    return tariffAssignments.length > 0 ? { status: 'Accepted', tariffAssignments } : { status: 'NoTariff' };
  },

  /** I06: default tariffs by id and/or EVSE; running transactions keep their tariff. */
  ClearTariffs(st, p) {
    const clearTariffsResult = tariffStore(st).clear(p.tariffIds, p.evseId);
    const n = clearTariffsResult.filter((r) => r.status === 'Accepted').length;
    if (n > 0) st.ctx.sink.count('tariffs_cleared', n);
    return { clearTariffsResult };
  },

  /** I08: a new tariff for a running transaction, from now on. */
  ChangeTransactionTariff(st, p) {
    const evse = st.evses.find((e) => e.tx?.id === p.transactionId);
    if (!evse) return { status: 'TxNotFound' };
    if (elementCount(p.tariff) > MAX_TARIFF_ELEMENTS) return { status: 'TooManyElements' };
    const status = (evse.hooks as TariffEvse).changeTariff(p.tariff);
    if (status !== 'Accepted') st.ctx.sink.count('tariffs_rejected');
    return { status };
  },

  /** I03 (central cost): the CSMS's running total for a transaction, shown to the driver. */
  CostUpdated(st) {
    st.ctx.sink.count('cost_updates');
    return {};
  },

  /** C25: a QR/web payment started for an EVSE; local starts there wait until the remote start or the timeout. */
  NotifyWebPaymentStarted(st, p) {
    const hooks = hooksOf(st, p.evseId);
    if (hooks) {
      hooks.webPaymentStarted(p.timeout);
      st.ctx.sink.count('web_payments');
    }
    return {} as Payload;
  },
};
