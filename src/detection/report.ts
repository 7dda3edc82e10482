import type { DetectionResult, TypeSummary } from './score.js';

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const secs = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);
const num = (x: number | null): string => (x === null ? '-' : String(x));

function row(name: string, s: TypeSummary): string {
  const ci = s.recallCi ? `[${pct(s.recallCi.low)}, ${pct(s.recallCi.high)}]` : '';
  const l = s.latency;
  const conf = s.conformance ? pct(s.conformance.rate) : '-';
  return [
    name.padEnd(8), String(s.instances).padStart(4), String(s.tp).padStart(4), String(s.fn).padStart(4),
    String(s.fp).padStart(5), String(s.duplicates).padStart(5), `${pct(s.recall)} ${ci}`.padEnd(26),
    pct(s.precision).padStart(7), pct(s.f).padStart(7),
    `${secs(l?.p50)}/${secs(l?.p95)}/${secs(l?.max)}`.padStart(20), conf.padStart(7),
  ].join(' ');
}

/** The human summary of a detection result (the JSON result is the full report). */
export function formatDetectionReport(r: DetectionResult, opts: { maxListed?: number } = {}): string {
  const maxListed = opts.maxListed ?? 20;
  const lines: string[] = [];
  const st = r.settings;
  lines.push(`detection scoring  δ=${st.deltaMs}ms  k=${st.fleetMinStations}  ${st.strict ? 'strict categories' : 'any category'}`);
  lines.push(`alerts ${r.alerts.total}: matched ${r.alerts.matched} (duplicates ${r.alerts.duplicates}), false positives ${r.alerts.falsePositives}, maintenance ${r.alerts.maintenance}, ignored ${r.alerts.ignored}`);
  lines.push('');
  lines.push(`${'type'.padEnd(8)} ${'inst'.padStart(4)} ${'TP'.padStart(4)} ${'FN'.padStart(4)} ${'FP'.padStart(5)} ${'dup'.padStart(5)} ${'recall [Wilson 95%]'.padEnd(26)} ${'prec'.padStart(7)} ${'F'.padStart(7)} ${'latency p50/p95/max'.padStart(20)} ${'conf'.padStart(7)}`);
  for (const [type, s] of Object.entries(r.byType)) lines.push(row(type, s));
  lines.push(row('all', r.overall));
  lines.push('');
  lines.push(`macro recall ${pct(r.overall.macroRecall)}  composite F ${pct(r.overall.f)}${r.nab?.normalized != null ? `  NAB ${r.nab.normalized}` : ''}`);
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
