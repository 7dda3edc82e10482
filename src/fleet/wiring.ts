import type { CallOutcome, ProtocolEventKind, SessionObserver } from '../ocpp/session.js';
import type { RpcErrorCode } from '../ocpp/errors.js';
import { callErrorOutcome, callOutcomeFromFailure, type CallOutcomeKind } from '../metrics/outcomes.js';
import type { CallRecorder, MetricsRegistry } from '../metrics/registry.js';
import type { StationSink } from '../station/context.js';

// Business refusals arrive as CALLRESULTs with a status (FLOWS.md §1.4): counted as `rejected`, not failures.
const REFUSALS = new Set(['Rejected', 'Blocked', 'Invalid', 'Expired', 'NoCredit', 'Unknown', 'NotAllowedTypeEVSE',
  'NotAtThisLocation', 'NotAtThisTime', 'ConcurrentTx', 'Failed', 'NotSupported', 'Pending']);

function kindOf(o: CallOutcome): CallOutcomeKind {
  if (o.ok) {
    const p = o.payload;
    const s = p.status ?? p.idTokenInfo?.status;
    return typeof s === 'string' && REFUSALS.has(s) ? 'rejected' : 'ok';
  }
  return callOutcomeFromFailure(o.kind, o.code);
}

/**
 * Connects the protocol and station layers to one process's metrics registry: session observer (call timings,
 * incoming calls, protocol events) and station sink (counters, connects, connected gauge).
 */
export class MetricsWiring implements SessionObserver, StationSink {
  readonly registry: MetricsRegistry;
  private readonly recorders = new Map<string, CallRecorder>();
  private live = 0;
  verbose: ((line: string) => void) | null = null;

  constructor(registry: MetricsRegistry) { this.registry = registry; }

  get connectedNow(): number { return this.live; }

  callDone(action: string, intendedUs: number, sentUs: number, doneUs: number, outcome: CallOutcome): void {
    let r = this.recorders.get(action);
    if (r === undefined) { r = this.registry.callRecorder(action); this.recorders.set(action, r); }
    // An iteration sent ahead of its intended time (executors fire up to EARLY_MS early) is timed from the send:
    // latency is never below the service time.
    r.record(doneUs - Math.min(intendedUs, sentUs), doneUs - sentUs, kindOf(outcome));
  }

  incomingDone(action: string, code: RpcErrorCode | null): void {
    this.registry.recordIncoming(action, code === null ? 'ok' : callErrorOutcome(code));
  }

  protocolEvent(kind: ProtocolEventKind, detail: string): void {
    this.registry.count(`protocol_${kind.replace(/-/g, '_')}`);
    this.verbose?.(`protocol ${kind}: ${detail}`);
  }

  count(name: string, n = 1): void { this.registry.count(name, n); }
  add(name: string, value: number): void { this.registry.add(name, value); }
  connect(us: number, ok: boolean, errorKind?: string): void { this.registry.recordConnect(us, ok, errorKind); }
  connected(delta: number): void {
    this.live += delta;
    this.registry.gauge('stations_connected', this.live);
  }
  log(stationId: string, message: string): void { this.verbose?.(`${stationId}: ${message}`); }
}
