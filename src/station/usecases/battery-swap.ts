/**
 * Behaviour `battery-swap`: swap stations (OCPP 2.1 block S, FLOWS.md §6). Its EVSEs are battery slots and run no
 * charging sessions of their own; the station-wide swap process and the slot charging live in
 * battery-swap-station.ts and battery-swap-rack.ts. Answers RequestBatterySwap (2.1 only: on a 2.0.1 connection
 * the RPC layer answers it NotImplemented before it gets here).
 */
import type { Payload } from '../../ocpp/session.js';
import type { Evse } from '../evse.js';
import type { Station } from '../station.js';
import type { EvseHooks, StationCallHandler, UseCase } from './index.js';
import { swapStation } from './battery-swap-station.js';

/** RequestBatterySwap (S02): Accepted when a charged battery and a free slot wait, else Rejected/NoBatteryAvailable. */
function requestBatterySwap(st: Station, p: Payload): Payload {
  const s = swapStation(st);
  st.ctx.sink.count('battery_swap_requests');
  if (!s.canSwap()) {
    st.ctx.sink.count('battery_swaps_refused');
    return { status: 'Rejected', statusInfo: { reasonCode: 'NoBatteryAvailable' } };
  }
  const idToken = { idToken: String(p.idToken.idToken), type: String(p.idToken.type) };
  const requestId = p.requestId as number;
  // Answer first: the driver arrives and inserts the battery afterwards.
  queueMicrotask(() => { if (!s.begin(requestId, idToken, true)) st.ctx.sink.count('battery_swaps_refused'); });
  return { status: 'Accepted' };
}

/** The slot hooks: the station-wide process starts once per boot, from the first slot. */
function slotHooks(e: Evse): EvseHooks | undefined {
  if (e.id !== 1) return undefined;
  return { onOnline: () => swapStation(e.station).onOnline() };
}

const SWAP_HANDLERS: Readonly<Record<string, StationCallHandler>> = {
  RequestBatterySwap: requestBatterySwap,
};

/** The `battery-swap` behaviour (registered in usecases/index.ts). */
export const BATTERY_SWAP_USE_CASE: UseCase = {
  sessions: false,
  evse: slotHooks,
  handlers: SWAP_HANDLERS,
};
