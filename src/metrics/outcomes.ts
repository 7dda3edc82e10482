/**
 * How one outgoing CALL ended, as metrics count it.
 *  - `ok`               CALLRESULT accepted by the station logic
 *  - `rejected`         CALLRESULT whose business status refuses (Rejected, Invalid, Blocked, ...)
 *  - `timeout`          no answer within the call timeout
 *  - `callerror:<Code>` CALLERROR from the CSMS, by RPC error code (OCPP-J §4.3)
 *  - `callresulterror`  CALLRESULTERROR (OCPP 2.1 message type 5): the CSMS's answer could not be processed
 *  - `disconnected`     the connection dropped while the call was pending
 *  - `invalid`          our own outgoing payload failed schema validation, so it was never sent
 *  - `invalid-response` the CSMS's CALLRESULT failed schema validation
 */
export type CallOutcomeKind =
  | 'ok' | 'rejected' | 'timeout' | 'callresulterror' | 'disconnected' | 'invalid' | 'invalid-response'
  | `callerror:${string}`;

/** How an incoming CALL (CSMS -> station) was answered: a CALLRESULT (`ok`/`rejected`) or our CALLERROR by code. */
export type IncomingOutcomeKind = 'ok' | 'rejected' | `callerror:${string}`;

// Interned so a producer can turn a wire code into an outcome without building a string per call.
const callErrorKinds = new Map<string, `callerror:${string}`>();

/** The interned `callerror:<code>` outcome (allocates only the first time a code is seen). */
export function callErrorOutcome(code: string): `callerror:${string}` {
  let kind = callErrorKinds.get(code);
  if (kind === undefined) {
    kind = `callerror:${code}`;
    callErrorKinds.set(code, kind);
  }
  return kind;
}

/** The failure kinds a protocol layer reports for an outgoing CALL (structurally: metrics never imports ocpp). */
export type ProtocolFailureKind =
  'timeout' | 'disconnected' | 'callerror' | 'callresulterror' | 'invalid-request' | 'invalid-response';

/** Maps a protocol failure to an outcome: `invalid-request` is our own payload (`invalid`); `callerror` takes its code. */
export function callOutcomeFromFailure(kind: ProtocolFailureKind, code?: string): CallOutcomeKind {
  switch (kind) {
    case 'callerror': return callErrorOutcome(code ?? 'GenericError');
    case 'invalid-request': return 'invalid';
    default: return kind;
  }
}

/**
 * Whether an outcome counts toward `ocpp_call_failed`. A business rejection is a valid, timely protocol answer —
 * scenarios often provoke it on purpose (unknown tokens) — so it is counted in `ocpp_call_rejected` instead.
 */
export function isFailure(kind: string): boolean {
  return kind !== 'ok' && kind !== 'rejected';
}

/**
 * Whether the latency of an outcome is recorded. Answered calls are timed, and so are timeouts (at the time they
 * expired, a lower bound): leaving them out would hide exactly the tail a load test is for. Calls that were never
 * sent (`invalid`) or lost with their connection (`disconnected`) have no meaningful latency.
 */
export function isTimed(kind: string): boolean {
  return kind !== 'invalid' && kind !== 'disconnected';
}

/** The kind without its code: `callerror:NotImplemented` -> `callerror`. */
export function outcomeClass(kind: string): string {
  const colon = kind.indexOf(':');
  return colon < 0 ? kind : kind.slice(0, colon);
}
