import type { CallOutcome } from '../ocpp/session.js';
import { SeqKind } from './state.js';

/** What the CSMS did and saw, as returned by `Csms.stats()` (a copy; counters since start). */
export interface CsmsStats {
  /** Stations with an open WebSocket now. */
  connected: number;
  /** Connected stations whose last boot was Accepted. */
  accepted: number;
  /** Distinct identities ever connected. */
  stationsSeen: number;
  /** WebSockets opened / closed since start. */
  connections: number;
  disconnects: number;
  /** A second connection of an identity that already had one (the older one is closed). */
  duplicateConnections: number;
  /** Upgrade requests refused, by HTTP status ('401', '404'). */
  handshakesRefused: Record<string, number>;
  /** Connections by negotiated subprotocol. */
  protocols: Record<string, number>;
  boots: { total: number; accepted: number; pending: number; rejected: number };
  heartbeats: number;
  /** Incoming CALLs answered, by action (CALLRESULT or CALLERROR). */
  callsIn: Record<string, number>;
  /** Incoming SENDs (type 6), by action. */
  sendsIn: Record<string, number>;
  /** CALLERRORs we sent, by error code. */
  callErrorsSent: Record<string, number>;
  /** Session protocol events (garbage, invalid calls, unexpected results, ...), by kind. */
  protocolEvents: Record<string, number>;
  authorize: { accepted: number; blocked: number };
  transactions: {
    /** Distinct transactions seen (first event, whatever its type). */
    started: number;
    /** Transactions whose Ended event arrived. */
    ended: number;
    /** Seen and not ended. */
    active: number;
    /** Started by RequestStartTransaction (the event carried a remoteStartId). */
    remoteStarted: number;
    events: number;
    /** Events flagged `offline: true`. */
    offlineEvents: number;
    /** Energy from Energy.Active.Import.Register increases (Wh). */
    energyWh: number;
    /** V2X: energy fed back, from Energy.Active.Export.Register increases (Wh). */
    energyExportWh: number;
    /** Events for a transaction that had already ended. */
    afterEnded: number;
    /** seqNo bookkeeping per transaction (FLOWS.md §3.4): verifies no loss and ordering. */
    seq: {
      inOrder: number;
      /** Events that jumped ahead of the next expected seqNo. */
      gaps: number;
      /** seqNos skipped and still not received (lost, or not yet arrived). */
      missing: number;
      duplicates: number;
      /** Events that arrived after a higher seqNo of their transaction. */
      outOfOrder: number;
      /** Far-behind seqNos that could not be classified. */
      outOfWindow: number;
    };
  };
  meterValues: number;
  reports: { requested: number; notifyReports: number; completed: number };
  /** CSMS→station calls (scheduled commands and `send()`), by action. */
  commands: Record<string, CommandStats>;
  /** Connected stations silent for more than the stale limit at the last liveness scan. */
  stale: number;
  /** OCPP 2.1 use-case events by name (`v2x.needs`, `der.alarms`, ...; see src/csms/usecases/). */
  useCases: Record<string, number>;
}

export interface CommandStats {
  sent: number;
  /** Scheduled but not sent: nothing to act on (no free EVSE, no running transaction). */
  skipped: number;
  /** Outcome → count: the response `status` (`Accepted`, `Rejected`, ...), `ok` for a response without one,
   * or the failure (`timeout`, `disconnected`, `callerror:<code>`, `invalid-request`, `invalid-response`). */
  outcomes: Record<string, number>;
}

function bump(m: Map<string, number>, key: string, n = 1): void {
  m.set(key, (m.get(key) ?? 0) + n);
}

function record(m: Map<string, number>): Record<string, number> {
  const o: Record<string, number> = {};
  for (const [k, v] of m) o[k] = v;
  return o;
}

/** Outcome label of a CSMS→station call, as counted in `CommandStats.outcomes`. */
export function outcomeLabel(o: CallOutcome): string {
  if (o.ok) return typeof o.payload.status === 'string' ? o.payload.status : 'ok';
  return o.kind === 'callerror' ? `callerror:${o.code ?? '?'}` : o.kind;
}

/** Mutable counters behind `CsmsStats`; the hot path bumps fields and maps, `snapshot()` copies. */
export class StatsCounters {
  connected = 0;
  stationsSeen = 0;
  connections = 0;
  disconnects = 0;
  duplicateConnections = 0;
  readonly handshakesRefused = new Map<string, number>();
  readonly protocols = new Map<string, number>();
  boots = 0;
  bootsAccepted = 0;
  bootsPending = 0;
  bootsRejected = 0;
  heartbeats = 0;
  readonly callsIn = new Map<string, number>();
  readonly sendsIn = new Map<string, number>();
  readonly callErrorsSent = new Map<string, number>();
  readonly protocolEvents = new Map<string, number>();
  authAccepted = 0;
  authBlocked = 0;
  txStarted = 0;
  txEnded = 0;
  txRemoteStarted = 0;
  txEvents = 0;
  txOfflineEvents = 0;
  energyWh = 0;
  energyExportWh = 0;
  txAfterEnded = 0;
  seqInOrder = 0;
  seqGaps = 0;
  seqMissing = 0;
  seqDuplicates = 0;
  seqOutOfOrder = 0;
  seqOutOfWindow = 0;
  meterValues = 0;
  reportsRequested = 0;
  notifyReports = 0;
  reportsCompleted = 0;
  stale = 0;
  readonly useCases = new Map<string, number>();
  private readonly commands = new Map<string, { sent: number; skipped: number; outcomes: Map<string, number> }>();

  count(m: Map<string, number>, key: string, n = 1): void { bump(m, key, n); }

  seq(kind: SeqKind, missingDelta: number): void {
    this.seqMissing += missingDelta;
    switch (kind) {
      case SeqKind.InOrder: this.seqInOrder++; return;
      case SeqKind.Gap: this.seqGaps++; return;
      case SeqKind.Duplicate: this.seqDuplicates++; return;
      case SeqKind.Late: this.seqOutOfOrder++; return;
      default: this.seqOutOfWindow++;
    }
  }

  private command(action: string): { sent: number; skipped: number; outcomes: Map<string, number> } {
    let c = this.commands.get(action);
    if (!c) this.commands.set(action, (c = { sent: 0, skipped: 0, outcomes: new Map() }));
    return c;
  }

  commandSent(action: string): void { this.command(action).sent++; }
  commandSkipped(action: string): void { this.command(action).skipped++; }
  commandDone(action: string, outcome: CallOutcome): void { bump(this.command(action).outcomes, outcomeLabel(outcome)); }

  snapshot(accepted: number): CsmsStats {
    const commands: Record<string, CommandStats> = {};
    for (const [k, c] of this.commands) commands[k] = { sent: c.sent, skipped: c.skipped, outcomes: record(c.outcomes) };
    return {
      connected: this.connected,
      accepted,
      stationsSeen: this.stationsSeen,
      connections: this.connections,
      disconnects: this.disconnects,
      duplicateConnections: this.duplicateConnections,
      handshakesRefused: record(this.handshakesRefused),
      protocols: record(this.protocols),
      boots: { total: this.boots, accepted: this.bootsAccepted, pending: this.bootsPending, rejected: this.bootsRejected },
      heartbeats: this.heartbeats,
      callsIn: record(this.callsIn),
      sendsIn: record(this.sendsIn),
      callErrorsSent: record(this.callErrorsSent),
      protocolEvents: record(this.protocolEvents),
      authorize: { accepted: this.authAccepted, blocked: this.authBlocked },
      transactions: {
        started: this.txStarted,
        ended: this.txEnded,
        active: this.txStarted - this.txEnded,
        remoteStarted: this.txRemoteStarted,
        events: this.txEvents,
        offlineEvents: this.txOfflineEvents,
        energyWh: this.energyWh,
        energyExportWh: this.energyExportWh,
        afterEnded: this.txAfterEnded,
        seq: {
          inOrder: this.seqInOrder,
          gaps: this.seqGaps,
          missing: this.seqMissing,
          duplicates: this.seqDuplicates,
          outOfOrder: this.seqOutOfOrder,
          outOfWindow: this.seqOutOfWindow,
        },
      },
      meterValues: this.meterValues,
      reports: { requested: this.reportsRequested, notifyReports: this.notifyReports, completed: this.reportsCompleted },
      commands,
      stale: this.stale,
      useCases: record(this.useCases),
    };
  }
}
