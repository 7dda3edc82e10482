/**
 * Battery swapping on the embedded CSMS (OCPP 2.1 block S, FLOWS.md §6). BatterySwap events are answered `{}` (the
 * response has no status: a swap event cannot be refused) and followed per station by requestId: BatteryIn then
 * BatteryOut (or BatteryOutTimeout) with the same requestId — a remote swap reuses the RequestBatterySwap's id. The
 * scheduled command RequestBatterySwap (2.1 only) asks a station to swap for an app user.
 */
import type { Payload } from '../../ocpp/session.js';
import type { CommandBuilder } from '../commands.js';
import { EMPTY, type HandlerContext, type HandlerTable } from '../context.js';
import type { StationView } from '../state.js';

/** Swaps per station kept until they complete; the oldest are forgotten beyond this. */
const MAX_OPEN_SWAPS = 32;

interface SwapSeen {
  remote: boolean;
  in?: Payload;
}

/** Per-station swap state (read it with `swapState(csms.station(id))`). */
export class SwapState {
  /** Open swaps by requestId: requested remotely and/or BatteryIn seen. */
  readonly open = new Map<number, SwapSeen>();
  completed = 0;
  timeouts = 0;
  /** BatteryOut/BatteryOutTimeout without a BatteryIn of the same requestId. */
  unmatched = 0;
  /** Last SoC (%) seen per battery serial number, in or out. */
  readonly batteries = new Map<string, number>();
}

const STATES = new WeakMap<object, SwapState>();

export function swapState(view: StationView): SwapState {
  let s = STATES.get(view);
  if (!s) STATES.set(view, (s = new SwapState()));
  return s;
}

export function peekSwapState(view: StationView | undefined): SwapState | undefined {
  return view ? STATES.get(view) : undefined;
}

function remember(s: SwapState, requestId: number, seen: SwapSeen): void {
  s.open.set(requestId, seen);
  if (s.open.size > MAX_OPEN_SWAPS) s.open.delete(s.open.keys().next().value!);
}

/** BatterySwap (S01/S02): `{}`; the event is matched with the swap of its requestId. */
function batterySwap(ctx: HandlerContext, p: Payload): Payload {
  const s = swapState(ctx.state);
  const c = ctx.core.counters;
  for (const b of p.batteryData as Payload[]) s.batteries.set(b.serialNumber, b.soC);
  const seen = s.open.get(p.requestId);
  switch (p.eventType) {
    case 'BatteryIn':
      c.count(c.useCases, 'swap.batteryIn');
      if (seen) seen.in = p;
      else remember(s, p.requestId, { remote: false, in: p });
      break;
    case 'BatteryOut':
    case 'BatteryOutTimeout': {
      const out = p.eventType === 'BatteryOut';
      c.count(c.useCases, out ? 'swap.batteryOut' : 'swap.outTimeout');
      if (!seen?.in) { s.unmatched++; c.count(c.useCases, 'swap.unmatched'); break; }
      s.open.delete(p.requestId);
      if (out) { s.completed++; if (seen.remote) c.count(c.useCases, 'swap.remoteCompleted'); } else s.timeouts++;
      break;
    }
  }
  return EMPTY;
}

export const batterySwapHandlers: HandlerTable = {
  BatterySwap: batterySwap,
};

/** RequestBatterySwap (S02, 2.1 only): an app user's swap, with a fresh requestId the station's events reuse. */
const requestBatterySwap: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const requestId = c.nextId();
  const idToken = typeof c.params.idToken === 'string' ? c.params.idToken : `app-user-${requestId}`;
  remember(swapState(c.state), requestId, { remote: true });
  return { idToken: { idToken, type: 'Central' }, requestId };
};

export const SWAP_COMMANDS = {
  RequestBatterySwap: requestBatterySwap,
} as const satisfies Record<string, CommandBuilder>;
