import { isoTime } from '../../util/clock.js';
import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type HandlerContext, type HandlerTable } from '../context.js';

// The embedded CSMS has no PKI and no OCSP responder. It answers like a permissive test CSMS: certificate
// requests are accepted and status checks come back good, with placeholder blobs where the schema wants
// base64 data (the virtual EV/station passes them through untouched). Short enough for 2.0.1's limits.
const PLACEHOLDER_EXI = Buffer.from('chargestorm placeholder EXI response').toString('base64');
const PLACEHOLDER_OCSP = Buffer.from('chargestorm placeholder OCSP response').toString('base64');

const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });
const EXI_ACCEPTED: Payload = Object.freeze({ status: 'Accepted', exiResponse: PLACEHOLDER_EXI });
const OCSP_ACCEPTED: Payload = Object.freeze({ status: 'Accepted', ocspResult: PLACEHOLDER_OCSP });

/** A cached revocation status stays valid for a week (FLOWS.md §4.3). */
const NEXT_UPDATE_MS = 7 * 24 * 3600 * 1000;

/** GetCertificateChainStatus (2.1, M06): one Good status per certificate asked about, same order. */
function getCertificateChainStatus(ctx: HandlerContext, p: Payload): Payload {
  const nextUpdate = isoTime(ctx.core.nowMs() + NEXT_UPDATE_MS);
  const requests = p.certificateStatusRequests as Payload[];
  return {
    certificateStatus: requests.map((r) => ({ certificateHashData: r.certificateHashData, source: r.source, status: 'Good', nextUpdate })),
  };
}

export const certificateHandlers: HandlerTable = {
  // A06: accepted; no CertificateSigned follows (no CA), so the station's CertSigning retries are exercised.
  SignCertificate: () => ACCEPTED,
  SecurityEventNotification: () => EMPTY,
  Get15118EVCertificate: () => EXI_ACCEPTED,
  GetCertificateStatus: () => OCSP_ACCEPTED,
  GetCertificateChainStatus: getCertificateChainStatus,
};
