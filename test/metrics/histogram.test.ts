import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HIGHEST_US, LatencyHistogram } from '../../src/metrics/histogram.js';

/** Deterministic pseudo-random latencies spanning µs to seconds (xorshift; no Math.random in tests). */
function stream(seed: number, n: number): number[] {
  let x = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out.push(Math.floor(Math.exp((x / 0xffffffff) * 15)));
  }
  return out;
}

test('records integers, exact count/sum/min/max/mean', () => {
  const h = new LatencyHistogram();
  for (const v of [100, 200, 300, 400]) h.record(v);
  assert.equal(h.count, 4);
  assert.equal(h.sumUs, 1000);
  assert.equal(h.minUs, 100);
  assert.equal(h.maxUs, 400);
  assert.equal(h.meanUs, 250);
  assert.equal(h.percentile(50), 200);
  assert.equal(h.percentile(100), 400);
});

test('values below 2048 µs are exact; larger ones within 0.1%', () => {
  const h = new LatencyHistogram();
  for (let v = 1; v <= 1000; v++) h.record(v);
  assert.equal(h.percentile(99), 990);
  const big = new LatencyHistogram();
  big.record(1_234_567);
  const p = big.percentile(50);
  assert.ok(Math.abs(p - 1_234_567) / 1_234_567 <= 0.001);
});

test('clamps out-of-range and broken samples instead of throwing', () => {
  const h = new LatencyHistogram();
  h.record(-5);
  h.record(Number.NaN);
  h.record(HIGHEST_US * 10);
  h.record(12.6);
  assert.equal(h.count, 4);
  assert.equal(h.minUs, 0);
  assert.equal(h.maxUs, HIGHEST_US);
  assert.equal(h.sumUs, HIGHEST_US + 13);
});

test('empty histogram reads as zeros and round-trips', () => {
  const h = new LatencyHistogram();
  assert.equal(h.percentile(99), 0);
  assert.equal(h.minUs, 0);
  assert.equal(h.meanUs, 0);
  const back = LatencyHistogram.fromData(h.toData());
  assert.equal(back.count, 0);
  assert.equal(LatencyHistogram.decode(h.encode()).count, 0);
});

test('encode/decode keeps every bucket; fromData restores exact sum/min/max', () => {
  const h = new LatencyHistogram();
  for (const v of stream(7, 20_000)) h.record(v);
  const decoded = LatencyHistogram.decode(h.encode());
  assert.equal(decoded.count, h.count);
  for (const p of [0.1, 1, 25, 50, 90, 99, 99.9, 99.99]) assert.equal(decoded.percentile(p), h.percentile(p), `p${p}`);
  const restored = LatencyHistogram.fromData(h.toData());
  assert.equal(restored.sumUs, h.sumUs);
  assert.equal(restored.minUs, h.minUs);
  assert.equal(restored.maxUs, h.maxUs);
  assert.equal(restored.encode(), h.encode());
});

test('fromData rejects a count that does not match the encoded histogram', () => {
  const h = new LatencyHistogram();
  h.record(5);
  assert.throws(() => LatencyHistogram.fromData({ ...h.toData(), count: 2 }), /inconsistent/);
});

test('add is exact: merged equals one histogram fed both streams', () => {
  const a = stream(1, 10_000);
  const b = stream(2, 7_000);
  const ha = new LatencyHistogram();
  const hb = new LatencyHistogram();
  const both = new LatencyHistogram();
  for (const v of a) { ha.record(v); both.record(v); }
  for (const v of b) { hb.record(v); both.record(v); }
  // Merge through the wire format, as shards do.
  const merged = LatencyHistogram.fromData(ha.toData());
  merged.add(LatencyHistogram.fromData(hb.toData()));
  assert.equal(merged.count, ha.count + hb.count);
  assert.equal(merged.sumUs, both.sumUs);
  assert.equal(merged.minUs, both.minUs);
  assert.equal(merged.maxUs, both.maxUs);
  for (const p of [1, 50, 90, 99, 99.9, 100]) assert.equal(merged.percentile(p), both.percentile(p), `p${p}`);
  assert.equal(merged.encode(), both.encode());
});

test('reset empties the histogram', () => {
  const h = new LatencyHistogram(2);
  h.record(1000);
  h.reset();
  assert.equal(h.count, 0);
  assert.equal(h.maxUs, 0);
  h.record(3);
  assert.equal(h.minUs, 3);
});
