import type { Payload } from '../../ocpp/session.js';
import type { Station } from '../../station/station.js';
import type { AttackEnv } from '../env.js';
import { reactionsOf } from '../reactions.js';
import type { AttackImpl } from '../types.js';

type Mode = 'downgrade-boot' | 'unsolicited-status' | 'invalid-signature';

// A disallowed firmware is quarantined: BootNotification Pending (ATTACKS.md A13). Notifications are answered.
const PENDING = [{ kind: 'status', value: 'Pending' }] as const;
const ANSWERED = [{ kind: 'callresult', value: 'ok' }] as const;
/** How long the downgraded station keeps presenting the old version before it reports its real one again. */
const DOWNGRADE_HOLD_MS = 5_000;

/** A version below `v` (`3.1.4-ab12` → `2.9.9`); `v` itself when nothing is below it. */
export function olderVersion(v: string): string {
  const m = /\d+(?:\.\d+)*/.exec(v);
  if (!m) return '0.0.1';
  const parts = m[0].split('.').map(Number);
  while (parts.length < 3) parts.push(0);
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]! > 0) {
      return [...parts.slice(0, i), parts[i]! - 1, ...parts.slice(i + 1).map(() => 9)].join('.');
    }
  }
  return v;
}

/**
 * The station reboots reporting reason FirmwareUpdate and an older firmware; each BootNotification it sends
 * while the hook is on (its own retries after Pending too) is malicious and its answer is recorded. The hook
 * comes off at the end, so the station's next retry presents its real version and gets back in.
 */
async function downgradeBoot(env: AttackEnv, st: Station): Promise<void> {
  const wanted = env.params.firmwareVersion as string;
  const version = wanted === 'older' ? olderVersion(st.identity.firmwareVersion) : wanted;
  const prev = st.hooks;
  let sentMs = 0;
  st.hooks = {
    ...prev,
    bootRequest: (p) => {
      prev.bootRequest?.(p);
      (p.chargingStation as Payload).firmwareVersion = version;
      sentMs = env.nowMs();
      env.malicious(sentMs);
    },
    bootAnswered: (p, out) => {
      prev.bootAnswered?.(p, out);
      const r = reactionsOf(out);
      env.reaction('BootNotification(FirmwareUpdate, older firmware)', sentMs, PENDING, r ? { atMs: env.nowMs(), reactions: r } : null);
    },
  };
  try {
    st.reboot('FirmwareUpdate');
    // Until the first answer, then a while in quarantine (the station retries on its own), within the window.
    await env.waitFor(() => sentMs > 0 && !st.online && st.link === 'pending', 100);
    await env.sleep(Math.min(DOWNGRADE_HOLD_MS, env.deadlineMs - env.nowMs()));
  } finally {
    st.hooks = prev;
  }
}

/**
 * A13 firmware downgrade / unsigned image. downgrade-boot: the target reboots (reason FirmwareUpdate) reporting
 * a firmware older than its own (once per instance; expected: BootNotification Pending). unsolicited-status:
 * FirmwareStatusNotification Installed for a requestId the CSMS never issued, at `rate`/s. invalid-signature:
 * FirmwareStatusNotification InvalidSignature plus SecurityEventNotification InvalidFirmwareSignature, at
 * `rate` pairs/s. The CSMS answers the notifications (and persists them) and raises a firmware alert.
 */
export const A13: AttackImpl = {
  type: 'A13',
  title: 'firmware downgrade / unsigned image',
  async run(env: AttackEnv): Promise<void> {
    const st = env.stations[0];
    if (!st) return;
    const mode = env.params.mode as Mode;
    if (mode === 'downgrade-boot') { await downgradeBoot(env, st); return; }
    await env.every(env.rate, async () => {
      if (!st.online) return;
      const requestId = env.rng.int(1_000_000, 0x7fffffff);
      if (mode === 'unsolicited-status') {
        await env.call(st, 'FirmwareStatusNotification', { status: 'Installed', requestId }, { expect: ANSWERED, frame: 'FirmwareStatusNotification(Installed, unsolicited)' });
        return;
      }
      await env.call(st, 'FirmwareStatusNotification', { status: 'InvalidSignature', requestId }, { expect: ANSWERED, frame: 'FirmwareStatusNotification(InvalidSignature)' });
      await env.call(st, 'SecurityEventNotification', { type: 'InvalidFirmwareSignature', timestamp: st.now(), techInfo: `requestId ${requestId}` },
        { expect: ANSWERED, frame: 'SecurityEventNotification(InvalidFirmwareSignature)' });
    });
  },
};
