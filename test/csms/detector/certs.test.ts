import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrCommonName } from '../../../src/csms/detector/certs.js';
import { harness } from './support.js';

// Self-signed P-256 certificate, CN=DEABC000000001, serial 3C4D, valid 2026-11-24 .. 2126-10-31.
const CERT = `-----BEGIN CERTIFICATE-----
MIIBOTCB4QICPE0wCgYIKoZIzj0EAwIwKDEXMBUGA1UEAwwOREVBQkMwMDAwMDAw
MDExDTALBgNVBAoMBEVNU1AwIBcNMjYxMTI0MTAzMzAxWhgPMjEyNjEwMzExMDMz
MDFaMCgxFzAVBgNVBAMMDkRFQUJDMDAwMDAwMDAxMQ0wCwYDVQQKDARFTVNQMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ8qxIHO+0KXQv3/CSSzZ/QwXq78eE6k+
7Hf+8Be0vGB59T11uVif5TjJ1jBpMz9QflpKcOYe6pUhj6VAOUxMODAKBggqhkjO
PQQDAgNHADBEAiARZ2rDRM8RivvgAEBKyrK2bpAfuo64jimsn91cUOGocQIgMBAv
zJh9ecTTy2JqlMd+6wHhfk0kufYpIrn2uyswRWI=
-----END CERTIFICATE-----
`;
// PKCS#10 request, CN=WRONGSERIAL01, O=CSO.
const CSR = `-----BEGIN CERTIFICATE REQUEST-----
MIHiMIGIAgEAMCYxFjAUBgNVBAMMDVdST05HU0VSSUFMMDExDDAKBgNVBAoMA0NT
TzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMtLDYLDtpcSq5lOCNSqaoKDZokb
9VzRu+64lxJcWswdgY9msoNIuMLC+JhV31ZR0DKTF9//XdmZQEUg/KFo4COgADAK
BggqhkjOPQQDAgNJADBGAiEA+G3Pd3Q6YZRtWHU/ulvP/gf1AjtzuHf8RiC5U45L
YO0CIQCohBy3Zg/qLdbCffSQcgI6sz2T0keW7MPi5kx/OdFnmw==
-----END CERTIFICATE REQUEST-----
`;
const ACCEPTED = { idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' };
const emaid = (id: string) => ({ idToken: { idToken: id, type: 'eMAID' }, certificate: CERT });

test('a valid contract certificate for its eMAID passes untouched', () => {
  const h = harness({ startMs: Date.UTC(2030, 0, 1) });
  const sd = h.connect('CS-1');
  assert.equal(h.call(sd, 'Authorize', emaid('DE-ABC-000000001'), ACCEPTED), ACCEPTED);
  assert.deepEqual(h.alerts, []);
});

test('expired certificate (event time after notAfter) → CertificateExpired, Expired; one is a driver, a burst is misuse', () => {
  const h = harness({ startMs: Date.UTC(2127, 0, 1) });
  const sd = h.connect('CS-1');
  assert.deepEqual(h.call(sd, 'Authorize', emaid('DEABC000000001'), ACCEPTED), { idTokenInfo: { status: 'Expired' }, certificateStatus: 'CertificateExpired' });
  assert.deepEqual(h.alerts, [], 'a driver with an expired contract is refused, not reported');
  for (let i = 0; i < 3; i++) h.call(sd, 'Authorize', emaid('DEABC000000001'), ACCEPTED);
  const a = h.of('certificate', 'L2.certificate-refusals');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.evidence.rule, 'L2.certificate-refusals');
  assert.equal(a[0]!.evidence.certificateStatus, 'CertificateExpired');
  assert.deepEqual(a[0]!.entity, { stationId: 'CS-1' });
});

test('a refusal burst alerts once; its residue does not turn later refusals into new alerts until it has decayed', () => {
  const h = harness({ startMs: Date.UTC(2127, 0, 1) });
  const sd = h.connect('CS-1');
  for (let i = 0; i < 10; i++) h.call(sd, 'Authorize', emaid('DEABC000000001'), ACCEPTED);
  assert.equal(h.of('certificate', 'L2.certificate-refusals').length, 1);
  h.clock.advance(70_000); // past the incident cool-down, the level still above half the threshold
  h.call(sd, 'Authorize', emaid('DEABC000000001'), ACCEPTED);
  assert.equal(h.of('certificate', 'L2.certificate-refusals').length, 1, 'no new incident from the residue');
  h.clock.advance(600_000); // decayed: the rule is armed again
  for (let i = 0; i < 4; i++) h.call(sd, 'Authorize', emaid('DEABC000000001'), ACCEPTED);
  assert.equal(h.of('certificate', 'L2.certificate-refusals').length, 2);
});

test('revoked serial (certificate or OCSP hash data) → CertificateRevoked', () => {
  const h = harness({ startMs: Date.UTC(2030, 0, 1), revokedCertificateSerials: ['3c:4d'] });
  const sd = h.connect('CS-1');
  assert.equal((h.call(sd, 'Authorize', emaid('DEABC000000001'), ACCEPTED) as { certificateStatus: string }).certificateStatus, 'CertificateRevoked');
  const hashData = [{ hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '003C4D', responderURL: 'http://ocsp' }];
  const out = h.call(sd, 'Authorize', { idToken: { idToken: 'DEABC000000002', type: 'eMAID' }, iso15118CertificateHashData: hashData }, ACCEPTED);
  assert.equal((out as { certificateStatus: string }).certificateStatus, 'CertificateRevoked');
  assert.equal(h.det.stats().actions.certificatesRefused, 2);
});

test('eMAID that is not the certificate CN → CertChainError', () => {
  const h = harness({ startMs: Date.UTC(2030, 0, 1) });
  const sd = h.connect('CS-1');
  assert.equal((h.call(sd, 'Authorize', emaid('DEABC000000777'), ACCEPTED) as { certificateStatus: string }).certificateStatus, 'CertChainError');
  assert.equal(h.of('certificate', 'L1.emaid-certificate-mismatch').length, 1);
});

test('SignCertificate: CSR CN ≠ booted serial → Rejected InvalidCSR; matching or unknown serial passes', () => {
  assert.equal(csrCommonName(CSR), 'WRONGSERIAL01');
  assert.equal(csrCommonName('not a csr'), null);
  const h = harness();
  const sd = h.connect('CS-1');
  assert.deepEqual(h.call(sd, 'SignCertificate', { csr: CSR }, { status: 'Accepted' }), { status: 'Accepted' }, 'no boot yet: nothing to compare');
  h.det.bootVerdict('CS-1', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V', serialNumber: 'SERIAL0001' } });
  assert.deepEqual(h.call(sd, 'SignCertificate', { csr: CSR }, { status: 'Accepted' }), { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR' } });
  assert.equal(h.of('certificate', 'L1.csr-cn-serial').length, 1);
  const h2 = harness();
  const s2 = h2.connect('CS-2');
  h2.det.bootVerdict('CS-2', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V', serialNumber: 'WRONGSERIAL01' } });
  assert.deepEqual(h2.call(s2, 'SignCertificate', { csr: CSR }, { status: 'Accepted' }), { status: 'Accepted' });
});
