import type { Payload } from '../../ocpp/session.js';
import type { AttackEnv } from '../env.js';
import type { AttackImpl } from '../types.js';

type Mode = 'unknown-remote-start-id' | 'charging-without-authorization' | 'no-authorization-token';

// What a CSMS must answer a session nobody authorized (ATTACKS.md A11): idTokenInfo.status Invalid.
const EXPECT = [{ kind: 'status', value: 'Invalid' }] as const;

/** The forged Started event of one mode, on EVSE `evse` under transaction `transactionId`. */
function started(mode: Mode, env: AttackEnv, now: string, transactionId: string, evse: Payload): Payload {
  const base = { eventType: 'Started', timestamp: now, seqNo: 0, evse };
  switch (mode) {
    case 'unknown-remote-start-id':
      // A remote start the CSMS never issued: an id from far above anything it hands out, a Central token of its own.
      return {
        ...base, triggerReason: 'RemoteStart',
        transactionInfo: { transactionId, chargingState: 'EVConnected', remoteStartId: env.rng.int(1_000_000, 0x7fffffff) },
        idToken: { idToken: `remote-${env.rng.int(0, 0xffffff).toString(16)}`, type: 'Central' },
      };
    case 'charging-without-authorization':
      // Energy flows from the first event on, with no token and no remote start behind it.
      return { ...base, triggerReason: 'ChargingStateChanged', transactionInfo: { transactionId, chargingState: 'Charging' } };
    case 'no-authorization-token':
      // Free vend claimed where it is not configured.
      return {
        ...base, triggerReason: 'Authorized', transactionInfo: { transactionId, chargingState: 'Charging' },
        idToken: { idToken: '', type: 'NoAuthorization' },
      };
  }
}

/**
 * A11 forged remote start / unauthorized session: the target reports transactions nobody authorized, at `rate`
 * sessions/s — a RemoteStart with a remoteStartId the CSMS never issued, Charging from the first event without
 * any authorization, or a NoAuthorization token — and records whether each Started got idTokenInfo Invalid. Each
 * forged transaction is ended right after the answer, so none is left open.
 */
export const A11: AttackImpl = {
  type: 'A11',
  title: 'forged remote start / unauthorized session',
  async run(env: AttackEnv): Promise<void> {
    const st = env.stations[0];
    if (!st) return;
    const mode = env.params.mode as Mode;
    await env.every(env.rate, async () => {
      if (!st.online) return;
      const e = st.freeEvse() ?? st.evses[0]!;
      const evse = { id: e.id, connectorId: e.connectorId };
      const transactionId = `atk-${env.rng.int(0, 0x7fffffff).toString(36)}${env.rng.int(0, 0x7fffffff).toString(36)}`;
      await env.call(st, 'TransactionEvent', started(mode, env, st.now(), transactionId, evse), { expect: EXPECT, frame: `TransactionEvent(Started, ${mode})` });
      await st.call('TransactionEvent', {
        eventType: 'Ended', timestamp: st.now(), triggerReason: 'Deauthorized', seqNo: 1, evse,
        transactionInfo: { transactionId, stoppedReason: 'DeAuthorized', chargingState: 'Idle' },
      });
    });
  },
};
