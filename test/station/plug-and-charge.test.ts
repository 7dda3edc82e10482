// Acceptance (FLOWS.md §4): Plug & Charge stations against the embedded CSMS and its test PKI, through the
// recording tap. Every frame is schema-valid; the hash data in Authorize are the real CertID of the contract
// certificate the CSMS issued (recomputed here with node:crypto); revoked and expired contracts get the §4.1
// answers; CertificateSigned chains verify against the V2G root the CSMS installed, carry the station's requestId
// and the station's own key; the TxProfile follows NotifyEVChargingNeeds and NotifyEVChargingSchedule follows it.
// Against a 2.0.1-only CSMS the same scenario runs, valid 2.0.1, with the 2.1-only parts skipped and counted. The
// station's certificate store answers M03-M05 for real and refuses chains it did not ask for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { TestPki } from '../../src/csms/pki/index.js';
import { formatReport } from '../../src/metrics/report.js';
import { summarize } from '../../src/metrics/summary.js';
import { decodeExiRequest, decodeExiResponse } from '../../src/ocpp/pki/exi.js';
import { fromPem, parseCsr, toPem } from '../../src/ocpp/pki/x509.js';
import type { Payload } from '../../src/ocpp/session.js';
import { auditFrames, type SeenCall } from '../support/audit.js';
import { runAgainstEmbedded, type EmbeddedRun } from '../support/embedded-run.js';
import { startCsms } from '../../src/csms/server.js';
import { runScenario, scenario, waitFor } from '../support/fleet.js';

const SEED = 15118;
const STATIONS = 5;

const TEXT = `
name: pnc-acceptance
seed: ${SEED}
callTimeout: 3s
stations:
  - name: ac
    count: 3
    evses: 2
    behaviour: plug-and-charge
    evse: { type: AC, maxKw: 22 }
    pnc: { contracts: 3, iso20Ratio: 0.5, centralValidationRatio: 1 }
  - name: dc
    count: 2
    behaviour: plug-and-charge
    evse: { type: DC, maxKw: 150 }
    pnc: { contracts: 3, iso20Ratio: 0.5, centralValidationRatio: 0 }
sessions:
  arrivalsPerEvsePerHour: 3600
  authorizeDelay: 300ms
  plugDuration: { uniform: [1500ms, 2500ms] }
  meterInterval: 1s
  stopByTokenRatio: 0
phases:
  - { duration: 0s, target: 100% }
  - { duration: 8s, target: 100% }
drainTimeout: 3s
csms:
  pki: { revokedContracts: 0.25, expiredContracts: 0.25 }
  commands:
    - { at: 3s, action: TriggerMessage, stations: 40%, params: { requestedMessage: SignChargingStationCertificate } }
    - { at: 4s, action: TriggerMessage, stations: 40%, params: { requestedMessage: SignV2G20Certificate } }
`;

/** The same PKI as the run's CSMS: its keys derive from the seed, so its verdicts and roots are the CSMS's. */
const PKI = new TestPki({ seed: SEED, revokedContracts: 0.25, expiredContracts: 0.25 });

/** RFC 6960 CertID of `certDer` issued by `issuerDer`, from the raw DER and node's X509Certificate only. */
function certId(certDer: Buffer, issuerDer: Buffer): Payload {
  const x = new X509Certificate(certDer);
  // tbsCertificate fields: [0] version, serial, signature algorithm, issuer Name — walked by hand.
  const tbsStart = 4;
  let at = tbsStart + 4;
  const skip = (): [number, number] => {
    const len = certDer[at + 1]!;
    const hdr = len < 0x80 ? 2 : 2 + (len & 0x7f);
    let n = len < 0x80 ? len : 0;
    for (let k = 0; len >= 0x80 && k < (len & 0x7f); k++) n = n * 256 + certDer[at + 2 + k]!;
    const start = at;
    at += hdr + n;
    return [start, at];
  };
  skip(); skip(); skip();
  const [s, e] = skip();
  const spki = new X509Certificate(issuerDer).publicKey.export({ type: 'spki', format: 'der' });
  return {
    hashAlgorithm: 'SHA256',
    issuerNameHash: createHash('sha256').update(certDer.subarray(s, e)).digest('hex'),
    issuerKeyHash: createHash('sha256').update(spki.subarray(-65)).digest('hex'),
    serialNumber: x.serialNumber.toLowerCase().replace(/^0+/, ''),
  };
}

/** CSMS→station CALLs of `action` with the tap position of each, and the station's answer. */
function csmsCalls(r: EmbeddedRun, action: string): { conn: number; at: number; atMs: number; payload: Payload; answer?: Payload }[] {
  const out: { conn: number; at: number; atMs: number; payload: Payload; answer?: Payload }[] = [];
  const open = new Map<string, (typeof out)[number]>();
  r.frames.forEach((f, at) => {
    const fr = f.frame;
    if (!fr) return;
    if (f.dir === 'toStation' && fr.type === 2 && fr.action === action) {
      const c = { conn: f.conn, at, atMs: f.atMs, payload: fr.payload as Payload };
      out.push(c);
      open.set(`${f.conn}|${fr.id}`, c);
    } else if (f.dir === 'toCsms' && fr.type === 3) {
      const c = open.get(`${f.conn}|${fr.id}`);
      if (c) c.answer = fr.payload as Payload;
    }
  });
  return out;
}

/** Position in the tap of each of the audit's station CALLs (it lists them in wire order). */
function positions(r: EmbeddedRun, calls: readonly SeenCall[]): Map<SeenCall, { at: number; atMs: number }> {
  const frames = r.frames.map((f, at) => ({ f, at })).filter(({ f }) => f.dir === 'toCsms' && f.frame?.type === 2);
  assert.equal(frames.length, calls.length);
  return new Map(calls.map((c, i) => [c, { at: frames[i]!.at, atMs: frames[i]!.f.atMs }]));
}

const EXPECTED: Record<string, [string, string]> = {
  valid: ['Accepted', 'Accepted'], revoked: ['CertificateRevoked', 'Invalid'], expired: ['CertificateExpired', 'Expired'],
};

function checkContracts(r: EmbeddedRun, calls: readonly SeenCall[]): { byHash: number; byCert: number; fates: Set<string> } {
  // The chain the CSMS issued for each eMAID (inside the pseudo-EXI response).
  const issued = new Map<string, Buffer[]>();
  for (const c of calls.filter((x) => x.action === 'Get15118EVCertificate')) {
    assert.equal(c.response?.status, 'Accepted');
    issued.set(decodeExiRequest(c.payload.exiRequest)!.emaid, decodeExiResponse(c.response!.exiResponse)!);
  }
  let byHash = 0;
  let byCert = 0;
  const fates = new Set<string>();
  for (const a of calls.filter((x) => x.action === 'Authorize')) {
    const emaid = a.payload.idToken.idToken as string;
    assert.equal(a.payload.idToken.type, 'eMAID');
    assert.match(emaid, /^DECSTC[0-9A-Z]{9}$/);
    const chain = issued.get(emaid);
    assert.ok(chain, `the contract ${emaid} was installed before it was presented`);
    if (a.payload.iso15118CertificateHashData) {
      byHash++;
      // Contract certificate and MO Sub-CA 2 (Sub-CA 1's issuer, the MO root, is not installed on the station).
      assert.deepEqual(a.payload.iso15118CertificateHashData, [
        { ...certId(chain[0]!, chain[1]!), responderURL: 'http://ocsp.pki.chargestorm.test/' },
        { ...certId(chain[1]!, chain[2]!), responderURL: 'http://ocsp.pki.chargestorm.test/' },
      ]);
    } else {
      byCert++;
      assert.deepEqual(fromPem(a.payload.certificate, 'CERTIFICATE').map((d) => d.toString('hex')), chain.map((d) => d.toString('hex')));
    }
    const fate = PKI.contractFate(emaid);
    fates.add(fate);
    const [certificateStatus, status] = EXPECTED[fate]!;
    if (a.response) assert.deepEqual(a.response, { idTokenInfo: { status }, certificateStatus }, `${emaid} (${fate})`);
  }
  return { byHash, byCert, fates };
}

function checkStationCertificates(r: EmbeddedRun, calls: readonly SeenCall[], v21: boolean): void {
  const serials = new Map<number, string>();
  for (const c of calls.filter((x) => x.action === 'BootNotification')) serials.set(c.conn as number, c.payload.chargingStation.serialNumber);
  const installs = csmsCalls(r, 'InstallCertificate');
  for (const i of installs) {
    assert.equal(i.answer?.status, 'Accepted');
    const want = i.payload.certificateType === 'V2GRootCertificate' ? PKI.v2gRoot : PKI.csmsRoot;
    assert.ok(new X509Certificate(i.payload.certificate).publicKey.export({ type: 'spki', format: 'der' }).equals(want.cert.spki));
  }
  const signed = csmsCalls(r, 'CertificateSigned');
  const signs = calls.filter((c) => c.action === 'SignCertificate');
  assert.ok(signs.length >= STATIONS, `${signs.length} CSRs`);
  assert.equal(signed.length, signs.length, 'every accepted CSR got its chain');
  for (const s of signed) {
    assert.equal(s.answer?.status, 'Accepted', JSON.stringify(s.answer));
    const req = signs.find((c) => c.conn === s.conn && (v21 ? c.payload.requestId === s.payload.requestId : c.payload.certificateType === s.payload.certificateType));
    assert.ok(req, 'CertificateSigned answers a SignCertificate of that station');
    assert.equal(req.response?.status, 'Accepted');
    if (v21) assert.equal(typeof s.payload.requestId, 'number');
    else assert.equal(s.payload.requestId, undefined);
    const chain = fromPem(s.payload.certificateChain, 'CERTIFICATE').map((d) => new X509Certificate(d));
    const v2g = s.payload.certificateType === 'V2GCertificate' || s.payload.certificateType === 'V2G20Certificate';
    const root = new X509Certificate((v2g ? PKI.v2gRoot : PKI.csmsRoot).pem);
    assert.equal(chain.length, v2g ? 3 : 1);
    chain.forEach((c, i) => assert.ok(c.verify((chain[i + 1] ?? root).publicKey), `link ${i} verifies`));
    assert.match(chain[0]!.subject, new RegExp(`CN=${serials.get(s.conn)}`));
    const csr = parseCsr(fromPem(req.payload.csr, 'CERTIFICATE REQUEST')[0]!);
    assert.ok(csr.signatureValid);
    assert.ok(chain[0]!.publicKey.export({ type: 'spki', format: 'der' }).equals(csr.spki), 'issued for the station key');
    // The root came first: InstallCertificate of its type on that connection before the chain.
    assert.ok(installs.some((i) => i.conn === s.conn && i.at < s.at && i.payload.certificateType === (v2g ? 'V2GRootCertificate' : 'CSMSRootCertificate')));
  }
  const statusCalls = calls.filter((c) => c.action === 'GetCertificateStatus');
  assert.ok(statusCalls.length >= 3 * STATIONS, 'OCSP for each certificate of each V2G chain');
  assert.ok(statusCalls.every((c) => c.response?.status === 'Accepted' && typeof c.response.ocspResult === 'string'));
}

function checkSmartCharging(r: EmbeddedRun, calls: readonly SeenCall[]): number {
  const pos = positions(r, calls);
  const profiles = csmsCalls(r, 'SetChargingProfile');
  let n = 0;
  for (const p of profiles) {
    const prof = p.payload.chargingProfile as Payload;
    assert.equal(prof.chargingProfilePurpose, 'TxProfile');
    assert.equal(p.answer?.status, 'Accepted');
    const needs = calls.filter((c) => c.conn === p.conn && c.action === 'NotifyEVChargingNeeds' && c.payload.evseId === p.payload.evseId && pos.get(c)!.at < p.at);
    assert.ok(needs.length > 0, 'the TxProfile follows NotifyEVChargingNeeds');
    assert.ok(p.atMs - pos.get(needs[needs.length - 1]!)!.atMs < 60_000, 'within 60 s');
    const sched = calls.find((c) => c.conn === p.conn && c.action === 'NotifyEVChargingSchedule' && pos.get(c)!.at > p.at && c.payload.evseId === p.payload.evseId);
    if (sched) {
      n++;
      assert.equal(sched.response?.status, 'Accepted');
      assert.deepEqual(sched.payload.chargingSchedule.chargingSchedulePeriod.map((x: Payload) => x.limit), prof.chargingSchedule[0].chargingSchedulePeriod.map((x: Payload) => x.limit));
    }
  }
  assert.ok(profiles.length > 0 && n > 0, `${profiles.length} profiles, ${n} schedules`);
  return profiles.length;
}

test('Plug & Charge on OCPP 2.1: contracts, station certificates, OCSP and ISO 15118 smart charging end to end', async () => {
  const r = await runAgainstEmbedded(TEXT);
  const audit = auditFrames(r.frames);
  assert.deepEqual(audit.stationProblems.slice(0, 10), [], `${audit.stationProblems.length} station frames invalid`);
  assert.deepEqual(audit.csmsProblems.slice(0, 10), [], `${audit.csmsProblems.length} CSMS frames invalid`);
  assert.deepEqual(audit.errors, []);
  assert.ok(r.frames.every((f) => f.protocol === 'ocpp2.1'));
  const calls = audit.stationCalls;

  const { byHash, byCert, fates } = checkContracts(r, calls);
  assert.ok(byHash > 0 && byCert > 0, `${byHash} by hash data, ${byCert} by certificate`);
  assert.deepEqual([...fates].sort(), ['expired', 'revoked', 'valid'], 'every refusal path was exercised');
  // ISO 15118-20 EVs add their EVCCID (FLOWS.md §4.1); -20 installs ask for one chain.
  const iso20 = calls.filter((c) => c.action === 'Get15118EVCertificate' && c.payload.maximumContractCertificateChains === 1);
  assert.ok(iso20.length > 0 && iso20.every((c) => c.response?.remainingContracts === 0));
  assert.ok(calls.some((c) => c.action === 'Authorize' && c.payload.idToken.additionalInfo?.[0]?.type === 'EVCCID'));
  const chainStatus = calls.filter((c) => c.action === 'GetCertificateChainStatus');
  assert.equal(chainStatus.length, iso20.length + calls.filter((c) => c.action === 'Get15118EVCertificate' && c.payload.maximumContractCertificateChains === undefined).length);
  for (const c of chainStatus) {
    const emaidSerial = c.payload.certificateStatusRequests[0].certificateHashData.serialNumber as string;
    const status = c.response!.certificateStatus[0].status;
    assert.equal(status, parseInt(emaidSerial.slice(0, 2), 16) === 0x41 ? 'Revoked' : 'Good');
  }

  checkStationCertificates(r, calls, true);
  const triggers = csmsCalls(r, 'TriggerMessage');
  assert.ok(triggers.some((t) => t.payload.requestedMessage === 'SignV2G20Certificate' && t.answer?.status === 'Accepted'));
  assert.ok(calls.some((c) => c.action === 'SignCertificate' && c.payload.certificateType === 'V2G20Certificate'));
  assert.ok(calls.some((c) => c.action === 'SignCertificate' && c.payload.certificateType === 'ChargingStationCertificate'));
  const profiles = checkSmartCharging(r, calls);

  const run = r.run;
  assert.equal(run.counter('pnc_authorize_accepted'), calls.filter((c) => c.action === 'Authorize' && c.response?.certificateStatus === 'Accepted').length);
  assert.ok(run.counter('pnc_authorize_revoked') > 0 && run.counter('pnc_authorize_expired') > 0);
  assert.equal(run.counter('pnc_contracts_installed'), calls.filter((c) => c.action === 'Get15118EVCertificate').length);
  assert.equal(run.counter('certificates_signed'), csmsCalls(r, 'CertificateSigned').length);
  assert.ok(run.counter('ocsp_good') >= 3 * STATIONS);
  assert.equal(run.counter('ocsp_failed'), 0);
  assert.equal(run.counter('pnc_profiles_received'), profiles);
  assert.equal(run.counter('pnc_profile_missing'), 0);
  assert.equal(run.counter('usecase_skipped_201'), 0);
  const stats = r.csms.stats().useCases;
  assert.equal(stats['pnc.contractsIssued'], run.counter('pnc_contracts_installed'));
  assert.equal(stats['pnc.certificatesIssued'], run.counter('certificates_signed'));
  const report = formatReport(summarize(run.snapshot));
  for (const name of ['pnc_authorize_accepted', 'pnc_authorize_revoked']) assert.match(report, new RegExp(name));
  // Certificates and contracts are use-case figures: the report's USE CASES section shows them by label.
  assert.match(report, new RegExp(`certificates signed\\s+${run.counter('certificates_signed')}\\b`));
  assert.match(report, new RegExp(`contract certificates installed\\s+${run.counter('pnc_contracts_installed')}\\b`));
});

test('Plug & Charge against a 2.0.1-only CSMS: valid 2.0.1 throughout, the 2.1-only parts skipped and counted', async () => {
  const r = await runAgainstEmbedded(TEXT, ['ocpp2.0.1']);
  const audit = auditFrames(r.frames);
  assert.ok(r.frames.every((f) => f.protocol === 'ocpp2.0.1'));
  assert.deepEqual(audit.stationProblems.slice(0, 10), [], `${audit.stationProblems.length} station frames are not valid 2.0.1`);
  assert.deepEqual(audit.csmsProblems.slice(0, 10), []);
  assert.deepEqual(audit.errors, []);
  const calls = audit.stationCalls;
  assert.equal(calls.filter((c) => c.action === 'GetCertificateChainStatus').length, 0, '2.1-only action skipped');
  assert.ok(calls.filter((c) => c.action === 'SignCertificate').every((c) => c.payload.requestId === undefined));
  assert.ok(calls.filter((c) => c.action === 'Get15118EVCertificate').every((c) => c.payload.maximumContractCertificateChains === undefined));
  assert.ok(calls.filter((c) => c.action === 'Authorize').every((c) => c.payload.idToken.additionalInfo === undefined));
  assert.ok(calls.filter((c) => c.action === 'NotifyEVChargingNeeds').every((c) => c.payload.chargingNeeds.v2xChargingParameters === undefined));
  // SignV2G20Certificate does not exist in 2.0.1: the CSMS skipped that command.
  assert.ok(!csmsCalls(r, 'TriggerMessage').some((t) => t.payload.requestedMessage === 'SignV2G20Certificate'));
  const { fates } = checkContracts(r, calls);
  assert.ok(fates.size >= 2);
  checkStationCertificates(r, calls, false);
  checkSmartCharging(r, calls);
  assert.ok(r.run.counter('usecase_skipped_201') >= calls.filter((c) => c.action === 'Get15118EVCertificate').length);
  assert.ok(r.run.counter('pnc_authorize_accepted') > 0);
});

test('the station certificate store: GetInstalledCertificateIds, InstallCertificate, DeleteCertificate, CertificateSigned refusals', async () => {
  const text = `
name: pnc-store
seed: ${SEED}
callTimeout: 3s
stations: [{ count: 1, idTemplate: PNC-STORE, behaviour: plug-and-charge, evse: { type: AC, maxKw: 11 } }]
sessions: { arrivalsPerEvsePerHour: 0 }
phases: [{ duration: 0s, target: 100% }, { duration: 6s, target: 100% }]
drainTimeout: 1s
`;
  const spec = scenario(text);
  const csms = await startCsms({ seed: SEED, callTimeoutMs: 3000 });
  const abort = new AbortController();
  const running = runScenario(spec, `${csms.url}/ocpp`, abort.signal);
  try {
    const id = 'PNC-STORE';
    assert.ok(await waitFor(() => (csms.stats().useCases['pnc.certificateSignedAccepted'] ?? 0) >= 1, 5000), 'the SECC certificate was installed at boot');
    const send = async (action: string, payload: Payload): Promise<Payload> => {
      const o = await csms.send(id, action, payload);
      assert.ok(o.ok, `${action}: ${o.ok ? '' : `${o.kind} ${o.code ?? ''}`}`);
      return o.payload;
    };
    const ids = await send('GetInstalledCertificateIds', { certificateType: ['V2GRootCertificate', 'V2GCertificateChain', 'MORootCertificate'] });
    assert.equal(ids.status, 'Accepted');
    const chains = ids.certificateHashDataChain as Payload[];
    assert.deepEqual(chains[0], { certificateType: 'V2GRootCertificate', certificateHashData: PKI.v2gRoot.hashData });
    assert.equal(chains[1]!.certificateType, 'V2GCertificateChain');
    assert.deepEqual(chains[1]!.childCertificateHashData, [PKI.cpoSub2.hashData, PKI.cpoSub1.hashData]);
    assert.equal(chains.length, 2, 'no MO root installed');

    assert.deepEqual(await send('InstallCertificate', { certificateType: 'MORootCertificate', certificate: PKI.moRoot.pem }), { status: 'Accepted' });
    assert.equal((await send('InstallCertificate', { certificateType: 'MORootCertificate', certificate: PKI.cpoSub1.pem })).status, 'Rejected', 'not a root');
    assert.equal((await send('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: 'garbage' })).status, 'Rejected');
    assert.equal((await send('GetInstalledCertificateIds', { certificateType: ['MORootCertificate'] })).certificateHashDataChain[0].certificateHashData.serialNumber, PKI.moRoot.hashData.serialNumber);
    assert.deepEqual(await send('DeleteCertificate', { certificateHashData: PKI.moRoot.hashData }), { status: 'Accepted' });
    assert.deepEqual(await send('DeleteCertificate', { certificateHashData: PKI.moRoot.hashData }), { status: 'NotFound' });
    assert.deepEqual(await send('GetInstalledCertificateIds', { certificateType: ['MORootCertificate'] }), { status: 'NotFound' });

    // A chain for a request the station never made, and one that is not for the station's key.
    const unknown = await send('CertificateSigned', { certificateChain: PKI.v2gRoot.pem, certificateType: 'V2GCertificate', requestId: 999 });
    assert.equal(unknown.status, 'Rejected');
    // A chain that is not for the key of the open request: the CSMS's own CertificateSigned for it waits behind its
    // InstallCertificate of the CSMS root (a round trip), so ours, sent at once, reaches the station first.
    assert.deepEqual(await send('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }), { status: 'Accepted' });
    const before = csms.stats().callsIn.SecurityEventNotification ?? 0;
    const wrongKey = PKI.issueContract('DECSTC00000000A').chain.map((d) => toPem(d, 'CERTIFICATE')).join('');
    const refused = await csms.send(id, 'CertificateSigned', { certificateChain: wrongKey, certificateType: 'ChargingStationCertificate' });
    assert.ok(refused.ok && refused.payload.status === 'Rejected' && refused.payload.statusInfo?.reasonCode === 'InvalidCertificate', JSON.stringify(refused));
    assert.ok(await waitFor(() => (csms.stats().callsIn.SecurityEventNotification ?? 0) > before, 2000), 'InvalidChargingStationCertificate reported');
    assert.ok(await waitFor(() => (csms.stats().useCases['pnc.certificateSignedAccepted'] ?? 0) >= 2, 3000), 'then the right chain was accepted');
  } finally {
    abort.abort();
    const run = await running;
    await csms.close();
    assert.ok(run.counter('certificates_rejected') >= 2);
    assert.equal(run.counter('roots_installed'), 3, 'V2G root at boot, MO root by hand, CSMS root before the CSMS certificate');
  }
});
