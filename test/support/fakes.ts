import type { RpcErrorCode } from '../../src/ocpp/errors.js';
import type { CallOutcome, ProtocolEventKind, SessionObserver, Wire } from '../../src/ocpp/session.js';

/** A Wire that keeps what was sent, for socket-free session tests (STYLE habit 4). */
export class FakeWire implements Wire {
  readonly sent: string[] = [];
  send(text: string): void { this.sent.push(text); }
  /** Every sent frame, parsed. */
  frames(): unknown[][] { return this.sent.map((t) => JSON.parse(t) as unknown[]); }
  /** The last sent frame, parsed (throws when nothing was sent). */
  last(): unknown[] {
    const t = this.sent[this.sent.length - 1];
    if (t === undefined) throw new Error('nothing was sent');
    return JSON.parse(t) as unknown[];
  }
}

export interface CallDone {
  action: string;
  intendedUs: number;
  sentUs: number;
  doneUs: number;
  outcome: CallOutcome;
}

/** A SessionObserver that records every event in order. */
export class RecordingObserver implements SessionObserver {
  readonly calls: CallDone[] = [];
  readonly incoming: { action: string; code: RpcErrorCode | null }[] = [];
  readonly events: { kind: ProtocolEventKind; detail: string }[] = [];

  callDone(action: string, intendedUs: number, sentUs: number, doneUs: number, outcome: CallOutcome): void {
    this.calls.push({ action, intendedUs, sentUs, doneUs, outcome });
  }
  incomingDone(action: string, code: RpcErrorCode | null): void {
    this.incoming.push({ action, code });
  }
  protocolEvent(kind: ProtocolEventKind, detail: string): void {
    this.events.push({ kind, detail });
  }
  /** The kinds of protocol events seen, in order. */
  kinds(): ProtocolEventKind[] { return this.events.map((e) => e.kind); }
}

/** Resolves after pending promise callbacks and I/O callbacks have run. */
export function flush(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
