import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoadgenMonitor, loadgenReport, type LoadgenStats } from '../../src/fleet/loadgen.js';

const gen = (pid: number, rss: number, cpu: number, lag: number): LoadgenStats => ({
  pid, stations: 500, rssKiBPeak: rss, rssKiBAtPeakStations: rss, cpuPercentAvg: cpu, cpuPercentMax: cpu, eventLoopDelayP99Ms: lag, eventLoopDelayMaxMs: lag,
});

test('kibPerStation counts the parent process\'s memory too; its CPU and lag do not judge the generator', () => {
  // The parent holds no stations, but its memory is part of what the run costs per station.
  const parent: LoadgenStats = { ...gen(1, 40_000, 99, 80), stations: 0, role: 'parent' };
  const r = loadgenReport([gen(2, 100_000, 30, 4), gen(3, 120_000, 35, 6), parent], 1000);
  assert.equal(r.kibPerStation, 260);
  assert.equal(r.processes.length, 3);
  assert.equal(r.bottleneck, false, r.verdict);
  assert.equal(r.maxEventLoopDelayP99Ms, 6);
  assert.equal(r.maxCpuPercent, 35);
  // A saturated generator is still reported.
  assert.equal(loadgenReport([gen(2, 100_000, 95, 4), parent], 500).bottleneck, true);
});

test('LoadgenMonitor: role parent is marked in its stats, a generator\'s is not', () => {
  const p = new LoadgenMonitor(() => 0, 'parent');
  p.start();
  const s = p.stop();
  assert.equal(s.role, 'parent');
  assert.equal(s.pid, process.pid);
  assert.ok(s.rssKiBAtPeakStations > 0);
  const g = new LoadgenMonitor(() => 0);
  g.start();
  assert.equal('role' in g.stop(), false);
});
