// Security profiles 2/3 for whole fleets: `chargestorm run` against the embedded CSMS works out of the box,
// and scenario-given CAs, issuing CAs and per-station certificate files work against a CSMS given its files.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { startEmbeddedCsms } from '../../src/cli/embedded.js';
import { startCsms } from '../../src/csms/server.js';
import { TlsPki } from '../../src/csms/pki/tls.js';
import { stationIdentity } from '../../src/station/identity.js';
import { runScenario, scenario } from '../support/fleet.js';
import { assertExit, assertNoStack, readJson, runCli, startCli, tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());

const PASSWORD = 'correct-horse-battery-staple';
const fleet = (duration = '3s', prefix = 'TLS'): string => `
seed: 11
stations: [{ count: 3, idTemplate: "${prefix}-{index:02}" }]
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: { uniform: [100ms, 200ms] }
  plugDuration: { uniform: [1s, 1500ms] }
  meterInterval: 1s
reconnect: { waitMinimum: 25s, randomRange: 1s, repeatTimes: 3 }
duration: ${duration}
drainTimeout: 3s
`;

test('chargestorm run, profile 3, embedded CSMS: generated PKI, per-station certificates, boots and charges', async () => {
  const file = tmp.file('p3.yaml');
  writeFileSync(file, `${fleet()}security: { profile: 3, organization: "ACME CSO" }\n`);
  const summary = tmp.file('p3.json');
  const r = await runCli(['run', file, '--summary-export', summary, '--quiet']);
  assertExit(r, 0);
  const s = readJson(summary);
  assert.match(s.run.target, /^wss:\/\/127\.0\.0\.1:\d+\/ocpp$/);
  assert.equal(s.connect.ok, 3);
  assert.equal(s.embeddedCsms.boots.accepted, 3);
  assert.deepEqual(s.embeddedCsms.handshakesRefused, {});
  assert.ok(s.counters.tx_started.count >= 1, 'stations charged');
});

test('profile 2 fleet against the embedded CSMS (in process): wss + Basic, everything booted', async () => {
  const spec = scenario(`${fleet()}security: { profile: 2, password: "${PASSWORD}" }\n`);
  const csms = await startEmbeddedCsms(spec, 3);
  try {
    assert.ok(csms.security.ca?.includes('BEGIN CERTIFICATE'));
    const run = await runScenario({ ...spec, security: csms.security }, `${csms.url}/ocpp`);
    assert.equal(run.counter('boot_accepted'), 3);
    assert.ok(run.counter('tx_started') >= 1);
  } finally {
    await csms.close();
  }
});

test('profile 3 with a scenario CA issuing certificates, and with certificate files per station; foreign and wrong ones are counted by kind', async () => {
  const pki = TlsPki.generate();
  const ca = tmp.file('ca.pem');
  const caKey = tmp.file('ca-key.pem');
  writeFileSync(ca, pki.ca.certPem);
  writeFileSync(caKey, pki.ca.keyPem);
  const csms = await startCsms({ security: { profile: 3 }, tls: { cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem } });
  try {
    const target = `${csms.url}/ocpp`;
    const issued = scenario(`${fleet('1s')}security: { profile: 3, ca: ${ca}, issuerCert: ${ca}, issuerKey: ${caKey} }\ntarget: ${target}\n`);
    const a = await runScenario(issued, target);
    assert.equal(a.counter('boot_accepted'), 3);

    // Files per station (fresh identities): FILE-00 gets a certificate of another CA, FILE-01 one whose CN is not its serial number.
    const other = TlsPki.generate();
    const group = issued.groups[0]!;
    for (let i = 0; i < 3; i++) {
      const serial = stationIdentity(issued.seed, i, group).serialNumber;
      const c = i === 0 ? other.issueStation(serial, 'x') : pki.issueStation(i === 1 ? 'NOT-MY-SERIAL' : serial, 'x');
      writeFileSync(tmp.file(`FILE-0${i}.pem`), c.certPem);
      writeFileSync(tmp.file(`FILE-0${i}.key`), c.keyPem);
    }
    const before = csms.stats();
    const files = scenario(`${fleet('1s', 'FILE')}security: { profile: 3, ca: ${ca}, clientCert: "${tmp.dir}/{id}.pem", clientKey: "${tmp.dir}/{id}.key" }\ntarget: ${target}\n`);
    const b = await runScenario(files, target);
    const after = csms.stats();
    assert.equal(after.boots.accepted - before.boots.accepted, 1, 'only the station with its own certificate is accepted');
    assert.equal(after.boots.rejected - before.boots.rejected >= 1, true, 'CN ≠ serial: boot Rejected');
    assert.equal(b.counter('boot_accepted'), 1);
    assert.ok(b.counter('boot_rejected') >= 1);
    assert.ok((after.handshakesRefused['client-certificate-rejected'] ?? 0) >= 1, JSON.stringify(after.handshakesRefused));
    assert.ok((b.snapshot.connect.outcomes['http-403'] ?? 0) >= 1, JSON.stringify(b.snapshot.connect.outcomes));

    // Stations that do not trust the CSMS's CA fail in the TLS handshake: kind `tls`.
    writeFileSync(tmp.file('other-ca.pem'), other.ca.certPem);
    const distrust = scenario(`${fleet('1s')}security: { profile: 3, ca: ${tmp.file('other-ca.pem')}, issuerCert: ${ca}, issuerKey: ${caKey} }\ntarget: ${target}\n`);
    const c = await runScenario(distrust, target);
    assert.equal(c.counter('boot_accepted'), 0);
    assert.ok((c.snapshot.connect.outcomes.tls ?? 0) >= 3, JSON.stringify(c.snapshot.connect.outcomes));
  } finally {
    await csms.close();
  }
});

test('profiles 2/3 need a wss:// target: a clear error, exit 104', async () => {
  const file = tmp.file('plain.yaml');
  writeFileSync(file, `${fleet()}security: { profile: 2, password: "${PASSWORD}" }\ntarget: ws://127.0.0.1:9/ocpp\n`);
  const r = await runCli(['run', file, '--quiet']);
  assertExit(r, 104);
  assertNoStack(r);
  assert.match(r.stderr, /needs a wss:\/\/ target/);
});

test('chargestorm csms --security-profile 3 --pki-dir: foreign stations trust the written CA and issue their certificates from it', async () => {
  const dir = tmp.file('pki');
  const cli = startCli(['csms', '--port', '0', '--stats-every', '0', '--security-profile', '3', '--organization', 'ACME CSO', '--pki-dir', dir], 60_000);
  try {
    const m = await cli.waitFor(/^chargestorm csms listening on (wss:\/\/127\.0\.0\.1:\d+\/ocpp)\/<stationId>/m);
    const file = tmp.file('foreign.yaml');
    writeFileSync(file, `${fleet('2s', 'EXT')}security: { profile: 3, organization: ACME CSO, ca: ${dir}/ca.pem, issuerCert: ${dir}/ca.pem, issuerKey: ${dir}/ca-key.pem }\n`);
    const summary = tmp.file('foreign.json');
    const r = await runCli(['run', file, '--target', m[1]!, '--summary-export', summary, '--quiet']);
    assertExit(r, 0);
    const s = readJson(summary);
    assert.equal(s.connect.ok, 3);
    assert.equal(s.actions.BootNotification.ok, 3);
  } finally {
    cli.child.kill('SIGTERM');
    assertExit(await cli.done, 0);
  }
});

for (const [args, message] of [
  [['--tls-cert', 'x.pem', '--tls-key', 'x.pem'], /need --security-profile 2 or 3/],
  [['--security-profile', '2'], /needs --password/],
  [['--security-profile', '5'], /expects 0, 1, 2 or 3/],
  [['--security-profile', '3', '--tls-cert', 'x.pem'], /go together/],
  [['--security-profile', '3', '--tls-cert', 'missing.pem', '--tls-key', 'missing.pem', '--tls-ca', 'missing.pem'], /--tls-cert: cannot read missing\.pem/],
] as const) {
  test(`csms ${args.join(' ').slice(0, 50)}: exit 104 with a clear message`, async () => {
    const r = await runCli(['csms', '--port', '0', ...args]);
    assertExit(r, 104);
    assertNoStack(r);
    assert.match(r.stderr, message);
  });
}
