import type { Clock } from '../util/clock.js';
import type { IdSource } from '../util/ids.js';
import { actionInfo } from './actions.js';
import { RpcError, type RpcErrorCode } from './errors.js';
import { encodeCall, encodeError, encodeResult, encodeSend, parseFrame, type Frame } from './framing.js';
import type { OcppVersion, PayloadValidator, Violation } from './schemas.js';
import { sweeper } from './sweeper.js';

export type ValidationMode = 'strict' | 'warn' | 'off';

/** Response payloads are schema-checked JSON objects; callers read them by field name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Payload = Record<string, any>;

export type FailureKind = 'timeout' | 'disconnected' | 'callerror' | 'invalid-request' | 'invalid-response';

/** How one outgoing CALL ended. Expected outcomes under load are values, never exceptions (STYLE habit 5). */
export type CallOutcome =
  | { readonly ok: true; readonly payload: Payload }
  | { readonly ok: false; readonly kind: FailureKind; readonly code?: string; readonly description?: string };

/** Receives timing and protocol events; the composition root wires it to metrics (ocpp never imports metrics). */
export interface SessionObserver {
  /** intendedUs: when the caller wanted to send (coordinated-omission correction); sentUs: when it went out. */
  callDone(action: string, intendedUs: number, sentUs: number, doneUs: number, outcome: CallOutcome): void;
  /** An incoming CALL was answered; `code` is the CALLERROR code we sent, or null for a CALLRESULT. */
  incomingDone(action: string, code: RpcErrorCode | null): void;
  /** Something the peer did wrong or that could not be matched (garbage frame, unknown id, CALLRESULTERROR, ...). */
  protocolEvent(kind: ProtocolEventKind, detail: string): void;
}

export type ProtocolEventKind =
  | 'garbage-in' | 'invalid-call-in' | 'unexpected-result' | 'callresulterror-in' | 'ignored-type' | 'invalid-out'
  | 'warn-invalid-in' | 'warn-invalid-out' | 'send-in';

/** The application side: answers incoming CALLs and takes SENDs. Called as a method, so `this` is the handler. */
export interface IncomingHandler {
  /** Returns the response payload (or a promise of it); throw/return an RpcError to answer with a CALLERROR. */
  handleCall(action: string, payload: Payload): Payload | RpcError | Promise<Payload | RpcError>;
  handleSend?(action: string, payload: Payload): void;
}

/** Anything with `send(text)`: a ws WebSocket, or a test's capture. */
export interface Wire {
  send(text: string): void;
}

export interface SessionOptions {
  version: OcppVersion;
  validator: PayloadValidator;
  validation: ValidationMode;
  callTimeoutMs: number;
  ids: IdSource;
  clock: Clock;
  observer: SessionObserver;
}

export interface CallOptions {
  /** When the call was meant to go out (µs, monotonic); defaults to now. */
  intendedUs?: number;
  /** Skip outgoing validation for this frame only (attacks that malform on purpose). */
  raw?: boolean;
}

/** The reply to a raw frame (sendRawCall): a CALLRESULT's payload or a CALLERROR's code. */
export type RawReply =
  | { readonly type: 3; readonly payload: unknown }
  | { readonly type: 4; readonly code: string; readonly description: string };

interface PendingCall {
  id: string;
  action: string;
  payload: unknown;
  raw: boolean;
  intendedUs: number;
  sentUs: number;
  deadlineUs: number;
  resolve: (o: CallOutcome) => void;
}

const DISCONNECTED: CallOutcome = Object.freeze({ ok: false, kind: 'disconnected' });
const TIMEOUT: CallOutcome = Object.freeze({ ok: false, kind: 'timeout' });

/**
 * One OCPP-J RPC endpoint over one connection, transport-agnostic (`attach(wire)` / `onText(text)`), used by
 * stations and the embedded CSMS alike. One outstanding CALL per direction with a FIFO send queue; incoming
 * CALLs are answered while our own CALL is pending (FLOWS.md §1.4). Call timeouts are expired by one shared
 * periodic sweep rather than a timer per call.
 */
export class RpcSession {
  readonly opts: SessionOptions;
  private wire: Wire | null = null;
  private pending: PendingCall | null = null;
  private readonly queue: PendingCall[] = [];
  private readonly handler: IncomingHandler;
  /** Raw frames waiting for the reply with their message id (sendRawCall). */
  private readonly rawWaiters = new Map<string, (r: RawReply | null) => void>();

  constructor(opts: SessionOptions, handler: IncomingHandler) {
    this.opts = opts;
    this.handler = handler;
  }

  get version(): OcppVersion { return this.opts.version; }
  get connected(): boolean { return this.wire !== null; }
  /** Calls waiting behind the outstanding one. */
  get queued(): number { return this.queue.length; }
  get busy(): boolean { return this.pending !== null; }

  attach(wire: Wire): void {
    this.wire = wire;
    this.pump();
  }

  /** The connection is gone: the outstanding and queued calls end as `disconnected`. */
  detach(): void {
    this.wire = null;
    const p = this.pending;
    this.pending = null;
    if (p) { sweeper.remove(this); this.finish(p, DISCONNECTED); }
    while (this.queue.length > 0) this.finish(this.queue.shift()!, DISCONNECTED);
    for (const w of [...this.rawWaiters.values()]) w(null);
  }

  /** Sends a CALL (queued behind the outstanding one) and resolves with its outcome; never rejects. */
  call(action: string, payload: unknown, options?: CallOptions): Promise<CallOutcome> {
    const now = this.opts.clock.monoUs();
    const intendedUs = options?.intendedUs ?? now;
    const raw = options?.raw === true;
    return new Promise<CallOutcome>((resolve) => {
      const c: PendingCall = { id: '', action, payload, raw, intendedUs, sentUs: 0, deadlineUs: 0, resolve };
      if (this.wire === null) { this.finish(c, DISCONNECTED); return; }
      if (!raw) {
        const bad = this.checkOutgoing(action, payload, 'request');
        if (bad) { this.finish(c, { ok: false, kind: 'invalid-request', code: bad.code, description: bad.message }); return; }
      }
      this.queue.push(c);
      this.pump();
    });
  }

  /** SEND (type 6, 2.1 only): unconfirmed; returns false when it could not go out. */
  sendUnconfirmed(action: string, payload: unknown, raw = false): boolean {
    if (this.wire === null || this.opts.version !== '2.1') return false;
    if (!raw && this.checkOutgoing(action, payload, 'request')) return false;
    this.wire.send(encodeSend(this.opts.ids.next(), action, payload));
    return true;
  }

  /** A frame exactly as given (attacks); bypasses validation and the one-outstanding-call rule. */
  sendRaw(text: string): boolean {
    if (this.wire === null) return false;
    this.wire.send(text);
    return true;
  }

  /**
   * A frame exactly as given (like sendRaw) whose reply is awaited: resolves with the CALLRESULT or CALLERROR
   * that carries `replyId` (the frame's own id, or "-1" for a frame whose id cannot be read), or null when none
   * came within `timeoutMs` or the connection went away. One waiter per id at a time.
   */
  sendRawCall(replyId: string, text: string, timeoutMs: number = this.opts.callTimeoutMs): Promise<RawReply | null> {
    if (this.wire === null || this.rawWaiters.has(replyId)) return Promise.resolve(null);
    return new Promise((resolve) => {
      const t = setTimeout(() => done(null), timeoutMs);
      const done = (r: RawReply | null): void => { clearTimeout(t); this.rawWaiters.delete(replyId); resolve(r); };
      this.rawWaiters.set(replyId, done);
      this.wire!.send(text);
    });
  }

  /** Feed one incoming text message. */
  onText(text: string): void {
    const r = parseFrame(text);
    if (!r.ok) {
      if (r.ignore) { this.opts.observer.protocolEvent('ignored-type', r.reason); return; }
      this.opts.observer.protocolEvent('garbage-in', r.reason);
      // Only CALLs are answered; an unreadable frame is answered with id "-1" (FLOWS.md §1.4).
      if (r.answer) this.wire?.send(encodeError(4, r.id, r.code, r.reason));
      if (r.action !== undefined) this.opts.observer.incomingDone(r.action, r.code);
      return;
    }
    this.onFrame(r.frame);
  }

  /** Expires the outstanding call if its deadline passed; driven by the shared sweeper. */
  expire(nowUs: number): void {
    const p = this.pending;
    if (!p || p.deadlineUs > nowUs) return;
    this.pending = null;
    sweeper.remove(this);
    this.finish(p, TIMEOUT);
    this.pump();
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case 2: this.onCall(f.id, f.action, f.payload as Payload); return;
      case 3: this.onResult(f.id, f.payload); return;
      case 4: this.onError(f.id, f.code, f.description); return;
      case 5:
        if (this.opts.version !== '2.1') { this.opts.observer.protocolEvent('ignored-type', 'CALLRESULTERROR on 2.0.1'); return; }
        this.opts.observer.protocolEvent('callresulterror-in', `${f.code}: ${f.description}`);
        return;
      case 6:
        if (this.opts.version !== '2.1') { this.opts.observer.protocolEvent('ignored-type', 'SEND on 2.0.1'); return; }
        this.onSend(f.action, f.payload as Payload);
    }
  }

  private onCall(id: string, action: string, payload: Payload): void {
    const v = this.opts.validator;
    const info = actionInfo(action);
    if (!info || !v.has(action)) {
      this.reply(encodeError(4, id, 'NotImplemented', `unknown action ${action}`));
      this.opts.observer.incomingDone(action, 'NotImplemented');
      return;
    }
    if (this.opts.validation !== 'off') {
      const bad = v.request(action, payload);
      if (bad) {
        if (this.opts.validation === 'strict') {
          this.opts.observer.protocolEvent('invalid-call-in', `${action}: ${bad.message}`);
          this.reply(encodeError(4, id, bad.code, bad.message));
          this.opts.observer.incomingDone(action, bad.code);
          return;
        }
        this.opts.observer.protocolEvent('warn-invalid-in', `${action}: ${bad.message}`);
      }
    }
    let out: Payload | RpcError | Promise<Payload | RpcError>;
    try {
      out = this.handler.handleCall(action, payload);
    } catch (err) {
      this.answer(id, action, err);
      return;
    }
    if (out instanceof Promise) {
      // A late answer belongs to the connection the CALL came on; after a reconnect it is dropped.
      const wire = this.wire;
      out.then((r) => { if (this.wire === wire) this.answer(id, action, r); }, (e) => { if (this.wire === wire) this.answer(id, action, e); });
    } else {
      this.answer(id, action, out);
    }
  }

  private answer(id: string, action: string, out: unknown): void {
    if (out instanceof RpcError) {
      this.reply(encodeError(4, id, out.rpcCode, out.message, out.details));
      this.opts.observer.incomingDone(action, out.rpcCode);
      return;
    }
    if (out === null || typeof out !== 'object' || out instanceof Error) {
      const msg = out instanceof Error ? out.message : 'handler returned no payload';
      this.reply(encodeError(4, id, 'InternalError', msg));
      this.opts.observer.incomingDone(action, 'InternalError');
      return;
    }
    const bad = this.checkOutgoing(action, out, 'response');
    if (bad) {
      this.reply(encodeError(4, id, 'InternalError', `response failed validation: ${bad.message}`));
      this.opts.observer.incomingDone(action, 'InternalError');
      return;
    }
    this.reply(encodeResult(id, out));
    this.opts.observer.incomingDone(action, null);
  }

  private onSend(action: string, payload: Payload): void {
    if (this.opts.validation !== 'off') {
      const bad = this.opts.validator.request(action, payload);
      if (bad) {
        this.opts.observer.protocolEvent(this.opts.validation === 'strict' ? 'invalid-call-in' : 'warn-invalid-in', `${action}: ${bad.message}`);
        if (this.opts.validation === 'strict') return; // a SEND is never answered, not even with an error
      }
    }
    this.opts.observer.protocolEvent('send-in', action);
    this.handler.handleSend?.(action, payload);
  }

  private onResult(id: string, payload: unknown): void {
    const p = this.pending;
    if (!p || p.id !== id) {
      const raw = this.rawWaiters.get(id);
      if (raw) { raw({ type: 3, payload }); return; }
      this.opts.observer.protocolEvent('unexpected-result', `CALLRESULT for unknown id ${id}`);
      return;
    }
    this.pending = null;
    sweeper.remove(this);
    let outcome: CallOutcome;
    const bad: Violation | null = this.opts.validation === 'off' ? null : this.opts.validator.response(p.action, payload);
    if (bad && this.opts.validation === 'strict') {
      // 2.1 lets the receiver of an unprocessable CALLRESULT say so (CALLRESULTERROR); 2.0.1 has no way to.
      if (this.opts.version === '2.1') this.reply(encodeError(5, id, bad.code, bad.message));
      outcome = { ok: false, kind: 'invalid-response', code: bad.code, description: bad.message };
    } else {
      if (bad) this.opts.observer.protocolEvent('warn-invalid-in', `${p.action} response: ${bad.message}`);
      outcome = { ok: true, payload: payload as Payload };
    }
    this.finish(p, outcome);
    this.pump();
  }

  private onError(id: string, code: string, description: string): void {
    const p = this.pending;
    if (!p || p.id !== id) {
      const raw = this.rawWaiters.get(id);
      if (raw) { raw({ type: 4, code, description }); return; }
      this.opts.observer.protocolEvent('unexpected-result', `CALLERROR for unknown id ${id}`);
      return;
    }
    this.pending = null;
    sweeper.remove(this);
    this.finish(p, { ok: false, kind: 'callerror', code, description });
    this.pump();
  }

  private pump(): void {
    if (this.pending !== null || this.wire === null || this.queue.length === 0) return;
    const c = this.queue.shift()!;
    c.id = this.opts.ids.next();
    c.sentUs = this.opts.clock.monoUs();
    c.deadlineUs = c.sentUs + this.opts.callTimeoutMs * 1000;
    this.pending = c;
    sweeper.add(this);
    this.wire.send(encodeCall(c.id, c.action, c.payload));
  }

  private finish(c: PendingCall, outcome: CallOutcome): void {
    const now = this.opts.clock.monoUs();
    this.opts.observer.callDone(c.action, c.intendedUs, c.sentUs || now, now, outcome);
    c.resolve(outcome);
  }

  private reply(text: string): void {
    this.wire?.send(text);
  }

  /** Validates what we are about to send; in warn mode it is counted and sent anyway. */
  private checkOutgoing(action: string, payload: unknown, kind: 'request' | 'response'): Violation | null {
    if (this.opts.validation === 'off') return null;
    const info = actionInfo(action);
    if (kind === 'request' && info?.new21 && this.opts.version !== '2.1') {
      return { code: 'NotSupported', message: `${action} does not exist in OCPP ${this.opts.version}` };
    }
    const bad = kind === 'request' ? this.opts.validator.request(action, payload) : this.opts.validator.response(action, payload);
    if (!bad) return null;
    if (this.opts.validation === 'warn') {
      this.opts.observer.protocolEvent('warn-invalid-out', `${action} ${kind}: ${bad.message}`);
      return null;
    }
    this.opts.observer.protocolEvent('invalid-out', `${action} ${kind}: ${bad.message}`);
    return bad;
  }
}
