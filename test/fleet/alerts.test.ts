import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../src/detection/types.js';
import { AlertIntake } from '../../src/fleet/alerts/intake.js';
import { JsonlFollower } from '../../src/fleet/alerts/jsonl-follow.js';
import { alertsFromPayload, mapAlert, parseAlertBody, resolveMappings } from '../../src/fleet/alerts/mapping.js';
import { AlertPoller } from '../../src/fleet/alerts/poll.js';
import { AlertWebhook } from '../../src/fleet/alerts/webhook.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const NOW = T0 + 999_000;
const now = (): number => NOW;
const mappings = resolveMappings();

function post(port: number, body: string, method = 'POST'): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/alerts', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const generic = (id: string, tsS: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  alertId: id, ts: new Date(T0 + tsS * 1000).toISOString(), category: 'token_brute_force', severity: 'high',
  entity: { stationId: 'CS-1' }, score: 0.9, evidence: { unknownTokens: 40 }, ...extra,
});

/** Alertmanager webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
const amPayload = {
  version: '4', groupKey: '{}:{alertname="Flood"}', truncatedAlerts: 0, status: 'firing', receiver: 'chargestorm',
  groupLabels: { alertname: 'Flood' }, commonLabels: { alertname: 'Flood' }, commonAnnotations: {}, externalURL: 'http://am:9093',
  alerts: [
    {
      status: 'firing', labels: { alertname: 'Flood', station_id: 'CS-7', severity: 'critical', ip: '10.0.0.7' },
      annotations: { summary: '900 msgs/s', score: '12.5' }, startsAt: '2026-01-01T12:00:10.123456789Z', endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prom/graph', fingerprint: 'a1b2c3d4',
    },
    {
      status: 'resolved', labels: { alertname: 'GridOscillation', severity: 'warning' },
      annotations: {}, startsAt: '2026-01-01T12:00:20Z', endsAt: '2026-01-01T12:01:20Z', generatorURL: '', fingerprint: 'e5f6',
    },
  ],
};

test('mapping: generic and Alertmanager alerts, times in ms, fleet when no entity, content ids', () => {
  const g = mapAlert(generic('g1', 5), mappings.generic, NOW);
  assert.ok('alert' in g);
  assert.deepEqual(g.alert, {
    alertId: 'g1', ts: T0 + 5000, category: 'token_brute_force', severity: 'high', entity: { stationId: 'CS-1' }, score: 0.9, evidence: { unknownTokens: 40 },
  });
  const { alerts, errors } = alertsFromPayload(amPayload, mappings, NOW);
  assert.deepEqual(errors, []);
  assert.deepEqual(alerts[0], {
    alertId: `a1b2c3d4@${T0 + 10_123}`, ts: T0 + 10_123, category: 'Flood', severity: 'critical',
    entity: { stationId: 'CS-7', ip: '10.0.0.7' }, score: 12.5, evidence: { summary: '900 msgs/s', score: '12.5' },
  });
  assert.deepEqual(alerts[1]!.entity, { fleet: true });
  // Epoch seconds, epoch ms, no time at all (arrival time), no id (a stable content hash).
  const secs = mapAlert({ ts: (T0 + 1000) / 1000, category: 'x', entity: { ip: '1.2.3.4' } }, mappings.generic, NOW);
  const millis = mapAlert({ ts: T0 + 1000, category: 'x', entity: { ip: '1.2.3.4' } }, mappings.generic, NOW);
  assert.ok('alert' in secs && 'alert' in millis);
  assert.equal(secs.alert.ts, T0 + 1000);
  assert.equal(millis.alert.ts, T0 + 1000);
  const bare = mapAlert({ category: 'x' }, mappings.generic, NOW);
  assert.ok('alert' in bare);
  assert.equal(bare.alert.ts, NOW);
  assert.match(bare.alert.alertId, /^h[0-9a-f]{8}$/);
  const again = mapAlert({ category: 'x' }, mappings.generic, NOW + 5);
  assert.ok('alert' in again);
  assert.equal(again.alert.alertId, bare.alert.alertId);
  const bad = mapAlert({ ts: 'tomorrow' }, mappings.generic, NOW);
  assert.ok('error' in bad);
});

test('mapping: the scenario names fields by dotted paths, tried before the defaults', () => {
  const m = resolveMappings({ station: 'labels.cp', alertmanager: { category: 'labels.kind', idWithTs: false } });
  const am = { labels: { alertname: 'X', kind: 'token_enumeration', cp: 'CP-9' }, annotations: {}, startsAt: '2026-01-01T12:00:00Z', fingerprint: 'ff' };
  const r = mapAlert(am, m.alertmanager, NOW);
  assert.ok('alert' in r);
  assert.deepEqual([r.alert.alertId, r.alert.category, r.alert.entity.stationId], ['ff', 'token_enumeration', 'CP-9']);
  const g = mapAlert({ ...generic('g', 1), labels: { cp: 'CP-1' } }, m.generic, NOW);
  assert.ok('alert' in g);
  assert.equal(g.alert.entity.stationId, 'CP-1');
});

test('bodies: one JSON document or JSON Lines; the first bad line is named', () => {
  assert.deepEqual(parseAlertBody('{"a":1}').payloads, [{ a: 1 }]);
  assert.deepEqual(parseAlertBody('{"a":1}\n\n{"a":2}\n').payloads, [{ a: 1 }, { a: 2 }]);
  assert.match(parseAlertBody('{"a":1}\n{oops').error!, /line 2/);
  assert.match(parseAlertBody('{oops').error!, /not JSON/);
  assert.equal(parseAlertBody('  ').error, 'empty body');
});

test('webhook on 127.0.0.1: generic alerts (object, array, JSONL) and Alertmanager payloads → 202; bad JSON → 400', async () => {
  const got: Alert[] = [];
  const hook = await AlertWebhook.listen({ port: 0, mappings, sink: (a) => got.push(...a), now });
  try {
    assert.match(hook.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const one = await post(hook.port, JSON.stringify(generic('g1', 1)));
    assert.deepEqual([one.status, one.json.accepted, one.json.rejected], [202, 1, 0]);
    const many = await post(hook.port, JSON.stringify([generic('g2', 2), generic('g3', 3, { ts: 'never' })]));
    assert.deepEqual([many.status, many.json.accepted, many.json.rejected], [202, 1, 1]);
    assert.match(String((many.json.errors as string[])[0]), /^\[1\]: unreadable time/);
    const lines = await post(hook.port, `${JSON.stringify(generic('g4', 4))}\n${JSON.stringify(generic('g5', 5))}\n`);
    assert.deepEqual([lines.status, lines.json.accepted], [202, 2]);
    const am = await post(hook.port, JSON.stringify(amPayload));
    assert.deepEqual([am.status, am.json.accepted], [202, 2]);
    const bad = await post(hook.port, '{"alertId": ');
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.error), /not JSON/);
    const nothing = await post(hook.port, JSON.stringify([{ ts: 'never' }]));
    assert.equal(nothing.status, 400);
    const del = await post(hook.port, '', 'DELETE');
    assert.equal(del.status, 405);
    const health = await post(hook.port, '', 'GET');
    assert.deepEqual(health.json, { accepted: 6, rejected: 3, requests: 6, badRequests: 2 });
    assert.deepEqual(got.map((a) => a.alertId), ['g1', 'g2', 'g4', 'g5', `a1b2c3d4@${T0 + 10_123}`, `e5f6@${T0 + 20_000}`]);
  } finally {
    await hook.close();
  }
});

test('webhook: oversized bodies get 413', async () => {
  const hook = await AlertWebhook.listen({ port: 0, mappings, sink: () => undefined, maxBodyBytes: 100 });
  try {
    const r = await post(hook.port, JSON.stringify([generic('a', 1), generic('b', 2)]));
    assert.equal(r.status, 413);
  } finally {
    await hook.close();
  }
});

test('JSONL follow: appended lines, a partial last line, truncation, rotation, a file that appears later', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chargestorm-alerts-'));
  const file = join(dir, 'alerts.jsonl');
  const got: Alert[] = [];
  const f = new JsonlFollower(file, { mappings, sink: (a) => got.push(...a), now, intervalMs: 10_000 });
  try {
    await f.poll();
    assert.equal(got.length, 0);
    await writeFile(file, `${JSON.stringify(generic('a', 1))}\n${JSON.stringify(generic('b', 2))}\n`);
    await f.poll();
    assert.deepEqual(got.map((a) => a.alertId), ['a', 'b']);

    const c = JSON.stringify(generic('c', 3, { evidence: { note: 'Ünïcödé ✓' } }));
    const cut = Buffer.from(c).length - 5; // inside the three bytes of ✓
    await appendFile(file, Buffer.from(c).subarray(0, cut));
    await f.poll();
    assert.equal(got.length, 2);
    await appendFile(file, Buffer.concat([Buffer.from(c).subarray(cut), Buffer.from('\nnot json\n')]));
    await f.poll();
    assert.deepEqual(got.map((a) => a.alertId), ['a', 'b', 'c']);
    assert.deepEqual((got[2]!.evidence as { note: string }).note, 'Ünïcödé ✓');
    assert.equal(f.counts.rejected, 1);

    await truncate(file, 0);
    await appendFile(file, `${JSON.stringify(generic('d', 4))}\n`);
    await f.poll();
    assert.equal(f.counts.truncations, 1);
    assert.deepEqual(got.map((a) => a.alertId).slice(3), ['d']);

    // Rotation: the old file gets one last line after it was moved; both it and the new file are read.
    await rename(file, `${file}.1`);
    await appendFile(`${file}.1`, `${JSON.stringify(generic('e', 5))}\n`);
    await writeFile(file, `${JSON.stringify(generic('f', 6))}\n${JSON.stringify(generic('g', 7))}`);
    await f.poll();
    assert.equal(f.counts.rotations, 1);
    assert.deepEqual(got.map((a) => a.alertId).slice(4), ['e', 'f']);
    // A last line without newline is taken at close.
    await f.close();
    assert.deepEqual(got.map((a) => a.alertId).slice(6), ['g']);
    assert.deepEqual([f.counts.accepted, f.lastError], [7, 'line 4: not JSON']);
  } finally {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('JSONL follow: fromStart false starts at the end; the timer picks up new lines', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chargestorm-alerts-'));
  const file = join(dir, 'alerts.jsonl');
  await writeFile(file, `${JSON.stringify(generic('old', 1))}\n`);
  const got: Alert[] = [];
  const f = new JsonlFollower(file, { mappings, sink: (a) => got.push(...a), now, intervalMs: 10, fromStart: false }).start();
  try {
    await f.poll();
    await appendFile(file, `${JSON.stringify(generic('new', 2))}\n`);
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got.map((a) => a.alertId), ['new']);
  } finally {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function serve(handler: (n: number) => { status?: number; body: string }): Promise<{ server: Server; url: string }> {
  let n = 0;
  const server = createServer((_req, res) => {
    const r = handler(n++);
    res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/alerts` };
}

const stop = (server: Server): Promise<void> => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });

test('poll: arrays, JSON Lines and Alertmanager API items; repeats dropped by alertId; failures counted', async () => {
  const apiItem = { ...amPayload.alerts[0]!, status: { state: 'active', silencedBy: [], inhibitedBy: [] }, receivers: [{ name: 'x' }], updatedAt: '2026-01-01T12:00:11Z' };
  const bodies = [
    { body: JSON.stringify([generic('p1', 1), generic('p2', 2)]) },
    { body: `${JSON.stringify(generic('p2', 2))}\n${JSON.stringify(generic('p3', 3))}\n` },
    { status: 500, body: '{}' },
    { body: '[{oops' },
    { body: JSON.stringify([apiItem, apiItem]) },
  ];
  const { server, url } = await serve((n) => bodies[Math.min(n, bodies.length - 1)]!);
  const got: Alert[] = [];
  const p = new AlertPoller(url, { mappings, sink: (a) => got.push(...a), now, intervalMs: 60_000 });
  try {
    for (let i = 0; i < 4; i++) await p.pollOnce();
    assert.deepEqual(got.map((a) => a.alertId), ['p1', 'p2', 'p3']);
    assert.deepEqual([p.counts.polls, p.counts.failures, p.counts.duplicates], [4, 2, 1]);
    assert.match(p.lastError!, /not JSON/);
    await p.close(); // one final poll
    assert.deepEqual(got.map((a) => a.alertId).slice(3), [`a1b2c3d4@${T0 + 10_123}`]);
    assert.equal(got[3]!.entity.stationId, 'CS-7');
  } finally {
    await stop(server);
  }
});

test('AlertIntake: webhook, file and poll together, de-duplicated across sources; close drains', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chargestorm-alerts-'));
  const file = join(dir, 'alerts.jsonl');
  await writeFile(file, `${JSON.stringify(generic('shared', 1))}\n${JSON.stringify(generic('file', 2))}\n`);
  const { server, url } = await serve(() => ({ body: JSON.stringify([generic('shared', 1), generic('polled', 3)]) }));
  const seen: string[] = [];
  const intake = await AlertIntake.start({
    listen: 0, follow: [file], poll: [url], followIntervalMs: 10_000, pollIntervalMs: 60_000, now,
    onAlert: (a) => seen.push(a.alertId),
  });
  try {
    const port = intake.webhookPort!;
    const r = await post(port, JSON.stringify(amPayload));
    assert.equal(r.status, 202);
    await appendFile(file, `${JSON.stringify(generic('late', 4))}\n`);
    await intake.close();
    const ids = intake.alerts.map((a) => a.alertId).sort();
    assert.deepEqual(ids, [`a1b2c3d4@${T0 + 10_123}`, `e5f6@${T0 + 20_000}`, 'file', 'late', 'polled', 'shared'].sort());
    assert.deepEqual([...seen].sort(), ids);
    const st = intake.stats();
    assert.equal(st.alerts, 6);
    assert.ok(st.duplicates >= 1);
    assert.equal(st.webhook!.accepted, 2);
    assert.equal(st.files[0]!.accepted, 3);
    assert.equal(st.polls[0]!.failures, 0);
    assert.ok(intake.alerts.every((a) => Number.isInteger(a.ts)));
  } finally {
    await intake.close();
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  }
});

test('intake: payloads handed over in process go through the same mapping as a source\'s and are de-duplicated with them', async () => {
  const intake = await AlertIntake.start({ mapping: { station: 'entity.cs' }, now });
  try {
    // What the embedded CSMS's detector writes: ISO time, 'fleet' as the entity of fleet-wide alerts.
    assert.equal(intake.ingest({ alertId: 'd1', ts: new Date(T0).toISOString(), category: 'flood', severity: 'high', entity: { cs: 'CS-9' }, evidence: {} }), 1);
    assert.equal(intake.ingest([{ alertId: 'd2', ts: T0 + 1, category: 'load-altering', entity: 'fleet' }, { alertId: 'd1', ts: T0, category: 'flood' }]), 1);
    assert.equal(intake.ingest(amPayload), 2);
    assert.equal(intake.ingest('nonsense'), 0);
    assert.deepEqual(intake.alerts.slice(0, 2).map((a) => [a.alertId, a.ts, a.entity]), [['d1', T0, { stationId: 'CS-9' }], ['d2', T0 + 1, { fleet: true }]]);
    assert.equal(intake.alerts[2]!.entity.stationId, 'CS-7');
    const s = intake.stats();
    assert.deepEqual(s.inProcess, { accepted: 5, rejected: 1 });
    assert.equal(s.duplicates, 1);
    assert.equal(s.alerts, 4);
  } finally {
    await intake.close();
  }
});
