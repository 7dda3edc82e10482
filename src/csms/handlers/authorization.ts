import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type CsmsCore, type HandlerContext, type HandlerTable } from '../context.js';
import { authorizeContract } from '../usecases/pnc.js';

// Shared frozen answers: the hot path allocates nothing for them.
const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });
const BLOCKED: Payload = Object.freeze({ status: 'Blocked' });
const UNKNOWN: Payload = Object.freeze({ status: 'Unknown' });
const INVALID: Payload = Object.freeze({ status: 'Invalid' });

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
  const info = contract ? contractTokenInfo(ctx.core, p.idToken) : idTokenInfo(ctx.core, p.idToken);
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
