import type { AttackImpl } from '../types.js';

/**
 * F03 connectivity flaps (benign): the target's network drops (TCP gone without a closing handshake) and stays
 * down for `outage`; the station keeps charging, queues its TransactionEvents with `offline: true`, reconnects with
 * its back-off (no new BootNotification) and flushes the backlog. Repeats until the instance ends: each drop is
 * one event of the window, which lasts until the backlog is delivered. A driver plugs in first if the station is
 * idle, so there is something to queue. A good IDS stays silent.
 */
export const F03: AttackImpl = {
  type: 'F03',
  title: 'connectivity flaps with offline backlog (benign)',
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const outage = env.params.outage as number;
    if (!st.evses.some((e) => e.tx)) st.freeEvse()?.beginSession();
    let downUntil = 0;
    const prev = st.hooks;
    st.hooks = { ...prev, networkDown: () => env.nowMs() < downUntil };
    try {
      while (env.active) {
        if (!(await env.waitFor(() => st.online))) break;
        await env.sleep(Math.min(outage / 2, 5000));
        if (!env.active) break;
        downUntil = env.nowMs() + outage;
        env.malicious();
        st.dropConnection();
        await env.sleep(outage);
        // Back online and the backlog delivered: the end of this flap's effect.
        if (await env.waitFor(() => st.online && st.txQueue.length === 0, 200, env.deadlineMs + 60_000)) env.recorder.effectUntil(env.nowMs());
      }
    } finally {
      downUntil = 0;
      st.hooks = prev;
    }
  },
};
