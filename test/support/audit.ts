/**
 * Schema audit of recorded OCPP-J traffic (e.g. a tap's frames): every station frame is checked against the
 * official schemas of the version negotiated on its connection — CALLs against `<Action>Request`, CALLRESULTs
 * against the `<Action>Response` of the CSMS CALL they answer (matched by message id on the same connection) —
 * and every CALLERROR/CALLRESULTERROR of either side is listed.
 */
import { actionInfo } from '../../src/ocpp/actions.js';
import { parseFrame } from '../../src/ocpp/framing.js';
import { validatorFor, versionOf, type OcppVersion } from '../../src/ocpp/schemas.js';
import type { Payload } from '../../src/ocpp/session.js';

export interface RecordedFrame {
  /** Anything that tells connections apart. */
  readonly conn: number | string;
  /** The negotiated subprotocol of that connection (`ocpp2.1`, `ocpp2.0.1`). */
  readonly protocol: string;
  readonly dir: 'toCsms' | 'toStation';
  readonly text: string;
}

/** A station CALL as seen on the wire. */
export interface SeenCall {
  readonly conn: number | string;
  readonly id: string;
  readonly action: string;
  readonly payload: Payload;
  /** The matching CALLRESULT payload, if one came back. */
  response?: Payload;
}

export interface Audit {
  /** Station frames that failed: unparsable, schema-invalid, wrong version, unmatched results. */
  readonly stationProblems: string[];
  /** The same for the other side (our CSMS or test server). */
  readonly csmsProblems: string[];
  /** Every CALLERROR (4) / CALLRESULTERROR (5), either side, as `dir action code: description`. */
  readonly errors: string[];
  /** Station CALLs in order. */
  readonly stationCalls: SeenCall[];
  /** CSMS CALLs the station answered with a CALLRESULT, by action. */
  readonly answered: Map<string, number>;
  /** Message types the station sent, by type number. */
  readonly stationTypes: Map<number, number>;
}

function bump(m: Map<string | number, number>, k: string | number): void { m.set(k, (m.get(k) ?? 0) + 1); }

/** Audits `frames` (in wire order). */
export function auditFrames(frames: readonly RecordedFrame[]): Audit {
  const audit: Audit = {
    stationProblems: [], csmsProblems: [], errors: [], stationCalls: [], answered: new Map(), stationTypes: new Map(),
  };
  // Outstanding CALLs per connection and sender: id → [action, the station's SeenCall if it is one].
  const open = new Map<string, { action: string; seen?: SeenCall }>();
  const key = (conn: number | string, sender: 'toCsms' | 'toStation', id: string): string => `${conn}|${sender}|${id}`;

  for (const f of frames) {
    const version: OcppVersion | undefined = versionOf(f.protocol);
    const fromStation = f.dir === 'toCsms';
    const problems = fromStation ? audit.stationProblems : audit.csmsProblems;
    const where = `${fromStation ? 'station' : 'csms'}@${f.conn}`;
    if (!version) { problems.push(`${where}: unknown subprotocol ${f.protocol}`); continue; }
    const v = validatorFor(version);
    const r = parseFrame(f.text);
    if (!r.ok) { problems.push(`${where}: unparsable frame ${f.text.slice(0, 200)}`); continue; }
    const fr = r.frame;
    if (fromStation) bump(audit.stationTypes as Map<string | number, number>, fr.type);
    if (version !== '2.1' && (fr.type === 5 || fr.type === 6)) problems.push(`${where}: message type ${fr.type} on ${f.protocol}`);
    switch (fr.type) {
      case 2:
      case 6: {
        if (version !== '2.1' && actionInfo(fr.action)?.new21) problems.push(`${where}: 2.1-only action ${fr.action} on ${f.protocol}`);
        const bad = v.request(fr.action, fr.payload);
        if (bad) problems.push(`${where}: ${fr.action}Request ${bad.code} ${bad.message} in ${f.text.slice(0, 300)}`);
        if (fr.type === 2) {
          const entry: { action: string; seen?: SeenCall } = { action: fr.action };
          if (fromStation) {
            const seen: SeenCall = { conn: f.conn, id: fr.id, action: fr.action, payload: fr.payload as Payload };
            audit.stationCalls.push(seen);
            entry.seen = seen;
          }
          open.set(key(f.conn, f.dir, fr.id), entry);
        }
        break;
      }
      case 3: {
        const callDir = fromStation ? 'toStation' : 'toCsms';
        const k = key(f.conn, callDir, fr.id);
        const call = open.get(k);
        if (!call) { problems.push(`${where}: CALLRESULT for unknown id ${fr.id}`); break; }
        open.delete(k);
        const bad = v.response(call.action, fr.payload);
        if (bad) problems.push(`${where}: ${call.action}Response ${bad.code} ${bad.message} in ${f.text.slice(0, 300)}`);
        if (call.seen) call.seen.response = fr.payload as Payload;
        if (fromStation) bump(audit.answered as Map<string | number, number>, call.action);
        break;
      }
      default: {
        const callDir = fromStation ? 'toStation' : 'toCsms';
        const k = key(f.conn, callDir, fr.id);
        const call = open.get(k);
        if (call) open.delete(k);
        audit.errors.push(`${where} ${call?.action ?? '?'} ${fr.type === 5 ? 'CALLRESULTERROR' : 'CALLERROR'} ${fr.code}: ${fr.description}`);
      }
    }
  }
  return audit;
}

/** The station's TransactionEvent requests, grouped by transactionId, in wire order (retransmissions included). */
export function transactionEvents(calls: readonly SeenCall[]): Map<string, Payload[]> {
  const out = new Map<string, Payload[]>();
  for (const c of calls) {
    if (c.action !== 'TransactionEvent') continue;
    const id = c.payload.transactionInfo?.transactionId as string;
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push(c.payload);
  }
  return out;
}

/** The value of `measurand` (default Energy.Active.Import.Register) in an event's meter values, or undefined. */
export function sampled(p: Payload, measurand = 'Energy.Active.Import.Register'): number | undefined {
  for (const mv of (p.meterValue ?? []) as Payload[]) {
    for (const sv of mv.sampledValue as Payload[]) {
      if ((sv.measurand ?? 'Energy.Active.Import.Register') === measurand && sv.phase === undefined) return sv.value as number;
    }
  }
  return undefined;
}
