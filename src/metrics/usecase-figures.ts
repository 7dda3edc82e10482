import { fmtInt, fmtNum, table, type Cell, type Style } from './format.js';
import type { Summary } from './summary.js';

/** How a figure's counter is shown. */
type Unit = 'count' | 'kWh' | 'amount';

/** One row of the USE CASES section: a counter (or, ending in `*`, every counter with that prefix) and its label. */
interface Figure {
  counter: string;
  /** For a prefix, the label of each counter, given the rest of its name (`good` of `pnc_chain_status_good`). */
  label: string | ((rest: string) => string);
  unit?: Unit;
  /** Shown in this style when not zero (a refusal, a skipped step). */
  alert?: Style;
  /** A figure every charging run has: shown beside the use cases' figures, never the reason for the section. */
  context?: true;
}

interface FigureGroup {
  name: string;
  figures: readonly Figure[];
}

/**
 * The report's use-case figures (issue #4), by use case: data, so a producer's new counter needs a row here and
 * nothing else. A row shows only when its counter exists in the summary; the section only when one of them does
 * (the energy imported alone is in TRANSACTIONS already). Counters listed here stay out of the generic COUNTERS.
 */
export const USE_CASE_FIGURES: readonly FigureGroup[] = Object.freeze([
  { name: 'energy', figures: [
    { counter: 'energy_wh', label: 'imported', unit: 'kWh', context: true },
    { counter: 'energy_export_wh', label: 'exported', unit: 'kWh' },
  ] },
  { name: 'V2X', figures: [
    { counter: 'v2x_discharge_sessions', label: 'discharge sessions' },
    { counter: 'v2x_mode_changes', label: 'operation mode changes' },
    { counter: 'afrr_signals', label: 'aFRR signals' },
  ] },
  { name: 'Plug & Charge', figures: [
    { counter: 'pnc_contracts_installed', label: 'contract certificates installed' },
    { counter: 'certificates_signed', label: 'certificates signed' },
    { counter: 'certificates_rejected', label: 'certificates rejected', alert: 'yellow' },
    { counter: 'pnc_chain_status_*', label: (status) => `chain status ${status}` },
  ] },
  { name: 'DER', figures: [
    { counter: 'der_controls_set', label: 'controls set' },
    { counter: 'der_alarms', label: 'alarms' },
    { counter: 'der_start_stop', label: 'start/stop events' },
  ] },
  { name: 'battery swap', figures: [
    { counter: 'battery_swaps', label: 'swaps' },
    { counter: 'battery_swap_requests', label: 'swap requests' },
    { counter: 'battery_swaps_refused', label: 'swap requests refused', alert: 'yellow' },
    { counter: 'battery_swaps_aborted', label: 'swaps aborted', alert: 'yellow' },
    { counter: 'battery_swap_timeouts', label: 'batteries not taken (BatteryOutTimeout)', alert: 'yellow' },
  ] },
  { name: 'tariffs', figures: [
    { counter: 'tariffs_applied', label: 'tariffs applied' },
    { counter: 'tariffs_rejected', label: 'tariffs rejected', alert: 'yellow' },
    { counter: 'tariff_changes', label: 'tariff changes (running transactions)' },
    { counter: 'cost_sessions', label: 'sessions priced locally' },
    { counter: 'cost_total', label: 'cost total (incl. tax)', unit: 'amount' },
    { counter: 'cost_limit_reached', label: 'cost limits reached' },
    { counter: 'card_payments', label: 'card payments' },
    { counter: 'settlements', label: 'settlements' },
    { counter: 'web_payments', label: 'web payments' },
    { counter: 'vat_validations', label: 'VAT number validations' },
  ] },
  { name: 'periodic streams', figures: [
    { counter: 'periodic_streams_opened', label: 'streams opened' },
    { counter: 'periodic_streams_rejected', label: 'streams rejected', alert: 'yellow' },
    { counter: 'periodic_streams_adjusted', label: 'streams adjusted' },
    { counter: 'periodic_streams_closed', label: 'streams closed' },
    { counter: 'periodic_stream_messages', label: 'messages (SEND)' },
    { counter: 'monitor_events', label: 'monitor events (NotifyEvent)' },
  ] },
  { name: 'OCPP 2.0.1', figures: [
    { counter: 'usecase_skipped_201', label: '2.1-only steps skipped', alert: 'yellow' },
  ] },
] satisfies FigureGroup[]);

/** True when the USE CASES section shows this counter (so COUNTERS does not repeat it). */
export function isUseCaseCounter(name: string): boolean {
  return USE_CASE_FIGURES.some((g) => g.figures.some((f) => matches(f, name)));
}

function matches(f: Figure, name: string): boolean {
  return f.counter.endsWith('*') ? name.startsWith(f.counter.slice(0, -1)) && name.length > f.counter.length - 1 : name === f.counter;
}

function value(n: number, unit: Unit | undefined): string {
  if (unit === 'kWh') return `${fmtNum(n / 1000, 3)} kWh`;
  if (unit === 'amount') return fmtNum(n, 2);
  return Number.isInteger(n) ? fmtInt(n) : fmtNum(n, 3);
}

/** The rows of one figure: one, or one per counter of a prefix (in name order); none when absent. */
function rows(f: Figure, counters: Summary['counters']): { label: string; n: number }[] {
  if (!f.counter.endsWith('*')) {
    const c = counters[f.counter];
    return c === undefined ? [] : [{ label: f.label as string, n: c.count }];
  }
  const prefix = f.counter.slice(0, -1);
  return Object.keys(counters).filter((k) => matches(f, k)).sort()
    .map((k) => ({ label: typeof f.label === 'function' ? f.label(k.slice(prefix.length)) : f.label, n: counters[k]!.count }));
}

/** The USE CASES section: use case, figure, value; empty when the run touched no use case. */
export function useCasesSection(s: Summary, paint: (text: string, ...styles: Style[]) => string): string[] {
  const out: Cell[][] = [];
  let any = false;
  for (const g of USE_CASE_FIGURES) {
    let first = true;
    for (const f of g.figures) {
      for (const { label, n } of rows(f, s.counters)) {
        if (f.context !== true) any = true;
        const alert = f.alert !== undefined && n !== 0 ? [f.alert] : undefined;
        out.push([{ text: first ? g.name : '', styles: ['dim'] }, { text: label }, { text: value(n, f.unit), align: 'right', ...(alert ? { styles: alert } : {}) }]);
        first = false;
      }
    }
  }
  if (!any) return [];
  return [paint('  USE CASES', 'bold'), ...table(out, paint, '    ')];
}
