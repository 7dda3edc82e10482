import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How hard one generator process worked: if it was saturated, the latencies it measured are its own. */
export interface LoadgenStats {
  pid: number;
  stations: number;
  /** Resident set size, peak over the run (KiB). */
  rssKiBPeak: number;
  /** Resident set size while the most stations were connected (KiB), the basis of KiB per station. */
  rssKiBAtPeakStations: number;
  /** CPU time over wall time, one core = 100. */
  cpuPercentAvg: number;
  cpuPercentMax: number;
  /** Event-loop delay (ms): how late timers and I/O callbacks ran. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /**
   * `parent`: the process that started the generator processes of a multi-process run. It holds no stations;
   * its memory counts in KiB per station, its CPU and event-loop delay do not judge the generator (absent: a
   * generator process).
   */
  role?: 'parent';
}

/**
 * Watches the generator itself once a second (CPU, RSS, event-loop delay). A generator whose event loop lags
 * sends late and reads late; the report says so plainly instead of blaming the CSMS.
 */
export class LoadgenMonitor {
  private readonly eld: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | null = null;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private cpuSum = 0;
  private cpuMax = 0;
  private samples = 0;
  private rssPeak = 0;
  private rssAtPeakStations = 0;
  private peakStations = 0;
  /** Worst event-loop p99 of any one second (ms). */
  private lagP99 = 0;
  private lagMax = 0;
  stations = 0;

  constructor(private readonly connected: () => number, private readonly role?: 'parent') {}

  start(): void {
    this.eld.enable();
    this.lastCpu = process.cpuUsage();
    this.lastAt = performance.now();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** The last second's figures, for live checks such as --max-loadgen-lag. */
  lastLagP99Ms = 0;

  private sample(): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const pct = ((cpu.user + cpu.system) / 1000 / (now - this.lastAt)) * 100;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    this.cpuSum += pct;
    this.cpuMax = Math.max(this.cpuMax, pct);
    this.samples++;
    const rss = process.memoryUsage.rss() / 1024;
    this.rssPeak = Math.max(this.rssPeak, rss);
    const c = this.connected();
    if (c >= this.peakStations) { this.peakStations = c; this.rssAtPeakStations = rss; }
    this.lastLagP99Ms = this.eld.percentile(99) / 1e6;
    this.lagP99 = Math.max(this.lagP99, this.lastLagP99Ms);
    this.lagMax = Math.max(this.lagMax, this.eld.max / 1e6);
    this.eld.reset();
  }

  stop(): LoadgenStats {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    this.eld.disable();
    const r = (x: number): number => Math.round(x * 10) / 10;
    return {
      pid: process.pid,
      stations: this.stations,
      rssKiBPeak: Math.round(this.rssPeak),
      rssKiBAtPeakStations: Math.round(this.rssAtPeakStations),
      cpuPercentAvg: r(this.samples ? this.cpuSum / this.samples : 0),
      cpuPercentMax: r(this.cpuMax),
      eventLoopDelayP99Ms: r(this.lagP99),
      eventLoopDelayMaxMs: r(this.lagMax),
      ...(this.role ? { role: this.role } : {}),
    };
  }
}

/** The generator's verdict over all its processes. */
export interface LoadgenReport {
  processes: LoadgenStats[];
  /** Sum over processes (the parent's included) of RSS at peak connected, per peak connected station (KiB). */
  kibPerStation: number;
  maxEventLoopDelayP99Ms: number;
  maxCpuPercent: number;
  /** True when a generator process was saturated (CPU ≥ 90% of a core or event-loop p99 ≥ 50 ms). */
  bottleneck: boolean;
  verdict: string;
}

export function loadgenReport(stats: readonly LoadgenStats[], peakConnected: number): LoadgenReport {
  const rss = stats.reduce((n, s) => n + s.rssKiBAtPeakStations, 0);
  // The parent's load (its IPC, progress, an embedded CSMS beside it) does not delay the generators' timings.
  const generators = stats.filter((s) => s.role !== 'parent');
  const lag = Math.max(0, ...generators.map((s) => s.eventLoopDelayP99Ms));
  const cpu = Math.max(0, ...generators.map((s) => s.cpuPercentMax));
  const avgCpu = Math.max(0, ...generators.map((s) => s.cpuPercentAvg));
  const bottleneck = avgCpu >= 90 || lag >= 50;
  const verdict = bottleneck
    ? `the load generator was the bottleneck (event-loop delay p99 ${lag} ms, CPU up to ${cpu}% of a core): `
      + 'latencies include its own delay — use more processes (--procs) or fewer stations per machine'
    : `the load generator kept up (event-loop delay p99 ${lag} ms, CPU up to ${cpu}% of a core)`;
  return {
    processes: [...stats],
    kibPerStation: peakConnected > 0 ? Math.round((rss / peakConnected) * 10) / 10 : 0,
    maxEventLoopDelayP99Ms: lag,
    maxCpuPercent: cpu,
    bottleneck,
    verdict,
  };
}
