import type { OcppVersion } from '../ocpp/schemas.js';

export type BootStatus = 'Accepted' | 'Pending' | 'Rejected';
export type TxEventType = 'Started' | 'Updated' | 'Ended';

/** How one TransactionEvent's seqNo relates to those seen before for its transaction (FLOWS.md §3.4). */
export const SeqKind = Object.freeze({
  InOrder: 0,
  /** Ahead of the next expected number: the numbers in between are missing (so far). */
  Gap: 1,
  /** Seen before. */
  Duplicate: 2,
  /** Behind the highest number seen, filling a hole: it arrived out of order. */
  Late: 3,
  /** So far behind the highest number that the window no longer says whether it was seen. */
  OutOfWindow: 4,
} as const);
export type SeqKind = (typeof SeqKind)[keyof typeof SeqKind];

// The seqNos of one transaction are tracked in a ring of the last WINDOW numbers below the highest seen:
// constant memory whatever a (possibly hostile) station sends as seqNo.
const WINDOW = 256;
const WORDS = WINDOW >>> 5;

/** Read access to one transaction (tests, reports). */
export interface TxView {
  readonly id: string;
  readonly evseId: number;
  readonly connectorId: number;
  readonly eventType: TxEventType;
  readonly lastSeqNo: number;
  readonly events: number;
  readonly offlineEvents: number;
  readonly started: boolean;
  readonly ended: boolean;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly idToken: string | undefined;
  readonly remoteStartId: number | undefined;
  readonly chargingState: string | undefined;
  readonly stoppedReason: string | undefined;
  readonly missing: number;
  readonly energyWh: number;
}

/** Read access to one station's state (tests, reports). */
export interface StationView {
  readonly id: string;
  readonly version: OcppVersion | null;
  readonly connected: boolean;
  readonly connectedMs: number;
  readonly bootStatus: BootStatus | null;
  readonly boots: number;
  readonly bootTimeMs: number;
  readonly bootReason: string;
  readonly lastHeartbeatMs: number;
  readonly lastSeenMs: number;
  readonly reportRequestId: number;
  readonly accepted: boolean;
  connectorStatus(evseId: number, connectorId?: number): string | undefined;
  connectors(): [number, number, string][];
  tx(transactionId: string): TxView | undefined;
  transactions(): TxView[];
  runningTx(evseId?: number): TxView | undefined;
}

/** One transaction as the CSMS saw it on the wire. */
export class TxState implements TxView {
  readonly id: string;
  evseId = 0;
  connectorId = 0;
  eventType: TxEventType = 'Started';
  /** Highest seqNo seen; -1 before the first event. */
  lastSeqNo = -1;
  events = 0;
  offlineEvents = 0;
  /** Started / Ended event received (a transaction first seen in an Updated event has `started` false). */
  started = false;
  ended = false;
  startedMs = 0;
  endedMs = 0;
  idToken: string | undefined = undefined;
  remoteStartId: number | undefined = undefined;
  chargingState: string | undefined = undefined;
  stoppedReason: string | undefined = undefined;
  /** Energy.Active.Import.Register readings (Wh): the first and the highest. NaN until one arrives. */
  firstRegisterWh = NaN;
  lastRegisterWh = NaN;
  /** seqNos below lastSeqNo not (yet) received. */
  missing = 0;
  private readonly seen = new Uint32Array(WORDS);

  constructor(id: string) { this.id = id; }

  /** Energy delivered so far according to the meter register (Wh). */
  get energyWh(): number {
    return Number.isNaN(this.firstRegisterWh) ? 0 : this.lastRegisterWh - this.firstRegisterWh;
  }

  /** Records a seqNo; returns how it relates to earlier ones and updates `missing`. */
  observeSeq(seqNo: number): SeqKind {
    const last = this.lastSeqNo;
    if (seqNo > last) {
      const gap = seqNo - last - 1;
      if (gap >= WINDOW) this.seen.fill(0);
      else for (let s = last + 1; s < seqNo; s++) this.clear(s);
      this.set(seqNo);
      this.lastSeqNo = seqNo;
      this.missing += gap;
      return gap === 0 ? SeqKind.InOrder : SeqKind.Gap;
    }
    if (last - seqNo >= WINDOW || seqNo < 0) return SeqKind.OutOfWindow;
    if (this.has(seqNo)) return SeqKind.Duplicate;
    this.set(seqNo);
    this.missing--;
    return SeqKind.Late;
  }

  /** Takes an Energy.Active.Import.Register reading; returns the increase (Wh) it adds to the total. */
  observeRegister(wh: number): number {
    if (Number.isNaN(this.firstRegisterWh)) {
      this.firstRegisterWh = wh;
      this.lastRegisterWh = wh;
      return 0;
    }
    // A register only grows; a lower reading is a late or bogus sample and adds nothing.
    if (wh <= this.lastRegisterWh) return 0;
    const delta = wh - this.lastRegisterWh;
    this.lastRegisterWh = wh;
    return delta;
  }

  private idx(s: number): number { return s & (WINDOW - 1); }
  private set(s: number): void { const i = this.idx(s); this.seen[i >>> 5] |= 1 << (i & 31); }
  private clear(s: number): void { const i = this.idx(s); this.seen[i >>> 5] &= ~(1 << (i & 31)); }
  private has(s: number): boolean { const i = this.idx(s); return (this.seen[i >>> 5]! & (1 << (i & 31))) !== 0; }
}

/** Ended transactions kept per station for late events; older ones are forgotten. */
const KEEP_ENDED = 4;

/** Key of a connector in `StationState.connectors`. */
function connectorKey(evseId: number, connectorId: number): number { return evseId * 1024 + connectorId; }

/**
 * What the CSMS remembers about one station across its connections. Kept small (100k stations per process is
 * a goal): maps are created on first use and ended transactions are pruned.
 */
export class StationState implements StationView {
  readonly id: string;
  /** Hash of the id; the deterministic command selection ranks stations by it. */
  readonly hash: number;
  /** Negotiated version of the current (or last) connection. */
  version: OcppVersion | null = null;
  connected = false;
  connectedMs = 0;
  /** Status of the last BootNotificationResponse; null before the first boot on this CSMS. */
  bootStatus: BootStatus | null = null;
  boots = 0;
  bootTimeMs = 0;
  bootReason = '';
  /** chargingStation.serialNumber of the last BootNotification (Plug & Charge: a CSR's CN must equal it, A02). */
  serialNumber: string | undefined = undefined;
  /** chargingStation.firmwareVersion of the last BootNotification (a firmware roll-out skips stations already on it). */
  firmwareVersion: string | undefined = undefined;
  /** When we last sent this station UpdateFirmware (a roll-out does not re-send before the station booted again). */
  firmwareRequestedMs = -Infinity;
  /** Profile 3: CN of the client certificate of the current connection (must equal the booted serial number). */
  certificateCn: string | undefined = undefined;
  lastHeartbeatMs = 0;
  /** Last frame of any kind from the station (liveness). */
  lastSeenMs = 0;
  /** requestId of the GetBaseReport/GetReport we sent and whose NotifyReports are still coming; -1 none. */
  reportRequestId = -1;
  /**
   * Station CALLs invited by a CSMS request while the boot is not Accepted (Pending lets the station send what
   * the CSMS asked for, FLOWS.md §2.1): NotifyReport after GetBaseReport, the message named in TriggerMessage.
   */
  invited: string[] | null = null;
  private connectorMap: Map<number, string> | null = null;
  private txMap: Map<string, TxState> | null = null;
  private endedIds: string[] | null = null;

  constructor(id: string) {
    this.id = id;
    this.hash = fnv1a(id);
  }

  get accepted(): boolean { return this.bootStatus === 'Accepted'; }

  setConnector(evseId: number, connectorId: number, status: string): void {
    (this.connectorMap ??= new Map()).set(connectorKey(evseId, connectorId), status);
  }

  connectorStatus(evseId: number, connectorId = 1): string | undefined {
    return this.connectorMap?.get(connectorKey(evseId, connectorId));
  }

  /** [evseId, connectorId, status] of every connector the station reported. */
  connectors(): [number, number, string][] {
    const out: [number, number, string][] = [];
    if (this.connectorMap) for (const [k, s] of this.connectorMap) out.push([Math.floor(k / 1024), k % 1024, s]);
    return out;
  }

  tx(transactionId: string): TxState | undefined { return this.txMap?.get(transactionId); }

  /** Transactions known (running and the last few ended). */
  transactions(): TxState[] { return this.txMap ? [...this.txMap.values()] : []; }

  /** The running transaction on an EVSE, or any running one when evseId is omitted. */
  runningTx(evseId?: number): TxState | undefined {
    if (!this.txMap) return undefined;
    for (const t of this.txMap.values()) if (!t.ended && (evseId === undefined || t.evseId === evseId)) return t;
    return undefined;
  }

  openTx(transactionId: string): TxState {
    const t = new TxState(transactionId);
    (this.txMap ??= new Map()).set(transactionId, t);
    return t;
  }

  /** Marks a transaction ended and forgets the oldest ended ones beyond KEEP_ENDED. */
  closeTx(t: TxState): void {
    const ended = (this.endedIds ??= []);
    ended.push(t.id);
    while (ended.length > KEEP_ENDED) this.txMap?.delete(ended.shift()!);
  }

  invite(action: string): void {
    const inv = (this.invited ??= []);
    if (!inv.includes(action)) inv.push(action);
  }

  /** True (and the invitation used up unless `keep`) when the CSMS asked for this action. */
  takeInvitation(action: string, keep = false): boolean {
    const inv = this.invited;
    if (!inv) return false;
    const i = inv.indexOf(action);
    if (i < 0) return false;
    if (!keep) inv.splice(i, 1);
    return true;
  }
}

/** 32-bit FNV-1a of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
