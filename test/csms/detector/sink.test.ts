import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { AlertHub, type Alert, type Severity } from '../../../src/csms/detector/alert.js';
import { AlertQueue, JsonlSink, WebhookSink } from '../../../src/csms/detector/sink.js';
import { Cusum, Ewma, Leaky, TokenBucket } from '../../../src/csms/detector/primitives.js';

let n = 0;
function alert(severity: Severity, category = 'flood'): Alert {
  return { alertId: `a-${++n}`, ts: new Date(0).toISOString(), category: category as Alert['category'], severity, entity: { stationId: 'CS' }, evidence: {} };
}

test('primitives: token bucket, decaying counter, EWMA, CUSUM', () => {
  const b = new TokenBucket(10, 5, 0);
  let ok = 0;
  for (let i = 0; i < 10; i++) if (b.take(0)) ok++;
  assert.equal(ok, 5);
  assert.equal(b.take(100), true, 'refilled 1 token after 100 ms');
  assert.equal(b.take(100), false);
  const l = new Leaky(1000);
  l.add(0); l.add(0);
  assert.equal(l.read(0), 2);
  assert.ok(Math.abs(l.read(1000) - 2 / Math.E) < 1e-9);
  const e = new Ewma(0.5);
  for (const x of [10, 10, 10, 10]) e.update(x);
  assert.equal(e.mean, 10);
  assert.equal(e.variance, 0);
  const c = new Cusum(0.1, 0.5);
  assert.equal(c.add(0.3), false);
  assert.equal(c.add(0.3), false);
  assert.equal(c.add(0.3), true);
});

test('queue: full → the oldest non-critical goes; criticals are never dropped and leave first', () => {
  const q = new AlertQueue(3);
  const a = [alert('low'), alert('medium'), alert('critical')];
  for (const x of a) q.push(x);
  q.push(alert('high'));
  assert.equal(q.dropped, 1);
  for (let i = 0; i < 5; i++) q.push(alert('critical'));
  assert.equal(q.length, 3 + 5 - 2, 'criticals pushed the remaining non-criticals out, then exceeded the bound');
  assert.equal(q.dropped, 3);
  const out = q.take(100);
  assert.ok(out.every((x) => x.severity === 'critical'));
  assert.equal(out[0], a[2]);
  const q2 = new AlertQueue(2);
  q2.push(alert('critical')); q2.push(alert('critical'));
  q2.push(alert('low'));
  assert.equal(q2.dropped, 1, 'a non-critical arriving at a queue full of criticals is the one dropped');
});

test('hub: one alert per (entity, category) per cool-down; higher severity passes; ids are sequential', () => {
  const got: Alert[] = [];
  const hub = new AlertHub('x', 60_000, 100, 100, 0, [], (a) => got.push(a));
  hub.raise(0, 'flood', 'medium', { stationId: 'A' }, { rule: 'r' });
  hub.raise(1000, 'flood', 'medium', { stationId: 'A' }, { rule: 'r' });
  hub.raise(1000, 'flood', 'medium', { stationId: 'B' }, { rule: 'r' });
  hub.raise(2000, 'replay', 'medium', { stationId: 'A' }, { rule: 'r' });
  hub.raise(3000, 'flood', 'critical', { stationId: 'A' }, { rule: 'r' });
  hub.raise(70_000, 'flood', 'critical', { stationId: 'A' }, { rule: 'r' });
  assert.deepEqual(got.map((a) => a.alertId), ['x-000001', 'x-000002', 'x-000003', 'x-000004', 'x-000005']);
  assert.equal(hub.counters.suppressed, 1);
  assert.equal(got[0]!.ts, '1970-01-01T00:00:00.000Z');
  const limited = new AlertHub('y', 0, 1, 2, 0, [], undefined);
  for (let i = 0; i < 10; i++) limited.raise(0, 'flood', 'low', { stationId: `S${i}` }, {});
  limited.raise(0, 'security-event', 'critical', { stationId: 'T' }, {});
  assert.equal(limited.counters.emitted, 3);
  assert.equal(limited.counters.rateLimited, 8);
});

test('JSONL sink appends one alert per line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-alerts-'));
  try {
    const file = join(dir, 'alerts.jsonl');
    const s1 = new JsonlSink(file, 100, () => {});
    s1.push(alert('high'));
    await s1.close();
    const s2 = new JsonlSink(file, 100, () => {});
    s2.push(alert('critical', 'security-event'));
    s2.push(alert('low', 'maintenance'));
    await s2.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Alert);
    assert.deepEqual(lines.map((a) => a.category), ['flood', 'security-event', 'maintenance']);
    assert.deepEqual(Object.keys(lines[0]!).sort(), ['alertId', 'category', 'entity', 'evidence', 'severity', 'ts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function server(statuses: number[]): Promise<{ url: string; bodies: Alert[][]; close(): Promise<void> }> {
  const bodies: Alert[][] = [];
  const srv = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => { text += c; });
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) bodies.push(JSON.parse(text) as Alert[]);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/alerts`, bodies, close: () => new Promise((r) => srv.close(() => r())) };
}

test('webhook sink: batched POSTs of JSON arrays; a failed batch is retried', async () => {
  const srv = await server([500]);
  try {
    let now = 0;
    const errors: string[] = [];
    const s = new WebhookSink({ url: srv.url, cap: 100, batch: 3, flushMs: 1000, timeoutMs: 2000, seed: 1, now: () => now, onError: (m) => errors.push(m) });
    for (let i = 0; i < 5; i++) s.push(alert(i === 4 ? 'critical' : 'medium'));
    // A full batch goes out at once (and fails with 500); the rest waits for the back-off / flush.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(srv.bodies.length, 0);
    assert.equal(errors.length, 1);
    now += 2000;
    s.flush(now);
    await new Promise((r) => setTimeout(r, 100));
    now += 2000;
    s.flush(now);
    await new Promise((r) => setTimeout(r, 100));
    await s.close();
    const all = srv.bodies.flat();
    assert.equal(all.length, 5);
    assert.equal(all[0]!.severity, 'critical', 'criticals first');
    assert.ok(srv.bodies.every((b) => b.length <= 3));
    assert.equal(s.delivered, 5);
  } finally {
    await srv.close();
  }
});
