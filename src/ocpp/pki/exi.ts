/**
 * Pseudo-EXI: what chargestorm puts in Get15118EVCertificate's `exiRequest` / `exiResponse` (FLOWS.md §4.2).
 * OCPP passes these base64 EXI streams through untouched; a real one is an EXI-encoded ISO 15118
 * CertificateInstallationReq/Res, which neither the simulated EV nor the embedded CSMS speaks. So both ends use
 * a small, clearly non-EXI container instead, so that the contract certificate the CSMS issues reaches the
 * station as real DER and the station can compute real hash data from it:
 *
 *   request:  "CSEXI" 0x01 <schema: 2 | 20> <eMAID length> <eMAID ASCII>
 *   response: "CSEXI" 0x02 <count> <DER certificate>... (contract certificate first, then its sub-CAs)
 *
 * A foreign CSMS will not understand it (it answers Failed or garbage, which is counted, never fatal).
 */
import { readNode } from './der.js';

const MAGIC = Buffer.from('CSEXI', 'ascii');
const REQ = 0x01;
const RES = 0x02;

/** The pseudo-EXI CertificateInstallationReq of an EV holding contract `emaid` (ISO 15118-2 or -20). */
export function encodeExiRequest(emaid: string, schema: 2 | 20): string {
  const id = Buffer.from(emaid, 'ascii');
  return Buffer.concat([MAGIC, Buffer.from([REQ, schema, id.length]), id]).toString('base64');
}

/** The eMAID a pseudo-EXI request asks for, or null when it is not one of ours. */
export function decodeExiRequest(b64: unknown): { emaid: string; schema: number } | null {
  if (typeof b64 !== 'string') return null;
  const b = Buffer.from(b64, 'base64');
  if (b.length < 8 || !b.subarray(0, 5).equals(MAGIC) || b[5] !== REQ) return null;
  const n = b[7]!;
  if (b.length !== 8 + n || n === 0) return null;
  return { emaid: b.subarray(8).toString('ascii'), schema: b[6]! };
}

/** The pseudo-EXI CertificateInstallationRes carrying a contract certificate chain (DER, leaf first). */
export function encodeExiResponse(chain: readonly Buffer[]): string {
  return Buffer.concat([MAGIC, Buffer.from([RES, chain.length]), ...chain]).toString('base64');
}

/** The DER certificates of a pseudo-EXI response, or null when it is not one of ours or is malformed. */
export function decodeExiResponse(b64: unknown): Buffer[] | null {
  if (typeof b64 !== 'string') return null;
  const b = Buffer.from(b64, 'base64');
  if (b.length < 7 || !b.subarray(0, 5).equals(MAGIC) || b[5] !== RES) return null;
  const out: Buffer[] = [];
  try {
    let at = 7;
    for (let i = 0; i < b[6]!; i++) {
      const n = readNode(b, at);
      out.push(b.subarray(at, n.end));
      at = n.end;
    }
    return at === b.length && out.length > 0 ? out : null;
  } catch {
    return null;
  }
}
