import { Cusum, Leaky, TokenBucket } from './primitives.js';
import type { DetectorThresholds } from './options.js';
import type { IpState } from './enforce.js';

/** EVSEs tracked per station; higher ids share nothing and are ignored by the meter rules. */
export const MAX_EVSES = 8;
/** Transactions remembered per station: open ones plus the last few ended (replays after Ended). */
export const MAX_TX = 12;
/** remoteStartIds we issued, per station (ring). */
export const REMOTE_START_RING = 4;

/** Action classes of the per-station rate statistics (fixed, so the state is a fixed-size array). */
export const RateClass = Object.freeze({ Heartbeat: 0, Status: 1, Transaction: 2, Meter: 3, Authorize: 4, DataTransfer: 5, Other: 6 });
export const RATE_CLASSES = 7;
export const RATE_MEAN = RATE_CLASSES;
export const RATE_VAR = 2 * RATE_CLASSES;
const CLASS_OF = new Map<string, number>([
  ['Heartbeat', RateClass.Heartbeat],
  ['StatusNotification', RateClass.Status], ['NotifyEvent', RateClass.Status],
  ['TransactionEvent', RateClass.Transaction],
  ['MeterValues', RateClass.Meter],
  ['Authorize', RateClass.Authorize],
  ['DataTransfer', RateClass.DataTransfer],
]);
export function rateClassOf(action: string): number { return CLASS_OF.get(action) ?? RateClass.Other; }

/** What the detector remembers about one EVSE's meter: the last sample of a TransactionEvent and rule state. */
export class EvseDet {
  /** 0 unknown, 1 AC, 2 DC. */
  kind = 0;
  phases = 3;
  txId: string | null = null;
  seqNo = -1;
  tsMs = NaN;
  wh = NaN;
  powerW = NaN;
  soc = NaN;
  currentA = NaN;
  voltageV = NaN;
  /** Consecutive intervals with every meter value unchanged while power > 0. */
  frozen = 0;
  readonly cusum: Cusum;
  /** Power on/off switches within the current transaction (oscillation, A12c). */
  toggles = 0;
  on = false;
  /** Highest register reading ever seen on this EVSE (the register never decreases, across transactions). */
  maxWh = NaN;
  /** This EVSE's share of the fleet's aggregate power (W). */
  aggW = 0;
  /** The register reading of the transaction's first sample (End < Begin check). */
  beginWh = NaN;

  constructor(readonly id: number, t: DetectorThresholds) {
    this.cusum = new Cusum(t.cusumK, t.cusumH);
  }

  /** Forgets the interval baseline (a new transaction, or a sample that cannot anchor the next one). */
  resetSample(): void {
    this.txId = null;
    this.seqNo = -1;
    this.tsMs = NaN;
    this.wh = NaN;
    this.powerW = NaN;
    this.soc = NaN;
    this.currentA = NaN;
    this.voltageV = NaN;
    this.frozen = 0;
    this.toggles = 0;
    this.on = false;
    this.beginWh = NaN;
    this.cusum.reset();
  }
}

/** One transaction as the detector follows it (lifecycle, replay, authorization). */
export class TxDet {
  evseId = 0;
  lastSeq = -1;
  /** Hash of the event with seqNo lastSeq (an identical retry hashes the same). */
  lastHash = 0;
  lastTsMs = NaN;
  started = false;
  ended = false;
  /** An idToken was seen in the transaction, or it was started by a remoteStartId we issued. */
  authorized = false;
  /** idToken in use, lower-cased; null before one is seen. */
  token: string | null = null;
  /** Billing hold: a meter rule fired for this transaction (A08/A09: answered normally, not billed). */
  hold = false;
  touchedMs = 0;
  constructor(readonly id: string) {}
}

/** Everything the detector keeps per identity: fixed-size, allocated lazily (ATTACKS.md §5: O(1) per station). */
export class StationDet {
  ip = '';
  /** The per-IP state of the current connection (cached: no map lookup per frame). */
  ipState: IpState | null = null;
  connected = false;
  lastFrameMs = 0;
  readonly msgBucket: TokenBucket;
  readonly flood: Leaky;
  readonly upgrades: TokenBucket;
  readonly upgradeRefusals: Leaky;
  readonly invalid: Leaky;
  readonly stateAbuse: Leaky;
  readonly secEvents: Leaky;
  /** HTTP Basic credentials were present at the last accepted upgrade (undefined before one). */
  basic: boolean | undefined = undefined;
  /** Boot fingerprint registry (A03) and firmware (A13). */
  serial: string | undefined = undefined;
  model: string | undefined = undefined;
  vendor: string | undefined = undefined;
  firmware: string | undefined = undefined;
  /** Rating per EVSE from the model class (`AC22-…`, `DC150-…`), W; NaN when the model names none. */
  modelRatingW = NaN;
  modelKind = 0;
  // CSMS commands (what we issued, so the station's answers can be checked against it)
  readonly remoteStarts: number[] = new Array<number>(REMOTE_START_RING).fill(NaN);
  remoteStartNext = 0;
  fwRequestId = NaN;
  /** The UpdateFirmware requestId issued before the last one (its flow may still be running). */
  fwPrevRequestId = NaN;
  fwIssuedMs = -Infinity;
  fwSignatureVerified = false;
  resetMs = -Infinity;
  securityConfigMs = -Infinity;
  lastCommandMs = -Infinity;
  /** Last command that may change what the station draws (not a read-out, a report request or a firmware roll-out). */
  lastPowerCommandMs = -Infinity;
  profileLimitW = NaN;
  profileSetMs = 0;
  profileTxId: string | null = null;
  /** Last boot time (StartupOfTheDevice events right after a boot are expected). */
  bootMs = -Infinity;
  /** L2 rates, one array (small typed arrays cost ~100 bytes each): per class k, the count in the current
   * bucket at [k], the EWMA mean of counts per bucket at [RATE_MEAN + k], their EWMA variance at [RATE_VAR + k]. */
  readonly rates = new Float64Array(RATE_CLASSES * 3);
  rateBucket = -1;
  rateBuckets = 0;
  /** Bit per class: alarmed in the current bucket (its count is kept out of the baseline). */
  rateAlarmed = 0;
  // A06: idTokens presented in Authorize and not (yet) used in a transaction here
  tokens: string[] | null = null;
  tokenMs: number[] | null = null;
  // A06 by transactions: idTokens refused in TransactionEvents here (tx-tokens.ts)
  refusedTxTokens: string[] | null = null;
  refusedTxTokenMs: number[] | null = null;
  txs: TxDet[] | null = null;
  evses: (EvseDet | undefined)[] | null = null;
  /** Fleet synchronicity: the second in which this station was last counted. */
  syncSec = -1;
  faulted: Leaky | null = null;
  /** Refused certificate requests (A15), created on the first one. */
  certRefusals: Leaky | null = null;
  /** Level rules that alerted and wait for their level to fall before they may again (primitives.ts `Level`). */
  disarmed = 0;
  /** A liveness probe of this identity's connection is running (duplicate connection, A03). */
  probing = false;
  /** We decided to close the current connection (1008/1009); its remaining frames are dropped. */
  closing = false;

  constructor(readonly id: string, t: DetectorThresholds, nowMs: number) {
    this.msgBucket = new TokenBucket(t.stationMsgRate, t.stationMsgBurst, nowMs);
    this.flood = new Leaky(t.floodTauMs);
    this.upgrades = new TokenBucket(t.stationUpgradeRate, t.stationUpgradeBurst, nowMs);
    this.upgradeRefusals = new Leaky(t.floodTauMs);
    this.invalid = new Leaky(t.invalidTauMs);
    this.stateAbuse = new Leaky(t.stateAbuseTauMs);
    this.secEvents = new Leaky(t.securityEventTauMs);
  }

  evse(id: number, t: DetectorThresholds): EvseDet | undefined {
    if (!Number.isInteger(id) || id < 1 || id > MAX_EVSES) return undefined;
    const list = (this.evses ??= []);
    return (list[id - 1] ??= new EvseDet(id, t));
  }

  tx(id: string): TxDet | undefined {
    const list = this.txs;
    if (list === null) return undefined;
    for (let i = 0; i < list.length; i++) if (list[i]!.id === id) return list[i];
    return undefined;
  }

  /** Adds a transaction; beyond MAX_TX the least recently touched one (ended first) is forgotten. */
  addTx(id: string, nowMs: number): TxDet {
    const list = (this.txs ??= []);
    if (list.length >= MAX_TX) {
      let victim = -1;
      for (let i = 0; i < list.length; i++) {
        const t = list[i]!;
        if (victim < 0 || (t.ended && !list[victim]!.ended) || (t.ended === list[victim]!.ended && t.touchedMs < list[victim]!.touchedMs)) victim = i;
      }
      list.splice(victim, 1);
    }
    const tx = new TxDet(id);
    tx.touchedMs = nowMs;
    list.push(tx);
    return tx;
  }

  issuedRemoteStart(id: number): boolean {
    for (let i = 0; i < REMOTE_START_RING; i++) if (this.remoteStarts[i] === id) return true;
    return false;
  }

  recordRemoteStart(id: number): void {
    this.remoteStarts[this.remoteStartNext] = id;
    this.remoteStartNext = (this.remoteStartNext + 1) % REMOTE_START_RING;
  }
}
