import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions } from '../../../src/csms/detector/device.js';
import { harness } from './support.js';

const boot = (reason: string, over: Record<string, string> = {}) => ({
  reason, chargingStation: { model: 'AC22-XY3', vendorName: 'Acme Charging', serialNumber: 'ABCD000000001', firmwareVersion: '4.2.7-abc1234', ...over },
});

test('compareVersions reads the first dotted number', () => {
  assert.equal(compareVersions('4.2.7-abc1234', '4.2.10'), -1);
  assert.equal(compareVersions('v5', '4.99.1'), 1);
  assert.equal(compareVersions('1.0', '1.0.0'), 0);
  assert.equal(compareVersions('beta', '1.0'), null);
});

test('boot fingerprint: same serial/model/vendor accepted again; a different one → Rejected + impersonation', () => {
  const h = harness();
  h.connect('CS-1', '10.1.1.1');
  assert.equal(h.det.bootVerdict('CS-1', boot('PowerUp')), undefined);
  assert.equal(h.det.bootVerdict('CS-1', boot('PowerUp')), undefined);
  assert.deepEqual(h.alerts, []);
  assert.equal(h.det.bootVerdict('CS-1', boot('PowerUp', { serialNumber: 'ZZZZ000000009' })), 'Rejected');
  const a = h.of('impersonation', 'L0.boot-fingerprint');
  assert.equal(a.length, 1);
  assert.deepEqual(a[0]!.entity, { stationId: 'CS-1', ip: '10.1.1.1' });
  assert.deepEqual(a[0]!.evidence.drift, { serialNumber: { registered: 'ABCD000000001', presented: 'ZZZZ000000009' } });
});

test('firmware: a downgrade → Pending (quarantine) + critical alert; below the minimum → Pending', () => {
  const h = harness({ minFirmware: '3.0', cooldownMs: 0 });
  h.connect('CS-1');
  assert.equal(h.det.bootVerdict('CS-1', boot('PowerUp')), undefined);
  assert.equal(h.det.bootVerdict('CS-1', boot('FirmwareUpdate', { firmwareVersion: '4.1.0' })), 'Pending');
  const down = h.of('firmware', 'L1.firmware-downgrade');
  assert.equal(down.length, 1);
  assert.equal(down[0]!.severity, 'critical');
  assert.equal(h.of('firmware', 'L1.firmware-boot-unsolicited').length, 1);
  h.connect('CS-2');
  assert.equal(h.det.bootVerdict('CS-2', boot('PowerUp', { firmwareVersion: '2.9.9' })), 'Pending');
  assert.equal(h.of('firmware', 'L1.firmware-below-minimum').length, 1);
});

test('firmware update we ordered (F04): status sequence, reboot and security events stay silent', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  h.det.bootVerdict('CS-1', boot('PowerUp'));
  h.clock.advance(10_000);
  h.det.commandSent('CS-1', 'UpdateFirmware', { requestId: 55, firmware: { location: 'https://fw/x.bin', retrieveDateTime: '2026-01-01T00:00:00Z', signature: 'c2ln' } });
  for (const status of ['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting']) {
    h.clock.advance(2000);
    h.call(sd, 'FirmwareStatusNotification', { status, requestId: 55 });
  }
  h.clock.advance(5000);
  assert.equal(h.det.bootVerdict('CS-1', boot('FirmwareUpdate', { firmwareVersion: '4.3.0' })), undefined);
  for (const type of ['StartupOfTheDevice', 'FirmwareUpdated', 'ResetOrReboot']) h.call(sd, 'SecurityEventNotification', { type, timestamp: '2026-01-01T00:01:00Z' });
  h.call(sd, 'FirmwareStatusNotification', { status: 'Installed', requestId: 55 });
  h.call(sd, 'FirmwareStatusNotification', { status: 'Idle' });
  assert.deepEqual(h.alerts, []);
});

test('firmware status not ordered by us, InvalidSignature, Installed without SignatureVerified', () => {
  const h = harness({ cooldownMs: 0 });
  const sd = h.connect('CS-1');
  h.call(sd, 'FirmwareStatusNotification', { status: 'Installing', requestId: 9 });
  assert.equal(h.of('firmware', 'L1.firmware-status-unsolicited').length, 1);
  h.det.commandSent('CS-1', 'UpdateFirmware', { requestId: 10, firmware: { location: 'x', retrieveDateTime: 'y', signature: 's' } });
  h.call(sd, 'FirmwareStatusNotification', { status: 'InvalidSignature', requestId: 10 });
  const sig = h.of('firmware', 'L1.firmware-signature');
  assert.equal(sig.length, 1);
  assert.equal(sig[0]!.severity, 'critical');
  h.call(sd, 'FirmwareStatusNotification', { status: 'Installed', requestId: 10 });
  assert.equal(h.of('firmware', 'L1.firmware-installed-unverified').length, 1);
});

test('security events: TamperDetectionActivated → immediate critical; non-critical ones alert at the count', () => {
  const h = harness({ cooldownMs: 0 });
  const sd = h.connect('CS-1');
  h.call(sd, 'SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: '2026-01-01T00:00:00Z', techInfo: 'lid open' });
  const t = h.of('security-event');
  assert.equal(t.length, 1);
  assert.equal(t[0]!.severity, 'critical');
  assert.equal(t[0]!.evidence.type, 'TamperDetectionActivated');
  assert.equal(t[0]!.evidence.techInfo, 'lid open');
  for (let i = 0; i < 2; i++) h.call(sd, 'SecurityEventNotification', { type: 'InvalidMessages', timestamp: '2026-01-01T00:00:00Z' });
  assert.equal(h.of('security-event', 'L2.security-event-count').length, 0);
  h.call(sd, 'SecurityEventNotification', { type: 'AttemptedReplayAttacks', timestamp: '2026-01-01T00:00:00Z' });
  assert.equal(h.of('security-event', 'L2.security-event-count').length, 1);
  h.call(sd, 'SecurityEventNotification', { type: 'CsmsFailedToAuthenticate', timestamp: '2026-01-01T00:00:00Z' });
  assert.equal(h.of('security-event', 'L2.security-event-immediate').length, 1);
});

test('StartupOfTheDevice right after a boot is expected; ResetOrReboot without our Reset is not', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  h.det.bootVerdict('CS-1', boot('PowerUp'));
  h.call(sd, 'SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: '2026-01-01T00:00:00Z' });
  assert.deepEqual(h.alerts, []);
  h.clock.advance(3_600_000);
  h.call(sd, 'SecurityEventNotification', { type: 'ResetOrReboot', timestamp: '2026-01-01T01:00:00Z' });
  assert.equal(h.of('security-event', 'L2.security-event-critical').length, 1);
});

test('a connector flapping to Faulted → maintenance (F02); one Faulted report alone does not', () => {
  const h = harness();
  const sd = h.connect('CS-1');
  const ts = '2026-01-01T00:00:00Z';
  h.call(sd, 'StatusNotification', { timestamp: ts, connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
  h.call(sd, 'StatusNotification', { timestamp: ts, connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  assert.deepEqual(h.alerts, []);
  h.call(sd, 'NotifyEvent', { generatedAt: ts, seqNo: 0, eventData: [{ eventId: 1, timestamp: ts, trigger: 'Delta', actualValue: 'Faulted', eventNotificationType: 'HardWiredNotification', component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'AvailabilityState' } }] });
  h.call(sd, 'StatusNotification', { timestamp: ts, connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
  const a = h.of('maintenance', 'L2.connector-faulted-flapping');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.severity, 'low');
});
