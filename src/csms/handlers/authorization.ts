import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type CsmsCore, type HandlerContext, type HandlerTable } from '../context.js';
import { authorizeContract } from '../usecases/pnc.js';

// Shared frozen answers: the hot path allocates nothing for them.
const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });
const BLOCKED: Payload = Object.freeze({ status: 'Blocked' });
const UNKNOWN: Payload = Object.freeze({ status: 'Unknown' });
const INVALID: Payload = Object.freeze({ status: 'Invalid' });
const CONCURRENT: Payload = Object.freeze({ status: 'ConcurrentTx' });
/** Tokens that are no person's card (the CSMS's own remote-start token, free vend): never "in use" elsewhere. */
const SHARED_TYPES = new Set(['Central', 'NoAuthorization']);

/**
 * The transaction another station runs with this token right now (it is connected and the transaction open),
 * if any: the token cannot be in two places at once (C01: idTokenInfo.status ConcurrentTx).
 */
export function inUseElsewhere(ctx: HandlerContext, idToken: Payload | undefined): boolean {
  const token = idToken?.idToken;
  if (typeof token !== 'string' || SHARED_TYPES.has(String(idToken!.type))) return false;
  const key = token.toLowerCase();
  const other = ctx.core.tokensInUse.get(key);
  if (other === undefined || other.state === ctx.state) return false;
  if (other.tx.ended || !other.state.connected) { ctx.core.tokensInUse.delete(key); return false; }
  return true;
}

/**
 * idTokenInfo for a token: Blocked when the scenario lists it; with a token registry (CsmsOptions.knownTokens)
 * Unknown when it does not know the token and Invalid for NoAuthorization (free vend is not configured);
 * otherwise Accepted.
 */
export function idTokenInfo(core: CsmsCore, idToken: Payload | undefined): Payload {
  const token = idToken?.idToken;
  if (typeof token !== 'string') return ACCEPTED;
  if (core.blocked.has(token.toLowerCase())) return BLOCKED;
  if (core.opts.knownTokens === undefined) return ACCEPTED;
  if (idToken!.type === 'NoAuthorization') return INVALID;
  return core.knowsToken(token) ? ACCEPTED : UNKNOWN;
}

/** idTokenInfo for an eMAID presented with contract data: the contract decides, the registry does not (pnc.ts). */
function contractTokenInfo(core: CsmsCore, idToken: Payload | undefined): Payload {
  const token = idToken?.idToken;
  return typeof token === 'string' && core.blocked.has(token.toLowerCase()) ? BLOCKED : ACCEPTED;
}

/**
 * Authorize (C01, C07 for ISO 15118 contracts). Certificate data presented with the token (hash data or a PEM
 * chain) is checked against the test PKI (Plug & Charge, usecases/pnc.ts).
 */
function authorize(ctx: HandlerContext, p: Payload): Payload {
  const contract = p.iso15118CertificateHashData !== undefined || p.certificate !== undefined;
  let info = contract ? contractTokenInfo(ctx.core, p.idToken) : idTokenInfo(ctx.core, p.idToken);
  if (info === ACCEPTED && inUseElsewhere(ctx, p.idToken)) info = CONCURRENT;
  if (info === BLOCKED) ctx.core.counters.authBlocked++;
  else if (info === ACCEPTED) ctx.core.counters.authAccepted++;
  if (contract) return authorizeContract(ctx, p, info);
  return { idTokenInfo: info };
}

export const authorizationHandlers: HandlerTable = {
  Authorize: authorize,
  // NotifySettlement and VatNumberValidation: usecases/tariffs.ts.
  ReservationStatusUpdate: () => EMPTY,
};
