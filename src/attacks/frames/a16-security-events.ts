import type { AttackImpl } from '../types.js';

/**
 * A16 station-reported security signals: SecurityEventNotification of the configured types (ATTACKS.md §2),
 * `burst` per attempt at `rate` attempts/s — tamper, cleared logs, failed maintenance logins, rogue-CSMS
 * symptoms. The CSMS must answer each and raise an alert (critical types at once, others by count).
 */
export const A16: AttackImpl = {
  type: 'A16',
  title: 'station-reported security events',
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const { events, burst } = env.params as { events: readonly string[]; burst: number };
    let k = 0;
    await env.every(env.rate, async () => {
      for (let b = 0; b < burst && st.online; b++) {
        const type = events[k++ % events.length]!;
        await env.call(st, 'SecurityEventNotification', { type, timestamp: st.now(), techInfo: 'chargestorm A16' },
          { expect: [{ kind: 'callresult', value: 'ok' }], frame: `SecurityEventNotification(${type})` });
      }
    });
  },
};
