// Pure extraction of the bench figures from the two programs' outputs: the ceiling's one JSON line and
// chargestorm's `--summary-export` JSON (src/metrics/SUMMARY.md). No I/O here, so test/bench covers it.

/** What `../shared/bench/ws-ceiling.mjs` prints (one JSON line). */
export interface CeilingResult {
  conns: number;
  procs: number;
  serverProcs: number;
  connectPerS: number;
  roundTripsPerS: number;
  p50us: number;
  p99us: number;
  clientKiBPerConn: number;
}

const CEILING_KEYS = ['conns', 'connectPerS', 'roundTripsPerS', 'p50us', 'p99us', 'clientKiBPerConn'] as const;

/** Finds the ceiling's JSON line in its stdout (the last line that parses as one); throws if there is none. */
export function parseCeiling(stdout: string): CeilingResult {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    let v: unknown;
    try { v = JSON.parse(lines[i]!); } catch { continue; }
    if (v === null || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    if (CEILING_KEYS.every((k) => typeof o[k] === 'number')) {
      return {
        conns: o.conns as number, procs: num(o.procs, 1), serverProcs: num(o.serverProcs, 1),
        connectPerS: o.connectPerS as number, roundTripsPerS: o.roundTripsPerS as number,
        p50us: o.p50us as number, p99us: o.p99us as number, clientKiBPerConn: o.clientKiBPerConn as number,
      };
    }
  }
  throw new Error(`no result line in the ceiling's output: ${JSON.stringify(stdout.slice(-300))}`);
}

const num = (v: unknown, dflt: number): number => (typeof v === 'number' ? v : dflt);

/** The parts of a chargestorm summary the bench reads (anything else is ignored). */
export interface SummaryLike {
  run?: { durationMs?: number; stations?: number | null };
  calls?: { count?: number; failed?: number };
  connect?: { attempts?: number; ok?: number; failed?: number };
  gauges?: Record<string, { value?: number; max?: number }>;
  series?: { points?: readonly PointLike[] };
  loadgen?: { kibPerStation?: number; processes?: readonly { rssKiBAtPeakStations?: number }[] };
  execution?: { processes?: number; peakConnected?: number };
}

export interface PointLike { t?: number; ms: number; calls: number; errors?: number; gauges?: Record<string, number> }

const CONNECTED = 'stations_connected';

const connectedAt = (p: PointLike): number => p.gauges?.[CONNECTED] ?? 0;

/** Most stations connected at once: the gauge's maximum, else the run's peak, else the series. */
export function peakConnected(s: SummaryLike): number {
  const g = s.gauges?.[CONNECTED]?.max;
  if (typeof g === 'number') return g;
  if (typeof s.execution?.peakConnected === 'number') return s.execution.peakConnected;
  return Math.max(0, ...(s.series?.points ?? []).map(connectedAt));
}

export interface SteadyRate {
  /** Answered calls (completed minus failed) per second over the steady window. */
  perS: number;
  /** Seconds in the window, and how many per-second points it spans. */
  seconds: number;
  points: number;
  failed: number;
}

/**
 * Calls per second in the steady state: the per-second points where (nearly) the whole peak fleet is connected,
 * minus the first such second (boots and the executor warming up) and the last (the ramp-down starts inside it).
 * Failed calls do not count as throughput. Null when the run never held a steady fleet.
 */
export function steadyCallRate(s: SummaryLike, settleSeconds = 1): SteadyRate | null {
  const points = s.series?.points ?? [];
  const peak = peakConnected(s);
  if (peak <= 0) return null;
  const full: number[] = [];
  points.forEach((p, i) => { if (connectedAt(p) >= peak * 0.99 && p.ms > 0) full.push(i); });
  // Longest run of consecutive full points: the hold phase.
  let best: number[] = [];
  let cur: number[] = [];
  for (const i of full) {
    if (cur.length > 0 && i !== cur[cur.length - 1]! + 1) cur = [];
    cur.push(i);
    if (cur.length > best.length) best = [...cur];
  }
  let window = best.length > settleSeconds + 1 ? best.slice(settleSeconds, -1) : best.length > 1 ? best.slice(1) : best;
  // A workload with a startTime begins inside the hold: leave out the quiet seconds before the loop runs.
  const top = Math.max(0, ...window.map((i) => points[i]!.calls));
  const firstBusy = window.findIndex((i) => points[i]!.calls >= top / 2);
  if (firstBusy > 0) window = window.slice(firstBusy + (window.length - firstBusy > settleSeconds + 1 ? settleSeconds : 0));
  if (window.length === 0) return null;
  let calls = 0, failed = 0, ms = 0;
  for (const i of window) {
    const p = points[i]!;
    calls += p.calls;
    failed += p.errors ?? 0;
    ms += p.ms;
  }
  return { perS: ((calls - failed) * 1000) / ms, seconds: ms / 1000, points: window.length, failed };
}

export interface ConnectRate {
  perS: number;
  /** True when the ramp was too short to contain one whole second: the figure is then a lower bound. */
  lowerBound: boolean;
  connected: number;
}

/**
 * Stations connected per second during the ramp: the largest per-second rise of the connected gauge. A ramp that
 * spans at least three per-second points has a whole second inside it, which shows the sustained rate; a shorter
 * one gives a lower bound (also at least the whole ramp over the seconds it touched).
 */
export function connectRate(s: SummaryLike): ConnectRate | null {
  const points = s.series?.points ?? [];
  // The series' own peak: the gauge's maximum may fall between two per-second points.
  const peak = Math.max(0, ...points.map(connectedAt));
  if (peak <= 0) return null;
  let prev = 0;
  let first = -1, last = -1, best = 0;
  points.forEach((p, i) => {
    const g = connectedAt(p);
    const rise = g - prev;
    if (rise > 0 && p.ms > 0) {
      if (first < 0) first = i;
      best = Math.max(best, (rise * 1000) / p.ms);
    }
    if (last < 0 && g >= peak) last = i;
    prev = g;
  });
  if (first < 0 || last < 0) return null;
  const span = last - first + 1;
  const lowerBound = span < 3;
  const spanMs = points.slice(first, last + 1).reduce((n, p) => n + p.ms, 0);
  const perS = lowerBound ? Math.max(best, (peak * 1000) / spanMs) : best;
  return { perS, lowerBound, connected: peak };
}

/** Resident memory per connected station (KiB), from the RSS sum of every generator process at the peak. */
export function kibPerStation(rssKiB: number, connected: number): number | null {
  return connected > 0 && rssKiB > 0 ? rssKiB / connected : null;
}

/** Largest `connected` in the embedded CSMS's stats lines (`[csms] {"connected":N,...}`) on its stderr; null if none. */
export function csmsPeakConnected(stderr: string): number | null {
  let peak: number | null = null;
  for (const m of stderr.matchAll(/^\[csms\] (\{"connected":.*\})$/gm)) {
    try {
      const v = (JSON.parse(m[1]!) as { connected?: unknown }).connected;
      if (typeof v === 'number') peak = Math.max(peak ?? 0, v);
    } catch { /* a torn line */ }
  }
  return peak;
}

/** TCP sockets in TIME_WAIT, from /proc/net/sockstat (`TCP: inuse 5 orphan 0 tw 35839 ...`); null if absent. */
export function timeWaitCount(sockstat: string): number | null {
  const m = /^TCP:.*\btw (\d+)/m.exec(sockstat);
  return m ? Number(m[1]) : null;
}
