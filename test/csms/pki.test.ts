// The embedded CSMS's test PKI (src/csms/pki/) and the certificate formats under it (src/ocpp/pki/): certificates
// node:crypto parses and verifies, hash data equal to RFC 6960 CertID computed independently (and by OpenSSL when
// it is installed), CSRs, the Authorize contract checks with the FLOWS.md §4.1 outcomes, OCSP responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestPki } from '../../src/csms/pki/index.js';
import { decodeExiRequest, decodeExiResponse, encodeExiRequest, encodeExiResponse } from '../../src/ocpp/pki/exi.js';
import { parseOcspResponse } from '../../src/ocpp/pki/ocsp.js';
import { buildCsr, parseCertificate, parseCsr, toPem } from '../../src/ocpp/pki/x509.js';
import { readNode, x509Time } from '../../src/ocpp/pki/der.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const EMAID = 'DECSTC00000001X';

// An independent DER walk (not src/ocpp/pki/der.ts): the raw TLVs inside a constructed TLV at `at`.
function tlvs(buf: Buffer, at = 0): Buffer[] {
  const lenAt = (i: number): [number, number] => {
    const b = buf[i + 1]!;
    if (b < 0x80) return [b, 2];
    let n = 0;
    for (let k = 0; k < (b & 0x7f); k++) n = n * 256 + buf[i + 2 + k]!;
    return [n, 2 + (b & 0x7f)];
  };
  const [len, hdr] = lenAt(at);
  const out: Buffer[] = [];
  for (let i = at + hdr; i < at + hdr + len;) {
    const [l, h] = lenAt(i);
    out.push(buf.subarray(i, i + h + l));
    i += h + l;
  }
  return out;
}

/** RFC 6960 CertID (SHA-256) of `cert` issued by `issuer`, computed from the raw DER and node's X509Certificate. */
function certId(certDer: Buffer, issuerDer: Buffer): { issuerNameHash: string; issuerKeyHash: string; serialNumber: string } {
  const tbs = tlvs(tlvs(certDer)[0]!);
  const issuerName = tbs[3]!; // [0] version, serial, signature algorithm, issuer
  const issuerSpki = new X509Certificate(issuerDer).publicKey.export({ type: 'spki', format: 'der' });
  return {
    issuerNameHash: createHash('sha256').update(issuerName).digest('hex'),
    // P-256 SPKI: the BIT STRING value (after its unused-bits byte) is the 65-byte uncompressed point at the end.
    issuerKeyHash: createHash('sha256').update(issuerSpki.subarray(-65)).digest('hex'),
    serialNumber: new X509Certificate(certDer).serialNumber.toLowerCase().replace(/^0+/, ''),
  };
}

function hasOpenssl(): boolean {
  try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

test('the CA hierarchy: node:crypto parses every certificate and verifies each signature with its issuer key', () => {
  const pki = new TestPki({ seed: 3, nowMs: () => NOW });
  for (const ca of [pki.v2gRoot, pki.cpoSub1, pki.cpoSub2, pki.moRoot, pki.moSub1, pki.moSub2, pki.csmsRoot]) {
    const x = new X509Certificate(ca.pem);
    const issuer = new X509Certificate((ca.issuer ?? ca).pem);
    assert.ok(x.ca, `${ca.label} is a CA`);
    assert.ok(x.verify(issuer.publicKey), `${ca.label} verifies with ${ca.issuer?.label ?? 'itself'}`);
    assert.ok(x.checkIssued(issuer), `${ca.label} names its issuer`);
    assert.deepEqual(ca.hashData, { hashAlgorithm: 'SHA256', ...certId(ca.cert.der, (ca.issuer ?? ca).cert.der) });
  }
  assert.ok(!new X509Certificate(pki.moSub1.pem).verify(new X509Certificate(pki.v2gRoot.pem).publicKey), 'MO chain is not under the V2G root');
});

test('CA keys and names derive from the seed: a rebuilt PKI has the same issuer hashes, another seed different ones', () => {
  const a = new TestPki({ seed: 5 });
  const b = new TestPki({ seed: 5 });
  const c = new TestPki({ seed: 6 });
  assert.ok(a.moSub2.cert.spki.equals(b.moSub2.cert.spki));
  assert.deepEqual(a.moSub2.hashData, b.moSub2.hashData);
  assert.notEqual(a.moSub2.hashData.issuerKeyHash, c.moSub2.hashData.issuerKeyHash);
  // A contract issued by one process is judged alike by another (a worker, a restarted CSMS).
  const issued = a.issueContract(EMAID);
  const h = { ...certId(issued.chain[0]!, issued.chain[1]!), hashAlgorithm: 'SHA256' };
  assert.equal(b.contractStatus(EMAID, [h], undefined), 'Accepted');
  assert.equal(c.contractStatus(EMAID, [h], undefined), 'CertChainError');
});

test('contract hash data equal the OCSP CertID definitions (and OpenSSL\'s, when installed)', () => {
  const pki = new TestPki({ seed: 7, nowMs: () => NOW });
  const { chain, serialNumber } = pki.issueContract(EMAID);
  const leaf = parseCertificate(chain[0]!);
  assert.equal(leaf.subject.CN, EMAID);
  assert.equal(leaf.ocspUrl, 'http://ocsp.pki.chargestorm.test/');
  assert.equal(serialNumber, certId(chain[0]!, chain[1]!).serialNumber);
  assert.ok(new X509Certificate(chain[0]!).verify(new X509Certificate(chain[1]!).publicKey));
  assert.ok(new X509Certificate(chain[1]!).verify(new X509Certificate(chain[2]!).publicKey));
  assert.ok(new X509Certificate(chain[2]!).verify(new X509Certificate(pki.moRoot.pem).publicKey));
  if (!hasOpenssl()) return;
  const dir = mkdtempSync(join(tmpdir(), 'pki-'));
  try {
    writeFileSync(join(dir, 'leaf.pem'), toPem(chain[0]!, 'CERTIFICATE'));
    writeFileSync(join(dir, 'issuer.pem'), toPem(chain[1]!, 'CERTIFICATE'));
    const text = execFileSync('openssl', ['ocsp', '-sha256', '-issuer', join(dir, 'issuer.pem'), '-cert', join(dir, 'leaf.pem'), '-no_nonce', '-req_text', '-reqout', join(dir, 'req.der')], { encoding: 'utf8' });
    const id = certId(chain[0]!, chain[1]!);
    assert.match(text, new RegExp(`Issuer Name Hash: ${id.issuerNameHash}`, 'i'));
    assert.match(text, new RegExp(`Issuer Key Hash: ${id.issuerKeyHash}`, 'i'));
    assert.match(text, new RegExp(`Serial Number: ${id.serialNumber}`, 'i'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSR: built, parsed, self-signature checked; the PKI signs a good one and refuses bad ones with a reason', () => {
  const pki = new TestPki({ seed: 9, nowMs: () => NOW });
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = buildCsr([['CN', 'SER000000042'], ['O', 'chargestorm']], publicKey, privateKey);
  const csr = parseCsr(der);
  assert.ok(csr.signatureValid);
  assert.deepEqual(csr.subject, { CN: 'SER000000042', O: 'chargestorm' });
  const tampered = Buffer.from(der);
  tampered[tampered.length - 5]! ^= 0x01;
  assert.equal(parseCsr(tampered).signatureValid, false);
  const pem = toPem(der, 'CERTIFICATE REQUEST');

  const ok = pki.signCsr(pem, 'V2GCertificate', 'SER000000042');
  assert.ok(ok.ok);
  const certs = ok.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!.map((p) => new X509Certificate(p));
  assert.equal(certs.length, 3);
  assert.ok(certs[0]!.verify(certs[1]!.publicKey) && certs[1]!.verify(certs[2]!.publicKey));
  assert.ok(certs[2]!.verify(new X509Certificate(pki.v2gRoot.pem).publicKey), 'the chain ends under the V2G root');
  assert.ok(certs[0]!.publicKey.export({ type: 'spki', format: 'der' }).equals(csr.spki), 'issued for the CSR key');
  assert.match(certs[0]!.subject, /CN=SER000000042/);
  assert.equal(ok.rootType, 'V2GRootCertificate');
  const cs = pki.signCsr(der.toString('base64'), 'ChargingStationCertificate', undefined);
  assert.ok(cs.ok && cs.rootType === 'CSMSRootCertificate' && new X509Certificate(cs.chainPem).verify(new X509Certificate(pki.csmsRoot.pem).publicKey));

  const noO = toPem(buildCsr([['CN', 'SER000000042']], publicKey, privateKey), 'CERTIFICATE REQUEST');
  assert.deepEqual(pki.signCsr(pem, 'V2GCertificate', 'OTHER-SERIAL'), { ok: false, reason: 'CSR CN SER000000042 is not the serial number OTHER-SERIAL' });
  assert.match((pki.signCsr(noO, 'V2GCertificate', 'SER000000042') as { reason: string }).reason, /no O/);
  assert.match((pki.signCsr(toPem(tampered, 'CERTIFICATE REQUEST'), 'V2GCertificate', undefined) as { reason: string }).reason, /signature/);
  assert.match((pki.signCsr('garbage', undefined, undefined) as { reason: string }).reason, /unreadable/);
  assert.equal(pki.stationCertificatesIssued, 2);
});

test('contracts: valid, revoked and expired by the scenario shares, judged by hash data and by PEM chain', () => {
  const fate = (revoked: number, expired: number): TestPki => new TestPki({ seed: 11, revokedContracts: revoked, expiredContracts: expired, nowMs: () => NOW });
  for (const [pki, want] of [[fate(0, 0), 'Accepted'], [fate(1, 0), 'CertificateRevoked'], [fate(0, 1), 'CertificateExpired']] as const) {
    const { chain, fate: f } = pki.issueContract(EMAID);
    const hashes = [certId(chain[0]!, chain[1]!), certId(chain[1]!, chain[2]!)].map((h) => ({ hashAlgorithm: 'SHA256', ...h, responderURL: 'http://x/' }));
    const pem = chain.map((d) => toPem(d, 'CERTIFICATE')).join('');
    assert.equal(pki.contractStatus(EMAID, hashes, undefined), want, `${f}: hash data`);
    assert.equal(pki.contractStatus(EMAID, undefined, pem), want, `${f}: PEM chain`);
    if (f === 'expired') assert.ok(Date.parse(new X509Certificate(chain[0]!).validTo) < NOW, 'an expired contract really ended');
    // Upper-case hex and a leading zero in the serial are the same certificate (OCPP compares them so).
    assert.equal(pki.contractStatus(EMAID, [{ ...hashes[0]!, issuerNameHash: hashes[0]!.issuerNameHash.toUpperCase(), serialNumber: `0${hashes[0]!.serialNumber}` }], undefined), want);
    // The same chain presented for another eMAID is not this token's contract.
    assert.equal(pki.contractStatus('DECSTC99999999Z', hashes, undefined), 'CertChainError');
    assert.equal(pki.contractStatus('DECSTC99999999Z', undefined, pem), 'CertChainError');
  }
  const pki = fate(0, 0);
  const { chain } = pki.issueContract(EMAID);
  const bad = Buffer.from(chain[0]!);
  bad[bad.length - 10]! ^= 0x01; // inside the signature
  assert.equal(pki.contractStatus(EMAID, undefined, [bad, chain[1]!, chain[2]!].map((d) => toPem(d, 'CERTIFICATE')).join('')), 'SignatureError');
  const foreign = new TestPki({ seed: 12, nowMs: () => NOW }).issueContract(EMAID).chain;
  assert.equal(pki.contractStatus(EMAID, undefined, foreign.map((d) => toPem(d, 'CERTIFICATE')).join('')), 'SignatureError');
  assert.equal(pki.contractStatus(EMAID, undefined, 'not a PEM'), 'CertChainError');
  assert.equal(pki.contractStatus(EMAID, [], undefined), 'CertChainError');
  // An explicit revocation of a valid contract.
  pki.revoke(certId(chain[0]!, chain[1]!).serialNumber);
  assert.equal(pki.contractStatus(EMAID, [{ hashAlgorithm: 'SHA256', ...certId(chain[0]!, chain[1]!) }], undefined), 'CertificateRevoked');
  // Shares are per contract: about the asked share of 2,000 eMAIDs.
  const mixed = fate(0.2, 0.1);
  const fates = Array.from({ length: 2000 }, (_, i) => mixed.contractFate(`DECSTC${String(i).padStart(8, '0')}X`));
  const share = (f: string): number => fates.filter((x) => x === f).length / fates.length;
  assert.ok(Math.abs(share('revoked') - 0.2) < 0.04 && Math.abs(share('expired') - 0.1) < 0.03, `${share('revoked')} ${share('expired')}`);
});

test('OCSP: a signed BasicOCSPResponse per certificate, good / revoked / unknown, Failed for another PKI', () => {
  const pki = new TestPki({ seed: 13, revokedContracts: 0, nowMs: () => NOW });
  const { chain } = pki.issueContract(EMAID);
  const h = { hashAlgorithm: 'SHA256' as const, ...certId(chain[0]!, chain[1]!) };
  const good = parseOcspResponse(pki.ocspResponse(h)!);
  assert.equal(good.responseStatus, 0);
  assert.equal(good.certStatus, 'good');
  assert.equal(good.serialNumber, h.serialNumber);
  assert.equal(good.issuerNameHash, h.issuerNameHash);
  assert.equal(good.nextUpdateMs, Math.floor(NOW / 1000) * 1000 + 7 * 86_400_000);
  assert.ok(good.signatureValid(pki.moSub2.cert.spki), 'signed by the issuing CA');
  assert.ok(!good.signatureValid(pki.moSub1.cert.spki));
  assert.equal(parseOcspResponse(pki.ocspResponse(pki.moSub2.hashData)!).certStatus, 'good', 'a sub-CA of the PKI');
  assert.equal(parseOcspResponse(pki.ocspResponse({ ...h, serialNumber: '1234' })!).certStatus, 'unknown');
  pki.revoke(h.serialNumber);
  assert.equal(parseOcspResponse(pki.ocspResponse(h)!).certStatus, 'revoked');
  assert.equal(pki.ocspResponse({ ...h, issuerKeyHash: '00'.repeat(32) }), null);
  if (!hasOpenssl()) return;
  const dir = mkdtempSync(join(tmpdir(), 'ocsp-'));
  try {
    writeFileSync(join(dir, 'resp.der'), pki.ocspResponse(h)!);
    writeFileSync(join(dir, 'ca.pem'), pki.moSub2.pem);
    const out = execFileSync('openssl', ['ocsp', '-respin', join(dir, 'resp.der'), '-VAfile', join(dir, 'ca.pem'), '-resp_text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /Cert Status: revoked/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pseudo-EXI carries the eMAID and the DER chain both ways; anything else is refused', () => {
  assert.deepEqual(decodeExiRequest(encodeExiRequest(EMAID, 20)), { emaid: EMAID, schema: 20 });
  assert.equal(decodeExiRequest('gDCBnAIBAQRA3Q4sK2x1bW1vLWV4aS1yZXF1ZXN0'), null);
  const pki = new TestPki({ seed: 1 });
  const { chain } = pki.issueContract(EMAID);
  const back = decodeExiResponse(encodeExiResponse(chain))!;
  assert.equal(back.length, 3);
  assert.ok(back.every((d, i) => d.equals(chain[i]!)));
  assert.equal(decodeExiResponse(encodeExiResponse(chain).slice(0, -8)), null);
  assert.ok(encodeExiResponse(chain).length < 5600, 'fits 2.0.1 exiResponse (5600)');
});

test('DER times: UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280)', () => {
  assert.equal(x509Time(Date.UTC(2049, 11, 31))[0], 0x17);
  assert.equal(x509Time(Date.UTC(2050, 0, 1))[0], 0x18);
  const pki = new TestPki({ seed: 2 });
  assert.equal(new X509Certificate(pki.v2gRoot.pem).validTo, 'Jan  1 00:00:00 2054 GMT');
  assert.equal(readNode(pki.v2gRoot.cert.der).end, pki.v2gRoot.cert.der.length);
});
