import type { Payload } from '../../ocpp/session.js';
import type { Station } from '../../station/station.js';
import type { AttackEnv } from '../env.js';
import type { AttackImpl } from '../types.js';
import { charging } from './session.js';

// A correct CSMS refuses a token that is in a transaction elsewhere (C01): AuthorizeResponse ConcurrentTx.
const CONCURRENT = [{ kind: 'status', value: 'ConcurrentTx' }] as const;

/**
 * A07 idToken cloning: a driver's token, charging at the first target, is copied and used at the second.
 * `concurrent`: while the original transaction runs, the clone presents it at `rate`/s — Authorize (expected
 * ConcurrentTx) and a TransactionEvent Started with it on a free EVSE (ended again at once, whatever the answer).
 * `impossible-travel`: the original session ends (the driver leaves) and the clone is used right after at the
 * second target — the stations carry no location, so "impossible" is the time between the two uses (the
 * detector's minimum travel time). Scope: both stations and the token.
 */
export const A07: AttackImpl = {
  type: 'A07',
  title: 'idToken cloning',
  async run(env) {
    const [home, away] = env.stations;
    if (!home || !away) return;
    const evse = await charging(env, home);
    const tx = evse?.tx;
    if (!evse || !tx || !tx.idToken) return;
    const idToken = { idToken: tx.idToken.idToken, type: tx.idToken.type } as Payload;
    env.scope.token(idToken.idToken);
    if (env.params.mode === 'impossible-travel') {
      evse.endSession('Local', 'StopAuthorized');
      // The Ended event is on its way; the clone appears at the other station a moment later.
      await env.sleep(500);
      await cloneUse(env, away, idToken, false);
      return;
    }
    await env.every(env.rate, async () => {
      if (evse.tx?.id !== tx.id || !away.online) return;
      await cloneUse(env, away, idToken, true);
    });
  },
};

/** The clone at `st`: Authorize, then a transaction Started with the token on a free EVSE, ended at once. */
async function cloneUse(env: AttackEnv, st: Station, idToken: Payload, concurrent: boolean): Promise<void> {
  await env.call(st, 'Authorize', { idToken }, concurrent ? { expect: CONCURRENT } : {});
  const evse = st.freeEvse();
  if (!evse || !st.online) return;
  const transactionId = `clone-${env.plan.id}-${env.rng.int(0, 0x7fffffff).toString(36)}`;
  const base = { transactionInfo: { transactionId }, evse: { id: evse.id, connectorId: evse.connectorId } };
  const out = await env.call(st, 'TransactionEvent', {
    ...base, eventType: 'Started', timestamp: st.now(), triggerReason: 'Authorized', seqNo: 0, idToken,
  }, { frame: 'TransactionEvent(Started)' });
  const status = out.ok ? out.payload.idTokenInfo?.status : undefined;
  await st.call('TransactionEvent', {
    eventType: 'Ended', timestamp: st.now(), triggerReason: status === 'Accepted' ? 'StopAuthorized' : 'Deauthorized', seqNo: 1,
    transactionInfo: { transactionId, stoppedReason: status === 'Accepted' ? 'Local' : 'DeAuthorized' },
  });
}
