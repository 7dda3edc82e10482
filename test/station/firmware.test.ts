// The station's benign firmware update (L01, src/station/firmware.ts) against the embedded CSMS behind a recording tap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCsms } from '../../src/csms/server.js';
import { parseFrame } from '../../src/ocpp/framing.js';
import type { Payload } from '../../src/ocpp/session.js';
import { runScenario, scenario, waitFor, type FleetRun } from '../support/fleet.js';
import { startTap, type Tap } from '../support/tap.js';

const ID = 'FW-1';
const TEXT = `
name: firmware
seed: 5
callTimeout: 5s
reconnect: { waitMinimum: 100ms, randomRange: 100ms, repeatTimes: 2 }
stations: [{ count: 1, idTemplate: "${ID}", behaviour: idle }]
phases: [{ duration: 0s, target: 100% }, { duration: 30s, target: 100% }]
drainTimeout: 1s
`;

function calls(tap: Tap, action: string): Payload[] {
  const out: Payload[] = [];
  for (const f of tap.frames) {
    if (f.dir !== 'toCsms') continue;
    const r = parseFrame(f.text);
    if (r.ok && r.frame.type === 2 && r.frame.action === action) out.push(r.frame.payload as Payload);
  }
  return out;
}

test('UpdateFirmware: Downloading → Downloaded → (SignatureVerified) → Installing, a FirmwareUpdate reboot into the new version, Installed', async () => {
  const csms = await startCsms({ spec: { heartbeatInterval: 60 } });
  const tap = await startTap(csms.url);
  const abort = new AbortController();
  const running: Promise<FleetRun> = runScenario(scenario(TEXT), `${tap.url}/ocpp`, abort.signal);
  try {
    assert.ok(await waitFor(() => csms.station(ID)?.accepted === true, 8000), 'booted');
    const before = calls(tap, 'BootNotification')[0]!.chargingStation.firmwareVersion as string;
    const o = await csms.send(ID, 'UpdateFirmware', {
      requestId: 41, firmware: { location: 'https://fw.example.com/station-7.2.0.bin', retrieveDateTime: new Date().toISOString(), signature: 'c2ln', signingCertificate: '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----' },
    });
    assert.ok(o.ok && o.payload.status === 'Accepted', JSON.stringify(o));
    assert.ok(await waitFor(() => calls(tap, 'FirmwareStatusNotification').some((p) => p.status === 'Installed'), 15_000), 'installed');
    const statuses = calls(tap, 'FirmwareStatusNotification').map((p) => [p.status, p.requestId]);
    assert.deepEqual(statuses, [['Downloading', 41], ['Downloaded', 41], ['SignatureVerified', 41], ['Installing', 41], ['Installed', 41]]);
    const boots = calls(tap, 'BootNotification');
    assert.equal(boots.length, 2);
    assert.equal(boots[1]!.reason, 'FirmwareUpdate');
    assert.equal(boots[1]!.chargingStation.firmwareVersion, '7.2.0', `was ${before}`);
    assert.ok(await waitFor(() => calls(tap, 'SecurityEventNotification').some((p) => p.type === 'FirmwareUpdated'), 3000));
    // A second request while nothing runs is accepted; one during the install would be Rejected.
    const again = await csms.send(ID, 'UpdateFirmware', { requestId: 42, firmware: { location: 'https://fw.example.com/station-7.3.0.bin', retrieveDateTime: new Date().toISOString() } });
    assert.ok(again.ok && again.payload.status === 'Accepted');
  } finally {
    abort.abort();
    await running;
    await tap.close();
    await csms.close();
  }
});
