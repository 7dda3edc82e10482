import { formatDuration } from '../util/duration.js';
import { fmtInt, fmtMs, fmtNum, fmtPercent, styler, table, type Cell, type Style } from './format.js';
import { perSecond, type ProgressSample } from './progress.js';
import type { CallStats, Summary } from './summary.js';
import type { ThresholdResult } from './thresholds.js';
import { isUseCaseCounter, useCasesSection } from './usecase-figures.js';

export interface ReportOptions {
  /** ANSI colours; pass `process.stdout.isTTY && !process.env.NO_COLOR`. Off by default. */
  color?: boolean;
  /** Threshold outcomes to list (k6's ✓/✗ block). */
  thresholds?: readonly ThresholdResult[];
}

type Paint = (text: string, ...styles: Style[]) => string;

/**
 * Counters the report shows in their own sections; every other counter is listed under "counters", except the
 * use cases' (USE CASES, see usecase-figures.ts).
 */
const SECTIONED = new Set(['tx_started', 'tx_ended', 'energy_wh', 'energy_export_wh', 'offline_queued', 'offline_delivered', 'offline_dropped']);

const r = (text: string, styles?: Style[]): Cell => (styles ? { text, align: 'right', styles } : { text, align: 'right' });
const l = (text: string, styles?: Style[]): Cell => (styles ? { text, styles } : { text });

function callRow(name: string, s: CallStats, nameStyles?: Style[]): Cell[] {
  const d = s.duration;
  const timed = d.count > 0;
  const t = (v: number | undefined): Cell => r(timed && v !== undefined ? fmtMs(v) : '-');
  return [
    l(name, nameStyles), r(fmtInt(s.count)), r(fmtNum(s.ratePerS)),
    t(d.med), t(d['p(90)']), t(d['p(99)']), t(d['p(99.9)']), t(d.max),
    r(s.service.count > 0 ? fmtMs(s.service['p(99)'] ?? 0) : '-'),
    r(s.failed > 0 ? `${fmtInt(s.failed)} (${fmtPercent(s.failedRate)})` : '0', s.failed > 0 ? ['red'] : undefined),
    r(fmtInt(s.rejected), s.rejected > 0 ? ['yellow'] : undefined),
  ];
}

function header(s: Summary, paint: Paint): string[] {
  const run = s.run;
  const items: [string, string][] = [];
  if (run.scenario !== null) items.push(['scenario', run.scenario]);
  if (run.target !== null) items.push(['target', run.target]);
  if (run.stations !== null) items.push(['stations', fmtInt(run.stations)]);
  items.push(['duration', formatDuration(run.durationMs)]);
  if (run.shards > 1) items.push(['processes', String(run.shards)]);
  return [
    `  ${paint('chargestorm', 'bold', 'cyan')}  ${paint('end-of-test summary', 'dim')}`,
    '',
    ...table(items.map(([k, v]) => [l(`${k}:`, ['dim']), l(v)]), paint, '    '),
  ];
}

function callsSection(s: Summary, paint: Paint): string[] {
  const head: Cell[] = ['action', 'count', 'calls/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'svc p99', 'failed', 'rejected']
    .map((h, i) => (i === 0 ? l(h, ['dim']) : r(h, ['dim'])));
  const rows = Object.entries(s.actions).map(([a, st]) => callRow(a, st));
  const all = callRow('all', s.calls, ['bold']);
  return [
    paint('  CALLS  station → CSMS', 'bold'),
    paint('  latency from the intended send time (coordinated-omission corrected); svc = from the actual send', 'dim'),
    ...table([head, ...rows, all], paint, '    '),
  ];
}

function kv(title: string, items: readonly [string, string, Style[]?][], paint: Paint, indent = '  '): string[] {
  if (items.length === 0) return [];
  return [paint(`${indent}${title}`, 'bold'), ...table(items.map(([k, v, st]) => [l(k), r(v, st)]), paint, `${indent}  `)];
}

function countsItems(counts: Readonly<Record<string, number>>, style: Style): [string, string, Style[]][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => [k, fmtInt(n), [style]]);
}

function connectSection(s: Summary, paint: Paint): string[] {
  const c = s.connect;
  if (c.attempts === 0) return [];
  const d = c.duration;
  const head = ['attempts', 'ok', 'failed', 'p50', 'p90', 'p99', 'max'].map((h) => r(h, ['dim']));
  const t = (v: number | undefined): Cell => r(d.count > 0 && v !== undefined ? fmtMs(v) : '-');
  const row = [r(fmtInt(c.attempts)), r(fmtInt(c.ok)), r(fmtInt(c.failed), c.failed > 0 ? ['red'] : undefined),
    t(d.med), t(d['p(90)']), t(d['p(99)']), t(d.max)];
  return [paint('  CONNECT', 'bold'), ...table([head, row], paint, '    '), ...kv('errors', countsItems(c.errors, 'red'), paint, '    ')];
}

function incomingSection(s: Summary, paint: Paint): string[] {
  const entries = Object.entries(s.incoming);
  if (entries.length === 0) return [];
  const head = ['action', 'count', 'ok', 'rejected', 'callerrors sent'].map((h, i) => (i === 0 ? l(h, ['dim']) : r(h, ['dim'])));
  const rows = entries.map(([a, i]) => {
    const errs = i.count - i.ok - i.rejected;
    return [l(a), r(fmtInt(i.count)), r(fmtInt(i.ok)), r(fmtInt(i.rejected)), r(fmtInt(errs), errs > 0 ? ['yellow'] : undefined)];
  });
  return [paint('  INCOMING  CSMS → station', 'bold'), ...table([head, ...rows], paint, '    ')];
}

function countersSections(s: Summary, paint: Paint): string[][] {
  const n = (name: string): number => s.counters[name]?.count ?? 0;
  const has = (...names: string[]): boolean => names.some((x) => s.counters[x] !== undefined);
  const out: string[][] = [];
  if (has('tx_started', 'tx_ended', 'energy_wh')) {
    out.push(kv('TRANSACTIONS', [
      ['started', fmtInt(n('tx_started'))],
      ['ended', fmtInt(n('tx_ended'))],
      ['energy delivered', `${fmtNum(n('energy_wh') / 1000, 3)} kWh`],
      // V2X: energy fed back to the grid (Energy.Active.Export.Register), shown once a run discharged at all.
      ...(has('energy_export_wh') ? [['energy exported (V2X)', `${fmtNum(n('energy_export_wh') / 1000, 3)} kWh`] as [string, string]] : []),
    ], paint));
  }
  if (has('offline_queued', 'offline_delivered', 'offline_dropped')) {
    out.push(kv('OFFLINE QUEUE', [
      ['queued', fmtInt(n('offline_queued'))],
      ['delivered', fmtInt(n('offline_delivered'))],
      ['dropped', fmtInt(n('offline_dropped')), n('offline_dropped') > 0 ? ['red'] : []],
    ], paint));
  }
  out.push(useCasesSection(s, paint));
  const others = Object.entries(s.counters).filter(([k]) => !SECTIONED.has(k) && !isUseCaseCounter(k));
  out.push(kv('COUNTERS', others.map(([k, c]) => [k, `${fmtNum(c.count, Number.isInteger(c.count) ? 0 : 3)}  ${fmtNum(c.rate, 2)}/s`]), paint));
  out.push(kv('GAUGES', Object.entries(s.gauges).map(([k, g]) => [k, `${fmtNum(g.value, Number.isInteger(g.value) ? 0 : 2)}  (max ${fmtNum(g.max, Number.isInteger(g.max) ? 0 : 2)})`]), paint));
  return out;
}

function thresholdsSection(results: readonly ThresholdResult[], paint: Paint): string[] {
  if (results.length === 0) return [];
  const rows = results.map((t) => {
    const mark = t.passed ? paint('✓', 'green') : paint('✗', 'red');
    const num = (x: number): string => fmtNum(x, Number.isInteger(x) ? 0 : 3);
    let seen = t.error ?? (t.observed === null ? '' : `observed ${num(t.observed)}`);
    if (t.abortedRun) seen += `; aborted the run at ${formatDuration(t.abortedRun.elapsedMs)} (observed ${num(t.abortedRun.observed)})`;
    return `    ${mark} ${t.metric}  ${t.expression}  ${paint(seen, t.passed ? 'dim' : 'red')}`.trimEnd();
  });
  return [paint('  THRESHOLDS', 'bold'), ...rows];
}

/**
 * The end-of-test report (k6-like): header, calls per action, connects, errors, transactions, queue, use cases,
 * counters.
 */
export function formatReport(summary: Summary, opts: ReportOptions = {}): string {
  const paint = styler(opts.color === true);
  const sections = [
    header(summary, paint),
    opts.thresholds ? thresholdsSection(opts.thresholds, paint) : [],
    summary.calls.count > 0 ? callsSection(summary, paint) : [paint('  no calls completed', 'dim')],
    kv('ERRORS  by kind', countsItems(summary.calls.errors, 'red'), paint),
    connectSection(summary, paint),
    incomingSection(summary, paint),
    ...countersSections(summary, paint),
  ].filter((lines) => lines.length > 0);
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

export interface ProgressOptions {
  /** Planned fleet size, shown as connected/total. */
  stations?: number;
  color?: boolean;
  /** Gauge holding connected stations. */
  connectedGauge?: string;
}

/** One live line: elapsed, stations connected, calls/s, p99 and errors of the last interval, plus totals. */
export function formatProgressLine(sample: ProgressSample, opts: ProgressOptions = {}): string {
  const paint = styler(opts.color === true);
  const p = sample.last;
  const connected = p?.gauges[opts.connectedGauge ?? 'stations_connected'];
  const stations = connected === undefined ? '-' : opts.stations !== undefined ? `${fmtInt(connected)}/${fmtInt(opts.stations)}` : fmtInt(connected);
  const rate = p ? fmtNum(perSecond(p.calls, p)) : '-';
  const p99 = p && p.calls > 0 && p.hdr !== '' ? fmtMs(p.p99Us / 1000) : '-';
  const errRate = p ? fmtNum(perSecond(p.errors, p)) : '0.0';
  const errors = `${fmtInt(sample.errors)} (${errRate}/s)`;
  // Whole seconds: a ticking millisecond count is noise on a line that refreshes once a second.
  const secs = Math.floor(sample.elapsedMs / 1000);
  return [
    paint((secs > 0 ? formatDuration(secs * 1000) : '0s').padStart(7), 'bold'),
    `stations ${stations}`,
    `calls ${fmtInt(sample.calls)}`,
    `${rate}/s`,
    `p99 ${p99}`,
    `errors ${sample.errors > 0 ? paint(errors, 'red') : errors}`,
  ].join('  ');
}
