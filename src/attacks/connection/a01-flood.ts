import { encodeCall } from '../../ocpp/framing.js';
import type { Payload } from '../../ocpp/session.js';
import type { Station } from '../../station/station.js';
import type { AttackEnv } from '../env.js';
import type { Rogue } from '../rogue.js';
import type { AttackImpl } from '../types.js';
import { attackSource } from './source.js';

/** Paced ticks per second at most: a high rate is sent as small batches, not one timer per frame. */
const MAX_TICKS = 20;
/** How long an extra socket of mode `sockets` is held open when the CSMS does not close it. */
const SOCKET_HOLD_MS = 2_000;
/** How long after the flood a close of the CSMS still counts as its reaction. */
const CLOSE_WAIT_MS = 1_000;

/**
 * A01 message / connection flood on one identity (ATTACKS.md §3), four modes:
 * - `messages`: schema-valid `action` CALLs written straight onto the target station's own socket at `rate`/s,
 *   without waiting for answers (a flooder does not), so the CSMS sees one identity far above its budget.
 *   Expected: the CSMS throttles and finally closes the socket with 1008 (policy).
 * - `reconnect`: an upgrade storm for the identity (`rate` upgrades/s with its credentials; each accepted socket is
 *   closed at once). The real station is dropped first, so no socket is a duplicate. Expected: HTTP 429/503.
 * - `oversized`: frames of `frameBytes` (≥ 1 MiB by default) on the station's socket. Expected: close 1009.
 * - `sockets`: extra sockets for the online identity (`rate`/s, each held up to 2 s). Expected: each refused,
 *   close 1008 (or HTTP 429/503 at the upgrade).
 * After a close the station reconnects by its own back-off; the flood goes on once it is back (one reaction per
 * closed connection). After the instance it comes back the same way.
 */
export const A01: AttackImpl = {
  type: 'A01',
  title: 'message / connection flood',
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const mode = env.params.mode as string;
    const src = attackSource(env, st);
    const closes = watchCloses(env, st, mode === 'oversized' ? 1009 : 1008);
    try {
      switch (mode) {
        case 'messages': await messages(env, st, closes.mark); break;
        case 'oversized': await oversized(env, st, closes.mark); break;
        case 'reconnect': await reconnectStorm(env, st, src.localAddress); break;
        case 'sockets': await sockets(env, st, src.localAddress); break;
        default: throw new Error(`A01: unknown mode ${mode}`);
      }
    } finally {
      await closes.done();
    }
  },
};

/**
 * Records, for each of the station's connections the flood is sent on, the close code the CSMS ended it with
 * (expected `code`), or that it never closed it (null) when the instance ends.
 */
function watchCloses(env: AttackEnv, st: Station, code: number): { mark(atMs: number): void; done(): Promise<void> } {
  const frame = code === 1009 ? 'oversized frame' : 'message flood';
  let firstMs: number | null = null;
  const prev = st.hooks;
  st.hooks = {
    ...prev,
    closed: (c) => {
      prev.closed?.(c);
      if (firstMs === null) return;
      env.reaction(frame, firstMs, [{ kind: 'close', value: code }], { atMs: env.nowMs(), reactions: [{ kind: 'close', value: c }] });
      firstMs = null;
    },
  };
  return {
    /** A malicious frame went out on the station's current connection at `atMs`. */
    mark: (atMs) => { env.malicious(atMs); if (firstMs === null) firstMs = atMs; },
    done: async () => {
      // The last frames' close may still be on its way.
      if (firstMs !== null) await env.waitFor(() => firstMs === null, 20, env.nowMs() + CLOSE_WAIT_MS);
      st.hooks = prev;
      if (firstMs !== null) env.reaction(frame, firstMs, [{ kind: 'close', value: code }], null);
    },
  };
}

function floodPayload(action: string, st: Station): Payload {
  switch (action) {
    case 'StatusNotification': {
      const e = st.evses[0];
      return { timestamp: st.now(), connectorStatus: e?.status ?? 'Available', evseId: e?.id ?? 1, connectorId: 1 };
    }
    case 'DataTransfer': return { vendorId: 'org.chargestorm', messageId: 'flood' };
    default: return {};
  }
}

async function messages(env: AttackEnv, st: Station, mark: (atMs: number) => void): Promise<void> {
  const action = env.params.action as string;
  const ticks = Math.min(env.rate, MAX_TICKS);
  let n = 0;
  await env.every(ticks, (k) => {
    const due = Math.floor(((k + 1) * env.rate) / ticks) - Math.floor((k * env.rate) / ticks);
    if (!st.online) return;
    const now = env.nowMs();
    for (let i = 0; i < due; i++) {
      if (!st.session.sendRaw(encodeCall(`flood-${env.plan.id}-${n++}`, action, floodPayload(action, st)))) break;
      mark(now);
    }
    env.count('a01_frames', due);
  });
}

async function oversized(env: AttackEnv, st: Station, mark: (atMs: number) => void): Promise<void> {
  const bytes = env.params.frameBytes as number;
  const head = `[2,"big-${env.plan.id}-`;
  let n = 0;
  await env.every(env.rate, () => {
    if (!st.online) return;
    const prefix = `${head}${n++}","DataTransfer",{"vendorId":"org.chargestorm","messageId":"oversized","data":"`;
    const tail = '"}]';
    const frame = prefix + 'A'.repeat(Math.max(0, bytes - prefix.length - tail.length)) + tail;
    const now = env.nowMs();
    if (st.session.sendRaw(frame)) { mark(now); env.count('a01_oversized'); }
  });
}

async function reconnectStorm(env: AttackEnv, st: Station, localAddress: string | undefined): Promise<void> {
  st.dropConnection();
  // The CSMS must have seen the real connection go before the storm, or the first upgrade is a duplicate.
  await env.waitFor(() => st.conn === null, 20);
  let firstMs: number | null = null;
  let refused = false;
  const expect = [{ kind: 'http' as const, value: [429, 503] }];
  await env.every(env.rate, async () => {
    const sentMs = env.nowMs();
    env.malicious(sentMs);
    firstMs ??= sentMs;
    const res = await env.rogue({ identity: st.id, serialNumber: st.identity.serialNumber, ...(localAddress ? { localAddress } : {}) });
    env.count('a01_upgrades');
    if (res.ok) { res.rogue.conn?.terminate(); return; }
    if (!refused && res.status !== undefined && (res.status === 429 || res.status === 503)) {
      refused = true;
      env.reaction('upgrade storm', firstMs, expect, { atMs: res.atMs, reactions: [{ kind: 'http', value: res.status }] });
    }
  });
  if (!refused && firstMs !== null) env.reaction('upgrade storm', firstMs, expect, null);
}

async function sockets(env: AttackEnv, st: Station, localAddress: string | undefined): Promise<void> {
  const open = new Set<Rogue>();
  const expectClose = [{ kind: 'close' as const, value: 1008 }];
  const held: Promise<void>[] = [];
  await env.every(env.rate, async () => {
    const sentMs = env.nowMs();
    env.malicious(sentMs);
    const res = await env.rogue({ identity: st.id, serialNumber: st.identity.serialNumber, ...(localAddress ? { localAddress } : {}) });
    env.count('a01_sockets');
    if (!res.ok) {
      const status = res.status;
      env.reaction('extra socket', sentMs, [{ kind: 'http', value: [429, 503] }],
        status !== undefined ? { atMs: res.atMs, reactions: [{ kind: 'http', value: status }] } : null);
      return;
    }
    const r = res.rogue;
    open.add(r);
    held.push(r.closed(SOCKET_HOLD_MS).then((code) => {
      open.delete(r);
      env.reaction('extra socket', sentMs, expectClose, code === null ? null : { atMs: r.closeAtMs, reactions: [{ kind: 'close', value: code }] });
      if (code === null) r.close();
    }));
  });
  await Promise.all(held);
  for (const r of open) r.close();
}
