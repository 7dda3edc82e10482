import { isoTime } from '../../util/clock.js';
import { decodeExiRequest, encodeExiResponse } from '../../ocpp/pki/exi.js';
import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type HandlerContext, type HandlerTable } from '../context.js';
import { pkiOf, type CertificateUse, type SignResultOk } from '../pki/index.js';
import { pncState } from '../usecases/pnc.js';

// Block M and A06 against the embedded CSMS's test PKI (csms/pki/, FLOWS.md §4.2-§4.4): contract certificates are
// issued for Get15118EVCertificate (inside pseudo-EXI, ocpp/pki/exi.ts), station CSRs are checked and signed, and
// status requests are answered from the PKI with real, signed OCSP responses.

const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });
/** A cached revocation status stays valid for a week (FLOWS.md §4.3). */
const NEXT_UPDATE_MS = 7 * 24 * 3600 * 1000;
const CHAIN_STATUS = { good: 'Good', revoked: 'Revoked', unknown: 'Unknown' } as const;

function bump(ctx: HandlerContext, key: string): void {
  const c = ctx.core.counters;
  c.count(c.useCases, key);
}

/**
 * SignCertificate (A02/A03, FLOWS.md §4.4): the CSR must verify, name the station's serial number (CN) and an
 * organisation (O); otherwise Rejected with reasonCode InvalidCSR. When accepted, CertificateSigned follows
 * with the chain — after installing the root it chains to, the first time — carrying the station's requestId
 * (2.1: the CSMS must copy it).
 */
function signCertificate(ctx: HandlerContext, p: Payload): Payload {
  const use = p.certificateType as CertificateUse | undefined;
  const r = pkiOf(ctx.core).signCsr(p.csr, use, ctx.state.serialNumber);
  if (!r.ok) {
    bump(ctx, 'pnc.csrRejected');
    return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR', additionalInfo: r.reason.slice(0, 500) } };
  }
  bump(ctx, 'pnc.certificatesIssued');
  const requestId = ctx.version === '2.1' && typeof p.requestId === 'number' ? p.requestId : undefined;
  // After the response: CertificateSigned must not overtake SignCertificateResponse.
  queueMicrotask(() => void deliver(ctx, r, use, requestId));
  return ACCEPTED;
}

async function deliver(ctx: HandlerContext, r: SignResultOk, use: CertificateUse | undefined, requestId: number | undefined): Promise<void> {
  const { core, state } = ctx;
  const s = pncState(state);
  if (!s.roots.has(r.rootType)) {
    // M05: the station verifies the chain against an installed root; provision ours before the first chain.
    const o = await core.send(state.id, 'InstallCertificate', { certificateType: r.rootType, certificate: r.root.pem });
    if (o.ok && o.payload.status === 'Accepted') s.roots.add(r.rootType);
  }
  const req: Payload = { certificateChain: r.chainPem };
  if (use !== undefined) req.certificateType = use;
  if (requestId !== undefined) req.requestId = requestId;
  const o = await core.send(state.id, 'CertificateSigned', req);
  if (o.ok && o.payload.status === 'Accepted') { s.certificatesSigned++; bump(ctx, 'pnc.certificateSignedAccepted'); }
  else bump(ctx, 'pnc.certificateSignedRefused');
}

/**
 * Get15118EVCertificate (M01/M02, FLOWS.md §4.2): the pseudo-EXI request names the EV's eMAID; the PKI issues its
 * contract certificate and the response carries the chain. ISO 15118-20 (2.1): one chain per request, none left.
 */
function get15118EVCertificate(ctx: HandlerContext, p: Payload): Payload {
  const req = decodeExiRequest(p.exiRequest);
  if (req === null) {
    bump(ctx, 'pnc.exiRefused');
    return { status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'InvalidEXI', additionalInfo: 'not a chargestorm pseudo-EXI request' } };
  }
  const issued = pkiOf(ctx.core).issueContract(req.emaid);
  bump(ctx, 'pnc.contractsIssued');
  if (issued.fate !== 'valid') bump(ctx, `pnc.contractsIssued.${issued.fate}`);
  const res: Payload = { status: 'Accepted', exiResponse: encodeExiResponse(issued.chain) };
  if (ctx.version === '2.1' && p.maximumContractCertificateChains !== undefined) res.remainingContracts = 0;
  return res;
}

/** GetCertificateStatus (M06): a signed OCSPResponse from the issuing CA; Failed for certificates of another PKI. */
function getCertificateStatus(ctx: HandlerContext, p: Payload): Payload {
  const der = pkiOf(ctx.core).ocspResponse(p.ocspRequestData as Payload);
  if (der === null) {
    bump(ctx, 'pnc.ocspUnknown');
    return { status: 'Failed', statusInfo: { reasonCode: 'UnknownIssuer' } };
  }
  bump(ctx, 'pnc.ocspResponses');
  return { status: 'Accepted', ocspResult: der.toString('base64') };
}

/** GetCertificateChainStatus (2.1, M07): each certificate's status from the PKI, in the order asked. */
function getCertificateChainStatus(ctx: HandlerContext, p: Payload): Payload {
  const pki = pkiOf(ctx.core);
  const nextUpdate = isoTime(ctx.core.nowMs() + NEXT_UPDATE_MS);
  bump(ctx, 'pnc.chainStatus');
  const requests = p.certificateStatusRequests as Payload[];
  return {
    certificateStatus: requests.map((r) => ({
      certificateHashData: r.certificateHashData, source: r.source, status: CHAIN_STATUS[pki.status(r.certificateHashData as Payload).status], nextUpdate,
    })),
  };
}

export const certificateHandlers: HandlerTable = {
  SignCertificate: signCertificate,
  SecurityEventNotification: () => EMPTY,
  Get15118EVCertificate: get15118EVCertificate,
  GetCertificateStatus: getCertificateStatus,
  GetCertificateChainStatus: getCertificateChainStatus,
};
