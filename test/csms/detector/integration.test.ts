// End to end over real sockets: the embedded CSMS with its detector on, tiny clients (connect + RpcSession).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCsms, type Csms } from '../../../src/csms/server.js';
import type { Alert } from '../../../src/csms/detector/alert.js';
import type { DetectorOptions } from '../../../src/csms/detector/options.js';
import type { Payload } from '../../../src/ocpp/session.js';
import { TestClient, until } from '../client.js';
import { benignSession, txEvent } from './support.js';

async function withCsms(det: DetectorOptions, run: (csms: Csms, alerts: Alert[]) => Promise<void>, extra: Parameters<typeof startCsms>[0] = {}): Promise<void> {
  const alerts: Alert[] = [];
  const csms = await startCsms({ ...extra, detector: { ...det, thresholds: { warmupMs: 0, ...det.thresholds }, onAlert: (a) => alerts.push(a) } });
  try { await run(csms, alerts); } finally { await csms.close(); }
}

function closeCode(c: TestClient): Promise<number> {
  return new Promise((resolve) => {
    if (c.conn.ws.readyState === c.conn.ws.CLOSED) resolve(-1);
    c.conn.ws.once('close', (code: number) => resolve(code));
  });
}

const BOOT = { reason: 'PowerUp', chargingStation: { model: 'AC22-XY3', vendorName: 'Acme Charging', serialNumber: 'ABCD000000001', firmwareVersion: '4.2.7' } };

async function booted(csms: Csms, id: string, boot: Payload = BOOT): Promise<TestClient> {
  const c = await TestClient.open(csms.url, id);
  const r = await c.call('BootNotification', boot);
  assert.ok(r.ok && r.payload.status === 'Accepted');
  return c;
}

/** Sends events one by one, answering like a station: returns the answers. */
async function send(c: TestClient, events: Payload[]): Promise<Payload[]> {
  const out: Payload[] = [];
  for (const e of events) {
    const r = await c.call('TransactionEvent', e);
    assert.ok(r.ok, `TransactionEvent ${e.eventType} ${e.seqNo}: ${!r.ok ? r.kind + ' ' + (r.code ?? '') : ''}`);
    out.push(r.payload);
  }
  return out;
}

test('message flood → frames dropped, alert, then WebSocket close 1008; other stations keep working', async () => {
  await withCsms({ thresholds: { stationMsgRate: 10, stationMsgBurst: 20, floodCloseAfter: 60 } }, async (csms, alerts) => {
    const good = await booted(csms, 'CS-GOOD');
    const c = await booted(csms, 'CS-FLOOD');
    const closed = closeCode(c);
    for (let i = 0; i < 300; i++) c.session.sendRaw(`[2,"f${i}","Heartbeat",{}]`);
    assert.equal(await closed, 1008);
    await until(() => alerts.some((a) => a.category === 'flood'));
    const a = alerts.find((x) => x.category === 'flood')!;
    assert.equal(a.evidence.rule, 'L0.message-rate-station');
    assert.deepEqual(a.entity, { stationId: 'CS-FLOOD', ip: '127.0.0.1' });
    assert.ok((await good.call('Heartbeat', {})).ok);
    assert.equal(csms.detectorStats()!.actions.closed1008, 1);
    await good.close();
  });
});

test('frame of 1 MiB → close 1009 (ws maxPayload) and an alert', async () => {
  await withCsms({}, async (csms, alerts) => {
    const c = await booted(csms, 'CS-BIG');
    const closed = closeCode(c);
    c.session.sendRaw(`[2,"big","DataTransfer",{"vendorId":"x","data":"${'A'.repeat(1024 * 1024)}"}]`);
    assert.equal(await closed, 1009);
    await until(() => alerts.some((a) => a.evidence.rule === 'L0.frame-size'));
  });
});

test('duplicate identity → the newcomer is closed with 1008, the live station keeps its session, alert', async () => {
  await withCsms({}, async (csms, alerts) => {
    const a = await booted(csms, 'CS-DUP');
    const b = await TestClient.open(csms.url, 'CS-DUP');
    assert.equal(await closeCode(b), 1008);
    await until(() => alerts.some((x) => x.category === 'impersonation'));
    const al = alerts.find((x) => x.category === 'impersonation')!;
    assert.equal(al.evidence.rule, 'L0.duplicate-connection');
    assert.equal(al.evidence.policy, 'reject-newcomer');
    assert.ok((await a.call('Heartbeat', {})).ok);
    assert.equal(csms.stats().duplicateConnections, 1);
    assert.deepEqual(csms.connectedIds(), ['CS-DUP']);
    await a.close();
  });
});

test('boot with another serial for a registered identity → BootNotification Rejected + impersonation', async () => {
  await withCsms({}, async (csms, alerts) => {
    const a = await booted(csms, 'CS-FP');
    await a.close();
    const b = await TestClient.open(csms.url, 'CS-FP');
    const r = await b.call('BootNotification', { ...BOOT, chargingStation: { ...BOOT.chargingStation, serialNumber: 'EVIL00000001' } });
    assert.ok(r.ok);
    assert.equal(r.payload.status, 'Rejected');
    assert.equal(alerts[0]!.evidence.rule, 'L0.boot-fingerprint');
    const hb = await b.call('Heartbeat', {});
    assert.equal(!hb.ok && hb.code, 'SecurityError');
    await b.close();
  });
});

test('meter register decreasing → under-reporting alert with evidence; answers stay normal', async () => {
  await withCsms({}, async (csms, alerts) => {
    const c = await booted(csms, 'CS-METER');
    const now = Date.now();
    const ev = benignSession({ txId: 'tx-m', startMs: now - 30_000, startWh: 50_000, w: 11_000, samples: 3 });
    await send(c, ev.slice(0, 4));
    const answers = await send(c, [txEvent('Updated', 4, { txId: 'tx-m', tsMs: now, chargingState: 'Charging', meter: { tsMs: now, wh: 40_000, w: 11_000 } })]);
    assert.deepEqual(answers, [{}]);
    await until(() => alerts.length > 0);
    const a = alerts[0]!;
    assert.equal(a.category, 'under-reporting');
    assert.deepEqual(a.entity, { stationId: 'CS-METER', evseId: 1 });
    assert.equal(a.evidence.rule, 'L1.register-decrease');
    assert.equal(a.evidence.registerWh, 40_000);
    assert.equal(csms.detectorStats()!.actions.billingHolds, 1);
    await c.close();
  });
});

test('unknown-token burst (A06) → token-brute-force alert', async () => {
  await withCsms({}, async (csms, alerts) => {
    const c = await booted(csms, 'CS-BRUTE');
    for (let i = 0; i < 8; i++) {
      const r = await c.call('Authorize', { idToken: { idToken: `04${(0xa0000 + i).toString(16).toUpperCase()}FFFF`, type: 'ISO14443' } });
      assert.ok(r.ok);
    }
    await until(() => alerts.some((a) => a.category === 'token-brute-force'));
    assert.equal(alerts.find((a) => a.category === 'token-brute-force')!.evidence.distinctTokens, 8);
    await c.close();
  });
});

test('SecurityEventNotification TamperDetectionActivated → immediate critical alert', async () => {
  await withCsms({}, async (csms, alerts) => {
    const c = await booted(csms, 'CS-TAMPER');
    const r = await c.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: new Date().toISOString() });
    assert.ok(r.ok);
    await until(() => alerts.length > 0);
    assert.equal(alerts[0]!.category, 'security-event');
    assert.equal(alerts[0]!.severity, 'critical');
    assert.deepEqual(alerts[0]!.entity, { stationId: 'CS-TAMPER' });
    await c.close();
  });
});

test('forged remote start → idTokenInfo Invalid, RequestStopTransaction sent, alert', async () => {
  await withCsms({}, async (csms, alerts) => {
    const c = await booted(csms, 'CS-RS');
    const now = Date.now();
    const [answer] = await send(c, [txEvent('Started', 0, { txId: 'tx-rs', tsMs: now, trigger: 'RemoteStart', remoteStartId: 999, idToken: 'x', tokenType: 'Central', meter: { tsMs: now, wh: 10 } })]);
    assert.deepEqual(answer, { idTokenInfo: { status: 'Invalid' } });
    const stop = await c.nextCall('RequestStopTransaction');
    assert.equal(stop.transactionId, 'tx-rs');
    assert.equal(alerts[0]!.category, 'forged-remote-start');
    await c.close();
  });
});

test('upgrade flood of one identity → HTTP 429 at the upgrade', async () => {
  await withCsms({ thresholds: { stationUpgradeBurst: 2 } }, async (csms, alerts) => {
    const statuses: (number | string)[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await TestClient.tryOpen(csms.url, 'CS-STORM');
      if (r.ok) { statuses.push('open'); r.conn.close(); await until(() => csms.stats().connected === 0); } else statuses.push(r.status ?? r.kind);
    }
    assert.deepEqual(statuses.slice(0, 2), ['open', 'open'], JSON.stringify(statuses));
    assert.ok(statuses.slice(2).every((s) => s === 429), JSON.stringify(statuses));
    await until(() => alerts.some((a) => a.evidence.rule === 'L0.upgrade-rate-identity'));
  });
});

test('wrong Basic passwords → 401 and a credential-brute-force alert', async () => {
  await withCsms({}, async (csms, alerts) => {
    for (let i = 0; i < 5; i++) {
      const r = await TestClient.tryOpen(csms.url, 'CS-PW', { basicAuth: { user: 'CS-PW', password: `wrong-password-${i}xx` } });
      assert.equal(!r.ok && r.status, 401);
    }
    await until(() => alerts.some((a) => a.category === 'credential-brute-force'));
  }, { security: { profile: 1, password: 'the-right-password-16' } });
});

test('benign: a normal session and an offline backlog flush raise no alert', async () => {
  await withCsms({}, async (csms, alerts) => {
    const c = await booted(csms, 'CS-OK');
    const t0 = Date.now() - 120_000;
    const auth = await c.call('Authorize', { idToken: { idToken: '04AABBCCDDEEFF', type: 'ISO14443' } });
    assert.ok(auth.ok);
    await send(c, benignSession({ txId: 'tx-ok', startMs: t0, startWh: 7_000_000, w: 22_000, samples: 10, ac: true }));
    // Offline for a minute: a whole session queued, then flushed at once (F03).
    const off = benignSession({ txId: 'tx-off', startMs: Date.now() - 60_000, startWh: 7_100_000, w: 11_000, samples: 8, ac: true, offline: true, token: '04AABBCCDDEE00' });
    await send(c, off);
    await send(c, [off[off.length - 1]!]); // the answer to the last event was lost: an identical retry
    assert.ok((await c.call('Heartbeat', {})).ok);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(alerts, []);
    const st = csms.detectorStats()!;
    assert.equal(st.actions.framesDropped, 0);
    assert.equal(st.alerts.raised, 0);
    await c.close();
  });
});

test('JSONL sink: alerts appended to the file, flushed on close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-det-'));
  const file = join(dir, 'alerts.jsonl');
  try {
    await withCsms({ alertsFile: file }, async (csms) => {
      const c = await booted(csms, 'CS-FILE');
      await c.call('SecurityEventNotification', { type: 'SecurityLogWasCleared', timestamp: new Date().toISOString() });
      await c.close();
    });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Alert);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.category, 'security-event');
    assert.equal(lines[0]!.evidence.type, 'SecurityLogWasCleared');
    assert.match(lines[0]!.ts, /^\d{4}-\d{2}-\d{2}T/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('webhook sink: alerts POSTed as a JSON array to a local server', async () => {
  const bodies: Alert[][] = [];
  const srv = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => { text += d; });
    req.on('end', () => { bodies.push(JSON.parse(text) as Alert[]); res.writeHead(204).end(); });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`;
    await withCsms({ alertsWebhook: url }, async (csms) => {
      const c = await booted(csms, 'CS-HOOK');
      await c.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: new Date().toISOString() });
      await until(() => bodies.length > 0);
      await c.close();
    }, { tickMs: 20 });
    assert.equal(bodies[0]![0]!.category, 'security-event');
    assert.equal(bodies[0]![0]!.severity, 'critical');
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
