import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, systemClock } from '../../src/util/clock.js';
import { Timeline, type TimelineTarget } from '../../src/util/timeline.js';

class Recorder implements TimelineTarget {
  fired: [number, number][] = [];
  onTimer(kind: number, arg: number): void { this.fired.push([kind, arg]); }
}

test('fires due entries in time order, ties in scheduling order, nothing early', () => {
  const clock = new ManualClock(0);
  const tl = new Timeline(clock, false);
  const r = new Recorder();
  tl.at(30, r, 3);
  tl.at(10, r, 1);
  tl.at(20, r, 2, 0);
  tl.at(20, r, 2, 1);
  clock.advance(15);
  assert.equal(tl.runDue(), 1);
  clock.advance(100);
  tl.runDue();
  assert.deepEqual(r.fired, [[1, 0], [2, 0], [2, 1], [3, 0]]);
  assert.equal(tl.size, 0);
});

test('cancel by token; a cancelled entry never fires', () => {
  const clock = new ManualClock(0);
  const tl = new Timeline(clock, false);
  const r = new Recorder();
  const a = tl.after(10, r, 1);
  tl.after(10, r, 2);
  tl.cancel(a);
  clock.advance(10);
  tl.runDue();
  assert.deepEqual(r.fired, [[2, 0]]);
});

test('a throwing target does not stop the others', () => {
  const clock = new ManualClock(0);
  const tl = new Timeline(clock, false);
  const r = new Recorder();
  const warn = process.emitWarning;
  let warned = 0;
  process.emitWarning = (() => { warned++; }) as typeof process.emitWarning;
  try {
    tl.at(1, { onTimer() { throw new Error('boom'); } }, 0);
    tl.at(1, r, 7);
    clock.advance(1);
    tl.runDue();
  } finally {
    process.emitWarning = warn;
  }
  assert.deepEqual(r.fired, [[7, 0]]);
  assert.equal(warned, 1);
});

test('auto mode fires on time, never early (lateness bounded loosely: other tests share the CPU)', async () => {
  const tl = new Timeline(systemClock);
  const late: number[] = [];
  const due: number[] = [];
  const target: TimelineTarget = { onTimer(_k, i) { late.push(systemClock.nowMs() - due[i]!); } };
  const t0 = systemClock.nowMs();
  for (let i = 0; i < 60; i++) { due.push(t0 + 20 + i * 5); tl.at(due[i]!, target, 0, i); }
  await new Promise((r) => setTimeout(r, 450));
  tl.clear();
  assert.equal(late.length, 60);
  assert.ok(late.every((x) => x >= 0), `fired early: ${Math.min(...late)} ms`);
  late.sort((a, b) => a - b);
  // The median is what the setImmediate finish buys (sub-ms on an idle machine); p90 allows for CPU contention.
  assert.ok(late[Math.floor(late.length / 2)]! < 5, `median lateness ${late[Math.floor(late.length / 2)]} ms`);
  assert.ok(late[Math.floor(late.length * 0.9)]! < 50, `p90 lateness ${late[Math.floor(late.length * 0.9)]} ms`);
});
