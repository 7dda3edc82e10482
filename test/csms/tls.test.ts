// Security profiles 2 and 3 of the embedded CSMS over real wss:// sockets, with its generated TLS test PKI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCsms, type Csms } from '../../src/csms/server.js';
import { TLS_PKI_FILES, TlsPki } from '../../src/csms/pki/tls.js';
import type { Alert } from '../../src/csms/detector/alert.js';
import type { SecuritySpec } from '../../src/scenario/spec.js';
import { connect } from '../../src/ocpp/transport.js';
import { TestClient, until } from './client.js';

const PASSWORD = 'correct-horse-battery-staple';
const ORG = 'ACME CSO';
const DAY = 86_400_000;
const OTHER = TlsPki.generate();

async function withCsms(security: SecuritySpec, run: (csms: Csms, alerts: Alert[]) => Promise<void>): Promise<void> {
  const alerts: Alert[] = [];
  const csms = await startCsms({ security, detector: { enabled: true, thresholds: { warmupMs: 0 }, onAlert: (a) => alerts.push(a) } });
  try { await run(csms, alerts); } finally { await csms.close(); }
}

function bootAs(c: TestClient, serialNumber: string): Promise<string> {
  return c.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'AC22-XY3', vendorName: 'Acme', serialNumber } })
    .then((o) => (o.ok ? String(o.payload.status) : `error ${o.kind}`));
}

const rules = (alerts: Alert[]): string[] => alerts.map((a) => `${a.category}/${String(a.evidence.rule)}`);

test('profile 2: wss:// with the generated server certificate, Basic checked as in profile 1', async () => {
  await withCsms({ profile: 2, password: PASSWORD }, async (csms, alerts) => {
    assert.match(csms.url, /^wss:\/\//);
    const ca = csms.tlsPki!.ca.certPem;
    const c = await TestClient.open(csms.url, 'CS-2', { tls: { ca }, basicAuth: { user: 'CS-2', password: PASSWORD } });
    assert.equal((await c.boot()).status, 'Accepted');
    await c.close();
    const wrong = await TestClient.tryOpen(csms.url, 'CS-2', { tls: { ca }, basicAuth: { user: 'CS-2', password: 'wrong-password-123' } });
    assert.equal(!wrong.ok && wrong.status, 401);
    const none = await TestClient.tryOpen(csms.url, 'CS-2', { tls: { ca } });
    assert.equal(!none.ok && none.status, 401);
    const untrusted = await TestClient.tryOpen(csms.url, 'CS-2', { tls: { ca: OTHER.ca.certPem }, basicAuth: { user: 'CS-2', password: PASSWORD } });
    assert.equal(!untrusted.ok && untrusted.kind, 'tls');
    const plain = await TestClient.tryOpen(csms.url.replace('wss:', 'ws:'), 'CS-2', { basicAuth: { user: 'CS-2', password: PASSWORD } });
    assert.equal(plain.ok, false);
    await until(() => rules(alerts).includes('profile-downgrade/L0.cleartext'));
    assert.ok(rules(alerts).includes('profile-downgrade/L0.missing-credentials'));
    const refused = csms.stats().handshakesRefused;
    assert.equal(refused['401'], 2);
    assert.equal(refused['tls:plaintext'], 1);
  });
});

test('profile 3: a client certificate with CN = serial and O = organisation boots; a wrong one is refused by reason', async () => {
  await withCsms({ profile: 3, organization: ORG }, async (csms, alerts) => {
    const pki = csms.tlsPki!;
    const ca = pki.ca.certPem;
    const own = pki.issueStation('SER-1', ORG);
    const c = await TestClient.open(csms.url, 'CS-3', { tls: { ca, cert: own.certPem, key: own.keyPem } });
    assert.equal(await bootAs(c, 'SER-1'), 'Accepted');
    assert.equal(csms.station('CS-3')?.accepted, true);
    await c.close();

    const tryWith = async (cert?: { certPem: string; keyPem: string }): Promise<number | string> => {
      const r = await connect(`${csms.url}/ocpp/CS-3`, {
        protocols: ['ocpp2.1'], handshakeTimeoutMs: 3000, tls: { ca, ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}) },
      }, { onText() {}, onClose() {} });
      if (r.ok) { r.conn.close(); return 'accepted'; }
      return r.status ?? r.kind;
    };
    assert.equal(await tryWith(), 403, 'no client certificate');
    assert.equal(await tryWith(OTHER.issueStation('SER-1', ORG)), 403, 'another CA');
    const now = Date.now();
    assert.equal(await tryWith(pki.issueStation('SER-1', ORG, { notBeforeMs: now - 30 * DAY, notAfterMs: now - DAY })), 403, 'expired');
    assert.equal(await tryWith(pki.issueStation('SER-1', 'EVIL')), 403, 'wrong O');
    // The identity booted with SER-1: a certificate for another serial is refused before the upgrade.
    assert.equal(await tryWith(pki.issueStation('SER-9', ORG)), 403, 'CN is not the booted serial');
    const refused = csms.stats().handshakesRefused;
    assert.equal(refused['missing-client-certificate'], 1);
    assert.equal(refused['client-certificate-rejected'], 2);
    assert.equal(refused['certificate-organization'], 1);
    assert.equal(refused['certificate-cn-serial'], 1);
    assert.equal(refused['403'], 5);
    const r = rules(alerts);
    for (const want of ['profile-downgrade/L0.missing-client-certificate', 'certificate/L0.client-certificate-rejected',
      'certificate/L0.certificate-organization', 'impersonation/L0.certificate-cn-serial']) assert.ok(r.includes(want), `${want} in ${r.join(', ')}`);
  });
});

test('profile 3: CN ≠ the serial number in BootNotification → boot Rejected and an impersonation alert', async () => {
  await withCsms({ profile: 3 }, async (csms, alerts) => {
    const pki = csms.tlsPki!;
    const cert = pki.issueStation('SER-A', 'anyone');
    const c = await TestClient.open(csms.url, 'CS-4', { tls: { ca: pki.ca.certPem, cert: cert.certPem, key: cert.keyPem } });
    assert.equal(await bootAs(c, 'SER-B'), 'Rejected');
    assert.equal(csms.stats().boots.rejected, 1);
    assert.equal(csms.station('CS-4')?.accepted, false);
    const a = alerts.find((x) => x.evidence.rule === 'L0.certificate-cn-serial');
    assert.equal(a?.category, 'impersonation');
    assert.deepEqual(a?.entity, { stationId: 'CS-4' });
    // The matching serial is accepted on the same connection.
    assert.equal(await bootAs(c, 'SER-A'), 'Accepted');
    await c.close();
  });
});

test('certificate files instead of the generated PKI; the PKI can be written for foreign stations', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chargestorm-tls-'));
  try {
    const files = OTHER.write(dir);
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)).sort(), Object.values(TLS_PKI_FILES).sort());
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    const csms = await startCsms({
      security: { profile: 3 }, tls: { cert: read(TLS_PKI_FILES.serverCert), key: read(TLS_PKI_FILES.serverKey), ca: read(TLS_PKI_FILES.caCert) },
    });
    try {
      assert.equal(csms.tlsPki, null);
      const own = OTHER.issueStation('SER-F', 'x');
      const c = await TestClient.open(csms.url, 'CS-F', { tls: { ca: read(TLS_PKI_FILES.caCert), cert: own.certPem, key: own.keyPem } });
      assert.equal(await bootAs(c, 'SER-F'), 'Accepted');
      await c.close();
    } finally {
      await csms.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('configuration errors: profile 2 needs a password, certificates need profile 2/3', async () => {
  await assert.rejects(startCsms({ security: { profile: 2 } }), /password/);
  await assert.rejects(startCsms({ security: { profile: 1, password: PASSWORD }, tls: { cert: OTHER.server.certPem, key: OTHER.server.keyPem } }), /profile 2 or 3/);
});
