import type { RpcErrorCode } from './errors.js';

/** OCPP-J message type numbers (FLOWS.md §1.3); 5 and 6 exist only in OCPP 2.1. */
export const MessageType = Object.freeze({ CALL: 2, CALLRESULT: 3, CALLERROR: 4, CALLRESULTERROR: 5, SEND: 6 } as const);

export type Frame =
  | { type: 2; id: string; action: string; payload: unknown }
  | { type: 3; id: string; payload: unknown }
  | { type: 4 | 5; id: string; code: string; description: string; details: unknown }
  | { type: 6; id: string; action: string; payload: unknown };

/**
 * What parsing one text message gave: a frame, a frame to ignore (unknown message type, FLOWS.md §1.4), or an
 * error. `answer` says whether the error is answered with CALLERROR `code` under message id `id` ("-1" when the
 * id is unreadable): only broken CALLs and unreadable frames are; a SEND or a result never gets an answer.
 */
export type ParseResult =
  | { ok: true; frame: Frame }
  | { ok: false; ignore: true; reason: string }
  | { ok: false; ignore: false; id: string; code: RpcErrorCode; reason: string; action?: string; answer: boolean };

const MAX_ID = 36;
/** Deepest nesting of objects/arrays a payload may have; OCPP's deepest PDUs stay far below it (A04 deep nesting). */
export const MAX_PAYLOAD_DEPTH = 64;

export function parseFrame(text: string): ParseResult {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, ignore: false, id: '-1', code: 'RpcFrameworkError', reason: 'message is not valid JSON', answer: true };
  }
  if (!Array.isArray(msg) || msg.length < 3) {
    // A short CALL whose id is readable is answered under that id; anything else under "-1".
    const arr = Array.isArray(msg) ? (msg as unknown[]) : null;
    const shortCall = arr !== null && arr[0] === 2 && typeof arr[1] === 'string' && arr[1].length > 0 && arr[1].length <= MAX_ID;
    return { ok: false, ignore: false, id: shortCall ? (arr[1] as string) : '-1', code: 'RpcFrameworkError', reason: 'message is not an OCPP-J array frame', answer: true };
  }
  const type = msg[0];
  const rawId = msg[1];
  const idOk = typeof rawId === 'string' && rawId.length > 0 && rawId.length <= MAX_ID;
  if (typeof type !== 'number' || !Number.isInteger(type)) {
    return { ok: false, ignore: false, id: idOk ? rawId : '-1', code: 'RpcFrameworkError', reason: 'message type is not a number', answer: true };
  }
  if (type < 2 || type > 6) return { ok: false, ignore: true, reason: `unknown message type ${type}` };
  if (!idOk) return { ok: false, ignore: false, id: '-1', code: 'RpcFrameworkError', reason: 'messageId unreadable', answer: type === 2 };
  const id = rawId;
  switch (type) {
    case 2:
    case 6: {
      const action = msg[2];
      const answer = type === 2;
      if (typeof action !== 'string' || action.length === 0) {
        return { ok: false, ignore: false, id, code: 'RpcFrameworkError', reason: 'action is not a string', answer };
      }
      if (msg.length !== 4) {
        return { ok: false, ignore: false, id, code: 'RpcFrameworkError', reason: `${answer ? 'CALL' : 'SEND'} must have 4 elements`, ...(answer ? { action } : {}), answer };
      }
      const payload = msg[3];
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
        return { ok: false, ignore: false, id, code: 'FormatViolation', reason: 'payload is not a JSON object', ...(answer ? { action } : {}), answer };
      }
      if (nestedDeeper(text, MAX_PAYLOAD_DEPTH + 1)) {
        return { ok: false, ignore: false, id, code: 'FormatViolation', reason: `payload nested deeper than ${MAX_PAYLOAD_DEPTH} levels`, ...(answer ? { action } : {}), answer };
      }
      return { ok: true, frame: { type, id, action, payload } };
    }
    case 3:
      if (msg.length !== 3) return { ok: false, ignore: false, id, code: 'RpcFrameworkError', reason: 'CALLRESULT must have 3 elements', answer: false };
      return { ok: true, frame: { type: 3, id, payload: msg[2] } };
    default: {
      if (msg.length !== 5 || typeof msg[2] !== 'string') {
        return { ok: false, ignore: false, id, code: 'RpcFrameworkError', reason: 'CALLERROR must have 5 elements', answer: false };
      }
      const description = typeof msg[3] === 'string' ? msg[3] : '';
      return { ok: true, frame: { type: type as 4 | 5, id, code: msg[2], description, details: msg[4] } };
    }
  }
}

/** Whether the JSON text nests objects/arrays deeper than `max` (brackets inside strings do not count). */
function nestedDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) { if (++depth > max) return true; }
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

// Serialisers build the frame text directly: the payload is stringified once, the envelope concatenated.
export function encodeCall(id: string, action: string, payload: unknown): string {
  return `[2,${JSON.stringify(id)},${JSON.stringify(action)},${JSON.stringify(payload)}]`;
}
export function encodeResult(id: string, payload: unknown): string {
  return `[3,${JSON.stringify(id)},${JSON.stringify(payload)}]`;
}
export function encodeSend(id: string, action: string, payload: unknown): string {
  return `[6,${JSON.stringify(id)},${JSON.stringify(action)},${JSON.stringify(payload)}]`;
}
/** CALLERROR (4) or, in 2.1, CALLRESULTERROR (5). The description is cut to 255 characters (OCPP-J). */
export function encodeError(type: 4 | 5, id: string, code: string, description: string, details: unknown = {}): string {
  const d = description.length > 255 ? description.slice(0, 255) : description;
  return `[${type},${JSON.stringify(id)},${JSON.stringify(code)},${JSON.stringify(d)},${JSON.stringify(details ?? {})}]`;
}
