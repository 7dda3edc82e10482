import type { AttackImpl } from '../types.js';

/**
 * F02 connector Faulted flapping (a fault, not an attack): a connector of the target with no transaction reports
 * Faulted, then Available `period` later, and so on (StatusNotification each time; no sessions start while it is
 * Faulted). It ends Available. A good IDS flags it as maintenance.
 */
export const F02: AttackImpl = {
  type: 'F02',
  title: 'connector Faulted flapping (fault)',
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const period = env.params.period as number;
    const evse = st.evses[env.rng.int(0, st.evses.length - 1)]!;
    let faulted = false;
    try {
      await env.every(1000 / period, () => {
        if (!st.online || evse.tx) return;
        faulted = !faulted;
        env.malicious();
        evse.setStatus(faulted ? 'Faulted' : evse.operative ? 'Available' : 'Unavailable');
      });
    } finally {
      if (faulted && !evse.tx) {
        env.malicious();
        evse.setStatus(evse.operative ? 'Available' : 'Unavailable');
      }
    }
  },
};
