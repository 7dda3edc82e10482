import type { DetectionResult, TypeSummary } from './score.js';

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const secs = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);
const num = (x: number | null): string => (x === null ? '-' : String(Number(x.toFixed(2))));

/** The per-type table's columns: header, width, alignment. */
const COLUMNS: ReadonlyArray<readonly [string, number, 'l' | 'r']> = [
  ['type', 5, 'l'], ['inst', 5, 'r'], ['TP', 5, 'r'], ['FN', 5, 'r'], ['recall [Wilson 95%]', 23, 'l'], ['prec', 7, 'r'],
  ['latency p50/p95/max', 20, 'r'], ['conf', 7, 'r'], ['FP', 4, 'r'], ['FP/h', 7, 'r'],
];

function line(cells: readonly string[]): string {
  return cells.map((c, i) => {
    const [, width, align] = COLUMNS[i]!;
    return align === 'l' ? c.padEnd(width) : c.padStart(width);
  }).join(' ').trimEnd();
}

/** FP/h of one type: its unmatched alerts per hour of scored time (hours from the overall false-alarm figure). */
function perHour(fp: number, hours: number | null): string {
  if (hours === null || hours <= 0) return '-';
  const v = fp / hours;
  return v >= 100 ? String(Math.round(v)) : v.toFixed(v >= 10 ? 1 : 2);
}

function row(name: string, s: TypeSummary, hours: number | null): string {
  const ci = s.recallCi ? ` [${pct(s.recallCi.low)}, ${pct(s.recallCi.high)}]` : '';
  const l = s.latency;
  return line([
    name, String(s.instances), String(s.tp), String(s.fn), `${pct(s.recall)}${ci}`, pct(s.precision),
    l ? `${secs(l.p50)}/${secs(l.p95)}/${secs(l.max)}` : '-', s.conformance ? pct(s.conformance.rate) : '-',
    String(s.fp), perHour(s.fp, hours),
  ]);
}

/**
 * The human summary of a detection result (the JSON result is the full report): the per-type table of issue #5
 * — type, instances, TP, FN, recall with its Wilson 95% interval, alert precision, detection latency p50/p95/max,
 * reaction conformance, false positives naming the type and their rate per hour — then the totals, the missed
 * instances and the unmatched alerts.
 */
export function formatDetectionReport(r: DetectionResult, opts: { maxListed?: number } = {}): string {
  const maxListed = opts.maxListed ?? 20;
  const lines: string[] = [];
  const st = r.settings;
  const hours = r.falseAlarms.hours;
  lines.push(`detection scoring  δ=${st.deltaMs}ms  k=${st.fleetMinStations}  ${st.strict ? 'strict categories' : 'any category'}`);
  lines.push(`alerts ${r.alerts.total}: matched ${r.alerts.matched} (duplicates ${r.alerts.duplicates}), false positives ${r.alerts.falsePositives}, maintenance ${r.alerts.maintenance}, ignored ${r.alerts.ignored}`);
  lines.push('');
  lines.push(line(COLUMNS.map(([h]) => h)));
  for (const [type, s] of Object.entries(r.byType)) lines.push(row(type, s, hours));
  lines.push(row('all', r.overall, hours));
  lines.push('');
  lines.push(`macro recall ${pct(r.overall.macroRecall)}  composite F ${pct(r.overall.f)}  duplicates ${r.overall.duplicates}${r.nab?.normalized != null ? `  NAB ${r.nab.normalized}` : ''}`);
  const fa = r.falseAlarms;
  lines.push(`false alarms ${fa.count}: ${num(fa.perHour)}/h, ${num(fa.per1kStationHours)} per 1,000 station-hours`);
  const missed = r.instances.filter((v) => !v.detected);
  if (missed.length > 0) {
    lines.push('', `missed (${missed.length}):`);
    for (const v of missed.slice(0, maxListed)) lines.push(`  ${v.id} ${v.type} ${new Date(v.tStartMs).toISOString()}`);
    if (missed.length > maxListed) lines.push(`  … ${missed.length - maxListed} more`);
  }
  if (r.falsePositives.length > 0) {
    lines.push('', `unmatched alerts (${r.falsePositives.length}):`);
    for (const a of r.falsePositives.slice(0, maxListed)) {
      const e = a.entity;
      const who = e.stationId ?? e.idToken ?? e.idTokenHash ?? e.ip ?? 'fleet';
      lines.push(`  ${a.alertId} ${new Date(a.ts).toISOString()} ${a.category} ${who}${a.evidence !== undefined ? ` ${JSON.stringify(a.evidence).slice(0, 120)}` : ''}`);
    }
    if (r.falsePositives.length > maxListed) lines.push(`  … ${r.falsePositives.length - maxListed} more`);
  }
  return lines.join('\n');
}
