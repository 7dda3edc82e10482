import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { connect, peerCertificate, startOcppServer, type OcppServer, type PeerCertificate } from '../../src/ocpp/transport.js';
import { isTlsError, issueCertificate, selfSignedCa, tlsRefusalOf, type TlsRefusal } from '../../src/ocpp/tls.js';

const DAY = 86_400_000;
const NOW = Date.now();
// One PKI for the file (EC P-256: a few ms per certificate).
const CA = selfSignedCa({ subject: [['CN', 'test root']], notBeforeMs: NOW - DAY, notAfterMs: NOW + 365 * DAY });
const OTHER_CA = selfSignedCa({ subject: [['CN', 'other root']], notBeforeMs: NOW - DAY, notAfterMs: NOW + 365 * DAY });
const SERVER = issueCertificate(CA, { subject: [['CN', 'localhost']], altNames: ['localhost', '127.0.0.1', '::1'], notBeforeMs: NOW - DAY, notAfterMs: NOW + 30 * DAY });
const CLIENT = issueCertificate(CA, { subject: [['CN', 'SER-1'], ['O', 'ACME']], notBeforeMs: NOW - DAY, notAfterMs: NOW + 30 * DAY });
const NOOP = { onText() {}, onClose() {} };

interface Seen { peers: (PeerCertificate | null)[]; refusals: TlsRefusal[] }

async function tlsServer(mutual: boolean): Promise<{ server: OcppServer; seen: Seen }> {
  const seen: Seen = { peers: [], refusals: [] };
  const server = await startOcppServer({
    host: '127.0.0.1', port: 0, protocols: ['ocpp2.1'],
    authenticate: (_id, _auth, req) => { seen.peers.push(peerCertificate(req)); return 'accept'; },
    onConnection: () => NOOP,
    tls: { cert: SERVER.certPem, key: SERVER.keyPem, ...(mutual ? { ca: CA.certPem, requestCert: true } : {}), onTlsError: (err) => { seen.refusals.push(tlsRefusalOf(err)); } },
  });
  return { server, seen };
}

const OPTS = { protocols: ['ocpp2.1'], handshakeTimeoutMs: 3000 };

test('issued certificates: SAN with DNS name and IP addresses, subject, chain to the CA', () => {
  const x = new X509Certificate(SERVER.certPem);
  assert.equal(x.checkHost('localhost'), 'localhost');
  assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(x.checkIP('::1'), '::1');
  assert.equal(x.checkIP('10.0.0.1'), undefined);
  assert.ok(x.verify(new X509Certificate(CA.certPem).publicKey));
  assert.ok(!x.verify(new X509Certificate(OTHER_CA.certPem).publicKey));
  assert.match(new X509Certificate(CLIENT.certPem).subject, /CN=SER-1/);
  assert.equal(new X509Certificate(CA.certPem).ca, true);
});

test('wss: a station trusting the CA connects; an untrusted server certificate is a tls failure', async () => {
  const { server, seen } = await tlsServer(false);
  try {
    assert.match(server.url, /^wss:\/\/127\.0\.0\.1:\d+$/);
    const ok = await connect(`${server.url}/ocpp/CS1`, { ...OPTS, tls: { ca: CA.certPem } }, NOOP);
    assert.equal(ok.ok, true);
    if (ok.ok) ok.conn.close();
    assert.deepEqual(seen.peers, [null], 'no client certificate asked for without mutual TLS');
    const untrusted = await connect(`${server.url}/ocpp/CS1`, { ...OPTS, tls: { ca: OTHER_CA.certPem } }, NOOP);
    assert.equal(!untrusted.ok && untrusted.kind, 'tls');
    const wrongName = await connect(`${server.url}/ocpp/CS1`, { ...OPTS, tls: { ca: CA.certPem, servername: 'csms.example.com' } }, NOOP);
    assert.equal(!wrongName.ok && wrongName.kind, 'tls');
  } finally {
    await server.close();
  }
});

test('mutual TLS: the client certificate reaches authenticate, verified or not', async () => {
  const { server, seen } = await tlsServer(true);
  try {
    const ok = await connect(`${server.url}/ocpp/CS1`, { ...OPTS, tls: { ca: CA.certPem, cert: CLIENT.certPem, key: CLIENT.keyPem } }, NOOP);
    assert.equal(ok.ok, true);
    if (ok.ok) ok.conn.close();
    const foreign = issueCertificate(OTHER_CA, { subject: [['CN', 'SER-1']], notBeforeMs: NOW - DAY, notAfterMs: NOW + DAY });
    await connect(`${server.url}/ocpp/CS1`, { ...OPTS, tls: { ca: CA.certPem, cert: foreign.certPem, key: foreign.keyPem } }, NOOP);
    await connect(`${server.url}/ocpp/CS1`, { ...OPTS, tls: { ca: CA.certPem } }, NOOP);
    assert.deepEqual(seen.peers[0], { authorized: true, CN: 'SER-1', O: 'ACME' });
    assert.equal(seen.peers[1]?.authorized, false);
    assert.equal(seen.peers[1]?.CN, 'SER-1');
    assert.match(seen.peers[1]?.error ?? '', /UNABLE_TO_VERIFY|SELF_SIGNED|ISSUER/);
    assert.equal(seen.peers[2], null);
  } finally {
    await server.close();
  }
});

test('plain ws:// to the TLS port and TLS 1.1 are refused in the handshake, each by kind', async () => {
  const { server, seen } = await tlsServer(false);
  try {
    const plain = await connect(`${server.url.replace('wss:', 'ws:')}/ocpp/CS1`, OPTS, NOOP);
    assert.equal(plain.ok, false);
    const old = await new Promise<Error & { code?: string }>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: server.port, ca: CA.certPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
      s.once('secureConnect', () => { s.destroy(); reject(new Error('TLS 1.1 handshake succeeded')); });
      s.once('error', resolve);
    });
    assert.ok(isTlsError(old), `${old.code}: ${old.message}`);
    // The server's side of both refusals arrives asynchronously after the client's.
    for (let i = 0; i < 100 && seen.refusals.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual([...seen.refusals].sort(), ['plaintext', 'tls-version']);
  } finally {
    await server.close();
  }
});

test('error classification', () => {
  assert.equal(isTlsError({ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }), true);
  assert.equal(isTlsError({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: '' }), true);
  assert.equal(isTlsError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }), false);
  assert.equal(isTlsError({ code: 'ECONNRESET', message: 'socket hang up' }), false);
  assert.equal(tlsRefusalOf({ code: 'ERR_SSL_HTTP_REQUEST', message: 'http request' }), 'plaintext');
  assert.equal(tlsRefusalOf({ code: 'ERR_SSL_UNSUPPORTED_PROTOCOL', message: 'unsupported protocol' }), 'tls-version');
  assert.equal(tlsRefusalOf({ code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', message: '' }), 'no-client-certificate');
  assert.equal(tlsRefusalOf({ code: 'ECONNRESET', message: 'read ECONNRESET' }), 'handshake');
});
