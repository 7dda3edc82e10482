/** OCPP-J RPC error codes (FLOWS.md §1.5; identical in 2.0.1 and 2.1). */
export const RPC_ERROR_CODES = [
  'FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented', 'NotSupported',
  'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'RpcFrameworkError',
  'SecurityError', 'TypeConstraintViolation',
] as const;
export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

const CODES = new Set<string>(RPC_ERROR_CODES);
export function isRpcErrorCode(code: unknown): code is RpcErrorCode {
  return typeof code === 'string' && CODES.has(code);
}

/**
 * An error that travels as a CALLERROR (or CALLRESULTERROR). Handlers return or throw one to refuse a CALL with
 * a specific code; anything else thrown by a handler becomes InternalError.
 */
export class RpcError extends Error {
  readonly rpcCode: RpcErrorCode;
  readonly details: Record<string, unknown>;
  constructor(rpcCode: RpcErrorCode, description = '', details: Record<string, unknown> = {}) {
    super(description || rpcCode);
    this.name = rpcCode;
    this.rpcCode = rpcCode;
    this.details = details;
  }
}

// One class per code (ocpp-rpc errors.js), so callers can `instanceof` and tests can name them.
export class FormatViolation extends RpcError { constructor(d = '', x = {}) { super('FormatViolation', d, x); } }
export class GenericError extends RpcError { constructor(d = '', x = {}) { super('GenericError', d, x); } }
export class InternalError extends RpcError { constructor(d = '', x = {}) { super('InternalError', d, x); } }
export class MessageTypeNotSupported extends RpcError { constructor(d = '', x = {}) { super('MessageTypeNotSupported', d, x); } }
export class NotImplemented extends RpcError { constructor(d = '', x = {}) { super('NotImplemented', d, x); } }
export class NotSupported extends RpcError { constructor(d = '', x = {}) { super('NotSupported', d, x); } }
export class OccurrenceConstraintViolation extends RpcError { constructor(d = '', x = {}) { super('OccurrenceConstraintViolation', d, x); } }
export class PropertyConstraintViolation extends RpcError { constructor(d = '', x = {}) { super('PropertyConstraintViolation', d, x); } }
export class ProtocolError extends RpcError { constructor(d = '', x = {}) { super('ProtocolError', d, x); } }
export class RpcFrameworkError extends RpcError { constructor(d = '', x = {}) { super('RpcFrameworkError', d, x); } }
export class SecurityError extends RpcError { constructor(d = '', x = {}) { super('SecurityError', d, x); } }
export class TypeConstraintViolation extends RpcError { constructor(d = '', x = {}) { super('TypeConstraintViolation', d, x); } }
