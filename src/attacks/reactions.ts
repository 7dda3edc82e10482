import type { Reaction } from '../detection/index.js';
import type { CallOutcome, Payload } from '../ocpp/session.js';

/**
 * The protocol reaction facets of a call's outcome: the CALLERROR code, or for a CALLRESULT its status fields
 * (`status`, `idTokenInfo.status`, `certificateStatus`, `statusInfo.reasonCode`). null when nothing came back
 * (timeout, disconnect): no reaction observed.
 */
export function reactionsOf(out: CallOutcome): Reaction[] | null {
  if (out.ok) return resultFacets(out.payload);
  if (out.kind === 'callerror') return [{ kind: 'callerror', value: out.code ?? 'GenericError' }];
  if (out.kind === 'invalid-response') return [{ kind: 'callresult', value: 'invalid' }];
  return null;
}

/** The facets of a CALLRESULT payload. */
export function resultFacets(p: Payload): Reaction[] {
  const r: Reaction[] = [{ kind: 'callresult', value: 'ok' }];
  if (typeof p.status === 'string') r.push({ kind: 'status', value: p.status });
  const tokenStatus = p.idTokenInfo?.status;
  if (typeof tokenStatus === 'string') r.push({ kind: 'status', value: tokenStatus });
  if (typeof p.certificateStatus === 'string') r.push({ kind: 'certificateStatus', value: p.certificateStatus });
  const reason = p.statusInfo?.reasonCode;
  if (typeof reason === 'string') r.push({ kind: 'reasonCode', value: reason });
  return r;
}
