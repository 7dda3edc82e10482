import type { Payload } from '../../ocpp/session.js';
import { Category } from './alert.js';
import { stationEntity, type Ctx } from './context.js';
import { addDistinct, Level, levelAlert } from './primitives.js';
import type { StationDet } from './station.js';

/** Token types a CSMS hands out or that carry no identity: not guesses (A11 covers their misuse). */
const NOT_GUESSES = new Set(['Central', 'NoAuthorization']);
/** idTokenInfo statuses that say the CSMS does not honour the token. */
const REFUSED = new Set(['Unknown', 'Invalid', 'Blocked', 'Expired', 'NotAllowedTypeEVSE', 'NotAtThisLocation', 'NotAtThisTime']);

/**
 * TransactionEvent with an idToken the CSMS refused (A06 by transactions, ATTACKS.md §3: a station without local
 * authorization starts with whatever token is presented): distinct refused tokens at one station within
 * `tokenWindowMs` (an exact set, capped at `tokenSetCap`) → token-brute-force at `tokenDistinctAlert`. Events of
 * remote starts and CSMS-issued token types are left to the A11 rules. `answer` is the handlers' answer.
 */
export function onRefusedTxToken(ctx: Ctx, sd: StationDet, p: Payload, answer: Payload, nowMs: number): void {
  const idToken = p.idToken as Payload | undefined;
  const status = (answer.idTokenInfo as Payload | undefined)?.status;
  if (typeof idToken?.idToken !== 'string' || typeof status !== 'string' || !REFUSED.has(status)) return;
  if (NOT_GUESSES.has(String(idToken.type)) || p.triggerReason === 'RemoteStart' || (p.transactionInfo as Payload | undefined)?.remoteStartId !== undefined) return;
  const t = ctx.t;
  const token = idToken.idToken.toLowerCase();
  const n = addDistinct(sd.refusedTxTokens ??= [], sd.refusedTxTokenMs ??= [], token, nowMs, t.tokenWindowMs, t.tokenSetCap);
  if (levelAlert(sd, Level.txTokens, n, t.tokenDistinctAlert)) {
    ctx.alert(nowMs, Category.tokenBruteForce, 'high', stationEntity(sd), {
      rule: 'L2.distinct-refused-tx-tokens', distinctTokens: n, windowMs: t.tokenWindowMs, threshold: t.tokenDistinctAlert,
      status, lastToken: idToken.idToken,
    }, n / t.tokenDistinctAlert);
  }
}
