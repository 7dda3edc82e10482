// Pure: what each measurement runs (counts, durations, processes) and how its results become table rows.
import type { MeasurementName } from './args.js';
import { connectRate, kibPerStation, peakConnected, steadyCallRate, type CeilingResult, type SummaryLike } from './figures.js';
import { formatNumber, row, type Row, type Target } from './table.js';

/** Sockets per process on either side: below the 20,000 open files a process may hold. */
export const STATIONS_PER_PROCESS = 15_000;

export interface CeilingArgs { conns: number; seconds: number; procs: number; serverProcs: number }

export interface Plan {
  name: MeasurementName;
  quick: boolean;
  stations: number;
  /** Scenario file, relative to the repository root. */
  scenario: string;
  /** `--duration` for the run (phases scaled), in quick mode. */
  duration?: string;
  /** Generator processes (`--procs`); undefined = the run's own default. */
  procs?: number;
  /** Embedded CSMS worker processes (`chargestorm csms --workers`). */
  csmsWorkers: number;
  /** Start the CSMS with `--scenario` (its `csms:` section: heartbeat interval). */
  csmsFromScenario: boolean;
  /** `--heartbeat` for the CSMS (overrides the scenario's), so a short quick hold still sees heartbeats. */
  csmsHeartbeat?: number;
  ceiling: CeilingArgs;
  /** Hard limits on each program's run (ms). */
  runTimeoutMs: number;
  ceilingTimeoutMs: number;
}

const processesFor = (n: number): number => Math.max(1, Math.ceil(n / STATIONS_PER_PROCESS));

/** The plan of one measurement, full or quick. */
export function planFor(name: MeasurementName, quick: boolean): Plan {
  const base = { name, quick, scenario: `bench/scenarios/${name}.yaml`, csmsFromScenario: false };
  const ceiling = (conns: number, seconds: number): CeilingArgs => {
    const p = processesFor(conns);
    return { conns, seconds, procs: p, serverProcs: p };
  };
  const ceilingTimeout = (c: CeilingArgs): number => 60_000 + c.seconds * 1000 + c.conns * 4;
  switch (name) {
    case 'calls-1k':
    case 'calls-10k': {
      const stations = name === 'calls-1k' ? 1000 : quick ? 2000 : 10_000;
      const c = ceiling(stations, quick ? 3 : 10);
      return {
        ...base, stations, ...(quick ? { duration: '12s' } : {}), csmsWorkers: 1, ceiling: c,
        runTimeoutMs: 120_000, ceilingTimeoutMs: ceilingTimeout(c),
      };
    }
    case 'connect-rate': {
      const stations = quick ? 5000 : 10_000;
      const c = ceiling(stations, 1);
      return { ...base, stations, csmsWorkers: 1, ceiling: c, runTimeoutMs: 90_000, ceilingTimeoutMs: ceilingTimeout(c) };
    }
    case 'hold-100k': {
      const stations = quick ? 5000 : 100_000;
      const p = processesFor(stations);
      const c = ceiling(stations, quick ? 3 : 5);
      return {
        ...base, stations, ...(quick ? { duration: '20s', csmsHeartbeat: 5 } : {}), procs: p, csmsWorkers: p, csmsFromScenario: true, ceiling: c,
        runTimeoutMs: quick ? 120_000 : 480_000, ceilingTimeoutMs: ceilingTimeout(c),
      };
    }
  }
}

/** The command lines of a plan (arguments after `node`), for the log and the JSON. */
export function ceilingArgv(script: string, c: CeilingArgs): string[] {
  return [script, '--conns', String(c.conns), '--seconds', String(c.seconds), '--procs', String(c.procs), '--server-procs', String(c.serverProcs)];
}

export function csmsArgv(p: Plan): string[] {
  // Not quiet: its once-a-second stats line tells the bench how many stations the CSMS itself saw connected.
  return ['bin/chargestorm.js', 'csms', '--port', '0', '--stats-every', '1',
    ...(p.csmsWorkers > 1 ? ['--workers', String(p.csmsWorkers)] : []),
    ...(p.csmsFromScenario ? ['--scenario', p.scenario] : []),
    ...(p.csmsHeartbeat !== undefined ? ['--heartbeat', String(p.csmsHeartbeat)] : [])];
}

export function runArgv(p: Plan, target: string, summaryFile: string): string[] {
  return ['bin/chargestorm.js', 'run', p.scenario, '--quiet', '--no-color', '--target', target, '--summary-export', summaryFile,
    '--stations', String(p.stations), ...(p.duration ? ['--duration', p.duration] : []),
    ...(p.procs !== undefined ? ['--procs', String(p.procs)] : [])];
}

/** What the chargestorm side produced: its summary and the /proc samples of both process groups. */
export interface ChargestormOutcome {
  summary: SummaryLike;
  /** Peak RSS (KiB) and CPU seconds of the generator process group (the run and its children). */
  generator: { rssKiB: number; cpuS: number; sysS?: number; processes: number };
  csms: { rssKiB: number; cpuS: number; sysS?: number; processes: number };
  /** Most stations connected at once as the CSMS counted them (its stats lines), if it printed any. */
  csmsPeakConnected: number | null;
  wallS: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

const LIMIT_TARGETS = {
  callsRatio: { kind: 'ratio-at-least', value: 0.7 } as Target,
  connectPerS: { kind: 'at-least', value: 5000, unit: '' } as Target,
  kibPerStation: { kind: 'at-most', value: 40, unit: '' } as Target,
};

/** The table rows of one measurement from whatever each side produced (a failed side gives n/a and a note). */
export function rowsFor(p: Plan, cs: Outcome<ChargestormOutcome>, ceil: Outcome<CeilingResult>): Row[] {
  const n = formatNumber(p.stations);
  const q = p.quick ? ' (quick)' : '';
  const c = ceil.ok ? ceil.value : null;
  const fail = (side: string, o: Outcome<unknown>): string[] => (o.ok ? [] : [`${side}: ${o.error}`]);
  const notes = [...fail('chargestorm', cs), ...fail('ceiling', ceil)];
  const note = (extra: string[] = []): { note?: string } => {
    const all = [...extra, ...notes];
    return all.length > 0 ? { note: all.join('; ') } : {};
  };
  const s = cs.ok ? cs.value.summary : null;
  switch (p.name) {
    case 'calls-1k':
    case 'calls-10k': {
      const r = s ? steadyCallRate(s) : null;
      const extra = s && !r ? ['the run never held its whole fleet connected'] : [];
      return [row({
        measurement: p.name, label: `calls/s @ ${n} stations${q}`, unit: '',
        chargestorm: r ? r.perS : null, ceiling: c ? c.roundTripsPerS : null, target: LIMIT_TARGETS.callsRatio, ...note(extra),
      })];
    }
    case 'connect-rate': {
      const r = s ? connectRate(s) : null;
      const extra = r?.lowerBound ? ['the ramp took under 3 s, so the figure is a lower bound'] : s && !r ? ['no station connected'] : [];
      return [row({
        measurement: p.name, label: `connects/s, ramp of ${n}${q}`, unit: '',
        chargestorm: r ? r.perS : null, ceiling: c ? c.connectPerS : null, target: LIMIT_TARGETS.connectPerS, ...note(extra),
      })];
    }
    case 'hold-100k': {
      // The CSMS's own count is the ground truth of what was held; the generator's is the fallback.
      const peak = cs.ok && cs.value.csmsPeakConnected !== null ? cs.value.csmsPeakConnected : s ? peakConnected(s) : null;
      const fromProc = cs.ok && peak ? kibPerStation(cs.value.generator.rssKiB, peak) : null;
      const kib = fromProc ?? s?.loadgen?.kibPerStation ?? null;
      return [
        row({
          measurement: p.name, label: `stations held connected${q}`, unit: '',
          chargestorm: peak, ceiling: c ? c.conns : null, target: { kind: 'at-least', value: p.stations, unit: '' }, ...note(),
        }),
        row({
          measurement: p.name, label: `client KiB per station @ ${n}${q}`, unit: '',
          chargestorm: kib, ceiling: c ? c.clientKiBPerConn : null, target: LIMIT_TARGETS.kibPerStation, ...note(),
        }),
      ];
    }
  }
}
