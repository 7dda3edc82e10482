import type { Payload } from '../../ocpp/session.js';
import { Category } from './alert.js';
import { recentlyCommanded, stationEntity, type Ctx } from './context.js';
import { instantRules, intervalRules, keepSample, powerState } from './meter.js';
import { addDistinct, fnvStep, Level, levelAlert, mixNumber } from './primitives.js';
import { parseTs, readSample, Sample } from './sample.js';
import type { StationDet, TxDet } from './station.js';

const sample = new Sample();
const INVALID: Payload = Object.freeze({ idTokenInfo: Object.freeze({ status: 'Invalid' }) });
const CONCURRENT: Payload = Object.freeze({ idTokenInfo: Object.freeze({ status: 'ConcurrentTx' }) });
/** Tokens that are no person's card: the CSMS's own remote-start token, free vend. */
const SHARED_TOKEN_TYPES = new Set(['Central', 'NoAuthorization']);
/** Starts and stops that a command of ours or a reboot explains: not evidence of synchronised switching. */
const COMMANDED_TRIGGERS = new Set(['RemoteStart', 'RemoteStop', 'ResetCommand', 'UnlockCommand', 'Trigger', 'AbnormalCondition']);

/** A hash of what makes an event this event: an identical retry hashes the same, a tampered copy does not. */
function eventHash(p: Payload): number {
  let h = 0x811c9dc5;
  h = fnvStep(h, String(p.eventType));
  h = fnvStep(h, String(p.timestamp));
  h = fnvStep(h, String(p.triggerReason));
  const info = p.transactionInfo as Payload | undefined;
  h = fnvStep(h, String(info?.chargingState));
  h = fnvStep(h, String(info?.stoppedReason));
  if (typeof info?.remoteStartId === 'number') h = mixNumber(h, info.remoteStartId);
  h = fnvStep(h, p.offline === true ? 'o' : '-');
  const tok = (p.idToken as Payload | undefined)?.idToken;
  if (typeof tok === 'string') h = fnvStep(h, tok);
  const mvs = p.meterValue;
  if (Array.isArray(mvs)) {
    for (const mv of mvs as Payload[]) {
      if (mv === null || typeof mv !== 'object') continue;
      h = fnvStep(h, String(mv.timestamp));
      const svs = mv.sampledValue;
      if (Array.isArray(svs)) for (const sv of svs as Payload[]) if (typeof sv?.value === 'number') h = mixNumber(h, sv.value);
    }
  }
  return h;
}

function txEvidence(rule: string, p: Payload, tx: TxDet | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    rule, transactionId: (p.transactionInfo as Payload | undefined)?.transactionId, eventType: p.eventType, seqNo: p.seqNo,
    timestamp: p.timestamp, triggerReason: p.triggerReason, ...(tx ? { lastSeqNo: tx.lastSeq } : {}), ...extra,
  };
}

/**
 * TransactionEvent (A07, A08-A12): lifecycle and replay first — an event that is a duplicate, a regression or
 * arrives after Ended is answered as the handlers did (idempotently) and goes no further; fresh events then feed
 * the token, remote-start, authorization and meter rules. Returns the (possibly amended) answer.
 */
export function onTransactionEvent(ctx: Ctx, sd: StationDet, p: Payload, answer: Payload, nowMs: number): Payload {
  const info = p.transactionInfo as Payload | undefined;
  const txId = info?.transactionId;
  const seqNo = p.seqNo;
  if (typeof txId !== 'string' || typeof seqNo !== 'number') return answer;
  const t = ctx.t;
  const eventType = p.eventType as string;
  const offline = p.offline === true;
  const tsMs = parseTs(p.timestamp);
  const hash = eventHash(p);
  let tx = sd.tx(txId);
  let gap = false;
  if (tx === undefined) {
    tx = sd.addTx(txId, nowMs);
    tx.started = eventType === 'Started';
  } else {
    tx.touchedMs = nowMs;
    if (seqNo === tx.lastSeq) {
      // The same seqNo again: an identical copy is a retry (F03, benign); a different one is a replay or tamper.
      if (hash !== tx.lastHash) ctx.alert(nowMs, Category.replay, 'high', stationEntity(sd), txEvidence('L1.divergent-duplicate', p, tx));
      return answer;
    }
    if (seqNo < tx.lastSeq) {
      // Stations deliver one transaction's events in order and move on only after an answer (E04): an older
      // seqNo arriving later was already acknowledged, so it is a replay.
      ctx.alert(nowMs, Category.replay, 'high', stationEntity(sd), txEvidence('L1.seqno-regression', p, tx));
      return answer;
    }
    if (tx.ended || eventType === 'Started') {
      ctx.alert(nowMs, Category.replay, 'high', stationEntity(sd), txEvidence(tx.ended ? 'L1.event-after-ended' : 'L1.started-twice', p, tx));
      return answer;
    }
    if (seqNo > tx.lastSeq + 1) gap = true;
    if (tsMs < tx.lastTsMs - t.skewMs) {
      ctx.alert(nowMs, Category.replay, 'medium', stationEntity(sd), txEvidence('L1.timestamp-regression', p, tx, { previousTimestampMs: tx.lastTsMs }));
    }
  }
  tx.lastSeq = seqNo;
  tx.lastHash = hash;
  if (!(tsMs < tx.lastTsMs)) tx.lastTsMs = tsMs;
  // An online event from long ago is a replay (A10); its readings are from the past and stay out of the meter rules.
  const stale = !offline && nowMs - tsMs > t.staleMs;
  if (stale) {
    ctx.alert(nowMs, Category.replay, 'medium', stationEntity(sd), txEvidence('L1.stale-online-event', p, tx, { ageMs: Math.round(nowMs - tsMs) }));
  }
  const evse = p.evse as Payload | undefined;
  if (typeof evse?.id === 'number') tx.evseId = evse.id;
  let out = answer;

  // --- authorization: idToken (A06 resolution, A07), remoteStartId (A11), charging without authorization (A11)
  const idToken = p.idToken as Payload | undefined;
  if (typeof idToken?.idToken === 'string') {
    const type = String(idToken.type);
    const token = idToken.idToken.toLowerCase();
    if (type === 'NoAuthorization' && eventType !== 'Ended') {
      ctx.alert(nowMs, Category.unauthorizedSession, 'medium', stationEntity(sd, tx.evseId), txEvidence('L1.no-authorization-token', p, tx));
    } else tx.authorized = true;
    resolveToken(sd, token);
    if (!SHARED_TOKEN_TYPES.has(type) && eventType !== 'Ended') {
      if (clashes(ctx, sd, tx, token, nowMs)) {
        ctx.alert(nowMs, Category.tokenClone, 'high', { stationId: sd.id, idToken: idToken.idToken },
          txEvidence('L1.token-concurrent', p, tx, { otherStation: ctx.tokens.get(token)!.sd.id, otherTransaction: ctx.tokens.get(token)!.tx.id }));
        if (ctx.o.concurrentTx === 'reject') { out = CONCURRENT; ctx.actions.concurrentTx++; }
      } else {
        const left = travelled(ctx, sd, token, nowMs);
        if (left !== undefined) {
          ctx.alert(nowMs, Category.tokenClone, 'high', { stationId: sd.id, idToken: idToken.idToken },
            txEvidence('L1.token-travel', p, tx, { otherStation: left.sd.id, sinceEndedMs: nowMs - left.ms, minTravelMs: t.tokenTravelMs }));
        }
      }
      tx.token = token;
      ctx.tokens.set(token, { sd, tx });
    }
  }
  const remoteStartId = info?.remoteStartId;
  if (typeof remoteStartId === 'number' || p.triggerReason === 'RemoteStart') {
    if (typeof remoteStartId === 'number' && sd.issuedRemoteStart(remoteStartId)) tx.authorized = true;
    else if (eventType !== 'Ended') {
      ctx.alert(nowMs, Category.forgedRemoteStart, 'high', stationEntity(sd, tx.evseId),
        txEvidence('L1.remote-start-not-issued', p, tx, { remoteStartId: remoteStartId ?? null }));
      out = invalidate(ctx, sd, tx, txId);
    }
  }
  if (info?.chargingState === 'Charging' && tx.started && !tx.authorized && out !== INVALID) {
    ctx.alert(nowMs, Category.unauthorizedSession, 'high', stationEntity(sd, tx.evseId), txEvidence('L1.charging-without-authorization', p, tx));
    out = invalidate(ctx, sd, tx, txId);
  }

  // --- meter physics (A08, A09, A12a/c, F01)
  const e = stale ? undefined : sd.evse(tx.evseId, t);
  if (e !== undefined) {
    if (eventType === 'Started' || (e.txId !== null && e.txId !== txId)) e.resetSample();
    if (typeof p.numberOfPhasesUsed === 'number') { e.kind = 1; e.phases = p.numberOfPhasesUsed; }
    const mvs = p.meterValue;
    if (Array.isArray(mvs)) {
      for (const mv of mvs) {
        if (!readSample(mv, sample)) continue;
        instantRules(ctx, sd, e, tx, sample, nowMs);
        if (e.txId === txId && !gap) intervalRules(ctx, sd, e, tx, sample, nowMs);
        powerState(ctx, sd, e, tx, sample.powerW, nowMs);
        keepSample(e, sample, txId, seqNo);
        gap = false;
      }
    }
    if (gap) { e.tsMs = NaN; e.wh = NaN; e.powerW = NaN; }
    if (eventType === 'Ended') {
      if (!Number.isNaN(e.beginWh) && !Number.isNaN(e.wh) && e.wh < e.beginWh - t.registerEpsWh) {
        ctx.alert(nowMs, Category.underReporting, 'high', stationEntity(sd, e.id), txEvidence('L1.end-below-begin', p, tx, { beginWh: e.beginWh, endWh: e.wh }));
      }
      powerState(ctx, sd, e, tx, 0, nowMs);
      e.resetSample();
    }
  }

  // --- fleet synchronicity (A12b): uncommanded, online starts and stops
  if ((eventType === 'Started' || eventType === 'Ended') && !offline && !COMMANDED_TRIGGERS.has(String(p.triggerReason))
    && !recentlyCommanded(ctx, sd, nowMs)) {
    ctx.fleet.txBoundary(eventType, sd, nowMs);
  }
  if (eventType === 'Ended') {
    tx.ended = true;
    if (tx.token !== null && ctx.tokens.get(tx.token)?.tx === tx) {
      ctx.tokens.delete(tx.token);
      endedAt(ctx, sd, tx.token, nowMs);
    }
  }
  return out;
}

/** True when the token is in an open transaction at another station that is still around (A07). */
function clashes(ctx: Ctx, sd: StationDet, tx: TxDet, token: string, nowMs: number): boolean {
  const other = ctx.tokens.get(token);
  if (other === undefined || other.tx === tx || other.sd === sd) return false;
  if (other.tx.ended || nowMs - other.sd.lastFrameMs > ctx.t.tokenActiveMs) { ctx.tokens.delete(token); return false; }
  return true;
}

/** Remembers where and when a token's transaction ended (kept `tokenTravelMs`, oldest dropped first). */
function endedAt(ctx: Ctx, sd: StationDet, token: string, nowMs: number): void {
  const m = ctx.tokenEnded;
  m.delete(token);
  m.set(token, { sd, ms: nowMs });
  for (const [k, v] of m) {
    if (nowMs - v.ms <= ctx.t.tokenTravelMs) break;
    m.delete(k);
  }
}

/** The station where the token's transaction ended less than `tokenTravelMs` ago, when it is another one (A07). */
function travelled(ctx: Ctx, sd: StationDet, token: string, nowMs: number): { sd: StationDet; ms: number } | undefined {
  const e = ctx.tokenEnded.get(token);
  if (e === undefined || e.sd === sd) return undefined;
  return nowMs - e.ms < ctx.t.tokenTravelMs ? e : undefined;
}

function invalidate(ctx: Ctx, sd: StationDet, tx: TxDet, txId: string): Payload {
  ctx.actions.invalidatedTx++;
  if (ctx.o.stopForgedTx && !tx.ended) { ctx.stopTx(sd.id, txId); ctx.actions.stopsRequested++; }
  return INVALID;
}

/** A token used in a transaction here is no longer an unexplained Authorize (A06). */
function resolveToken(sd: StationDet, token: string): void {
  const list = sd.tokens;
  if (list === null) return;
  const i = list.indexOf(token);
  if (i >= 0) { list.splice(i, 1); sd.tokenMs!.splice(i, 1); }
}

/**
 * Authorize (A06, A07): distinct idTokens presented at one station within `tokenWindowMs` and not followed by a
 * transaction using them (an exact set, capped); a token already in a transaction at another station. Returns
 * the answer, replaced by ConcurrentTx when that is the policy.
 */
export function onAuthorize(ctx: Ctx, sd: StationDet, p: Payload, answer: Payload, nowMs: number): Payload {
  const idToken = p.idToken as Payload | undefined;
  if (typeof idToken?.idToken !== 'string') return answer;
  const t = ctx.t;
  const token = idToken.idToken.toLowerCase();
  const n = addDistinct(sd.tokens ??= [], sd.tokenMs ??= [], token, nowMs, t.tokenWindowMs, t.tokenSetCap);
  if (levelAlert(sd, Level.authorizeTokens, n, t.tokenDistinctAlert)) {
    ctx.alert(nowMs, Category.tokenBruteForce, 'high', stationEntity(sd), {
      rule: 'L2.distinct-unused-tokens', distinctTokens: n, windowMs: t.tokenWindowMs, threshold: t.tokenDistinctAlert,
      status: (answer.idTokenInfo as Payload | undefined)?.status, lastToken: idToken.idToken,
    }, n / t.tokenDistinctAlert);
  }
  if (SHARED_TOKEN_TYPES.has(String(idToken.type))) return answer;
  const left = travelled(ctx, sd, token, nowMs);
  if (left !== undefined) {
    ctx.alert(nowMs, Category.tokenClone, 'high', { stationId: sd.id, idToken: idToken.idToken },
      { rule: 'L1.token-travel', action: 'Authorize', otherStation: left.sd.id, sinceEndedMs: nowMs - left.ms, minTravelMs: t.tokenTravelMs });
  }
  const other = ctx.tokens.get(token);
  if (other !== undefined && other.sd !== sd && !other.tx.ended && nowMs - other.sd.lastFrameMs <= t.tokenActiveMs) {
    ctx.alert(nowMs, Category.tokenClone, 'high', { stationId: sd.id, idToken: idToken.idToken },
      { rule: 'L1.token-concurrent', action: 'Authorize', otherStation: other.sd.id, otherTransaction: other.tx.id });
    if (ctx.o.concurrentTx === 'reject') {
      ctx.actions.concurrentTx++;
      return answer.certificateStatus === undefined ? CONCURRENT : { ...CONCURRENT, certificateStatus: answer.certificateStatus };
    }
  }
  return answer;
}

/** MeterValues (J01/J02): readings outside (or beside) transaction events get the instantaneous checks only. */
export function onMeterValues(ctx: Ctx, sd: StationDet, p: Payload, nowMs: number): void {
  const e = sd.evse(p.evseId, ctx.t);
  const mvs = p.meterValue;
  if (e === undefined || !Array.isArray(mvs)) return;
  // Not interval anchors: a triggered reading may carry an older register at a fresh timestamp.
  for (const mv of mvs) if (readSample(mv, sample)) instantRules(ctx, sd, e, null, sample, nowMs);
}
