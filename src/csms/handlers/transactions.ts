import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type HandlerContext, type HandlerTable } from '../context.js';
import { energyRegisterWh } from '../meter.js';
import { SeqKind } from '../state.js';
import { idTokenInfo, inUseElsewhere } from './authorization.js';
import { observeV2xMeter } from '../usecases/v2x.js';
import { tariffTxAnswer } from '../usecases/tariffs.js';

/**
 * TransactionEvent (E01-E15, FLOWS.md §3.4): tracks every transaction's seqNos (gaps, duplicates, late
 * arrivals — what the load tests use to prove no event was lost or reordered), offline events, and energy from
 * the Energy.Active.Import.Register readings. Answers idTokenInfo when the event carries an idToken.
 */
function transactionEvent(ctx: HandlerContext, p: Payload): Payload {
  const { core, state } = ctx;
  const s = core.counters;
  const now = core.nowMs();
  const info = p.transactionInfo as Payload;
  s.txEvents++;
  let tx = state.tx(info.transactionId);
  if (tx === undefined) {
    tx = state.openTx(info.transactionId);
    tx.startedMs = now;
    s.txStarted++;
  } else if (tx.ended) s.txAfterEnded++;
  tx.events++;
  const missingBefore = tx.missing;
  const kind = tx.observeSeq(p.seqNo);
  s.seq(kind, tx.missing - missingBefore);
  // A repeated seqNo or an event for an ended transaction changes nothing (replays are answered idempotently,
  // ATTACKS.md A10): no state rewind, no energy counted twice.
  const idToken = p.idToken as Payload | undefined;
  if (kind === SeqKind.Duplicate || tx.ended) return idToken === undefined ? EMPTY : { idTokenInfo: idTokenInfo(core, idToken) };
  tx.eventType = p.eventType;
  if (p.eventType === 'Started') tx.started = true;
  if (p.offline === true) { tx.offlineEvents++; s.txOfflineEvents++; }
  const evse = p.evse as Payload | undefined;
  if (evse !== undefined) {
    tx.evseId = evse.id;
    if (evse.connectorId !== undefined) tx.connectorId = evse.connectorId;
  }
  if (info.chargingState !== undefined) tx.chargingState = info.chargingState;
  if (info.remoteStartId !== undefined && tx.remoteStartId === undefined) {
    tx.remoteStartId = info.remoteStartId;
    s.txRemoteStarted++;
  }
  if (p.meterValue !== undefined) {
    const wh = energyRegisterWh(p.meterValue);
    if (!Number.isNaN(wh)) s.energyWh += tx.observeRegister(wh);
    observeV2xMeter(ctx, tx, p.meterValue); // per-station import/export figures (V2X, FLOWS.md §5.3)
  }
  if (p.eventType === 'Ended' && !tx.ended) {
    if (tx.idToken !== undefined && core.tokensInUse.get(tx.idToken.toLowerCase())?.tx === tx) core.tokensInUse.delete(tx.idToken.toLowerCase());
    tx.ended = true;
    tx.endedMs = now;
    tx.stoppedReason = info.stoppedReason;
    s.txEnded++;
    state.closeTx(tx);
  }
  // Tariffs and payments (FLOWS.md §7): a web payment's maxCost, the confirmed final cost.
  const extra = tariffTxAnswer(ctx, tx, p);
  if (idToken === undefined) return extra ?? EMPTY;
  if (p.eventType !== 'Ended' && !tx.ended && inUseElsewhere(ctx, idToken)) return { idTokenInfo: CONCURRENT, ...extra };
  if (tx.idToken === undefined) tx.idToken = idToken.idToken;
  if (!tx.ended && p.eventType !== 'Ended' && idToken.type !== 'Central' && idToken.type !== 'NoAuthorization') {
    core.tokensInUse.set(String(idToken.idToken).toLowerCase(), { state, tx });
  }
  return extra ? { idTokenInfo: idTokenInfo(core, idToken), ...extra } : { idTokenInfo: idTokenInfo(core, idToken) };
}

const CONCURRENT: Payload = Object.freeze({ status: 'ConcurrentTx' });

/** MeterValues outside transactions (J01/J02): counted, not added to transaction energy. */
function meterValues(ctx: HandlerContext): Payload {
  ctx.core.counters.meterValues++;
  return EMPTY;
}

export const transactionHandlers: HandlerTable = {
  TransactionEvent: transactionEvent,
  MeterValues: meterValues,
};
