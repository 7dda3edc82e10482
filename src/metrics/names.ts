import { closest } from '../util/closest.js';

/** k6's four metric types; they decide which aggregations a threshold may use. */
export type MetricType = 'trend' | 'counter' | 'rate' | 'gauge';

/**
 * The built-in metrics (k6-style names). Summaries always contain the untagged ones, even at zero, so a threshold
 * such as `ocpp_call_errors{kind:timeout}: count<1` has something to read when nothing failed.
 */
export const BUILTIN_METRICS: Readonly<Record<string, MetricType>> = Object.freeze({
  ocpp_calls: 'counter',
  ocpp_call_duration: 'trend',
  ocpp_call_service_duration: 'trend',
  ocpp_call_failed: 'rate',
  ocpp_call_rejected: 'rate',
  ocpp_call_errors: 'counter',
  ocpp_incoming_calls: 'counter',
  ocpp_incoming_failed: 'rate',
  ocpp_connects: 'counter',
  ocpp_connect_duration: 'trend',
  ocpp_connect_failed: 'rate',
  ocpp_connect_errors: 'counter',
});

/** Threshold aggregations valid per metric type (k6's, plus `count` on trends and `max` on gauges). */
export const AGGREGATIONS: Readonly<Record<MetricType, readonly string[]>> = Object.freeze({
  trend: ['avg', 'min', 'med', 'max', 'count', 'p(N)'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value', 'max'],
});

/** Tag values may hold anything but the selector's own punctuation. */
const TAG_VALUE = /^[^,{}]+$/;

/** The canonical key of a (sub)metric: `name` or `name{a:1,b:2}` with tags sorted by name. */
export function metricKey(name: string, tags?: Readonly<Record<string, string>>): string {
  if (!tags) return name;
  const keys = Object.keys(tags).sort();
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}:${tags[k]}`).join(',')}}`;
}

/** Whether a string can be a tag value in a selector. */
export function isTagValue(v: string): boolean {
  return TAG_VALUE.test(v);
}

/** The k6 key of a percentile: 99 -> `p(99)`, 99.90 -> `p(99.9)`. */
export function percentileKey(p: number): `p(${string})` {
  return `p(${String(p)})`;
}

/**
 * Named counters and sums the tool's producers emit (station, fleet executors, wiring). metrics cannot import
 * them, so they are listed here as data; a test scans src/ for producer calls and fails on a name missing here.
 * A threshold on a name outside this list and BUILTIN_METRICS can never be evaluated: it is an input error.
 */
export const PRODUCED_COUNTERS: readonly string[] = Object.freeze([
  // transactions and energy (station/evse.ts)
  'tx_started', 'tx_ended', 'tx_deauthorized', 'energy_wh',
  'authorize_rejected', 'authorize_failed', 'authorize_offline_local',
  // connection lifecycle and boot (station/station.ts)
  'reconnects', 'disconnects', 'source_port_retries', 'resets', 'boot_accepted', 'boot_pending', 'boot_rejected', 'reboot_after_security_error',
  // OCPP 2.1 use cases (station/usecases/): V2X discharge and DER control; 2.1-only parts skipped on 2.0.1
  'energy_export_wh', 'v2x_discharge_sessions', 'v2x_needs_sent', 'v2x_needs_rejected', 'v2x_mode_changes', 'v2x_profiles_rejected',
  'afrr_signals', 'der_controls_set', 'der_controls_cleared', 'der_reports', 'der_alarms', 'der_start_stop', 'usecase_skipped_201',
  // Plug & Charge (station/usecases/pnc*.ts): contracts, contract authorisation by certificateStatus, charging needs
  // and schedules, the station's own certificates (CSR → CertificateSigned), CA roots, OCSP
  'pnc_contracts_installed', 'pnc_contract_install_failed', 'pnc_chain_status_good', 'pnc_chain_status_revoked', 'pnc_chain_status_other',
  'pnc_authorize_hash_data', 'pnc_authorize_certificate', 'pnc_authorize_accepted', 'pnc_authorize_revoked', 'pnc_authorize_expired',
  'pnc_authorize_cert_chain_error', 'pnc_authorize_signature_error', 'pnc_authorize_contract_cancelled', 'pnc_authorize_no_certificate',
  'pnc_authorize_no_certificate_status', 'pnc_authorize_failed', 'pnc_authorize_offline',
  'pnc_needs_accepted', 'pnc_needs_refused', 'pnc_profiles_received', 'pnc_profile_missing', 'pnc_schedules_accepted', 'pnc_schedules_refused',
  'certificates_signed', 'certificates_rejected', 'csr_rejected', 'certificate_sign_retries', 'certificate_sign_gave_up', 'roots_installed',
  'ocsp_good', 'ocsp_revoked', 'ocsp_unknown', 'ocsp_failed',
  // battery swapping (station/usecases/battery-swap*.ts): swaps, remote requests, refusals, timeouts, battery energy
  'battery_swaps', 'battery_swap_requests', 'battery_swaps_refused', 'battery_swaps_aborted', 'battery_swap_timeouts',
  'battery_energy_in_wh', 'battery_energy_out_wh',
  // periodic monitors and event streams (station/usecases/periodic-stream.ts)
  'periodic_streams_opened', 'periodic_streams_rejected', 'periodic_streams_adjusted', 'periodic_streams_closed',
  'periodic_stream_messages', 'periodic_stream_values', 'monitor_events',
  // Tariffs, local cost and payments (station/usecases/tariff*.ts): tariffs installed / refused / cleared / changed,
  // sessions priced locally and their total (a sum, in the tariff's currency), cost limits, card and web payments
  'tariffs_applied', 'tariffs_rejected', 'tariffs_cleared', 'tariff_changes', 'driver_tariffs', 'cost_sessions', 'cost_total',
  'cost_limit_reached', 'cost_updates', 'card_payments', 'settlements', 'settlements_canceled', 'web_payments', 'vat_validations',
  // the offline TransactionEvent queue
  'offline_queued', 'offline_delivered', 'offline_dropped', 'tx_events_dropped',
  // arrival-rate executors (fleet/executors.ts): k6's iterations and dropped_iterations
  'iterations', 'dropped_iterations',
  // protocol events (fleet/wiring.ts: `protocol_` + ProtocolEventKind with '-' as '_')
  'protocol_garbage_in', 'protocol_invalid_call_in', 'protocol_unexpected_result', 'protocol_callresulterror_in',
  'protocol_ignored_type', 'protocol_invalid_out', 'protocol_warn_invalid_in', 'protocol_warn_invalid_out',
  'protocol_send_in',
  // attacks (attacks/runner.ts; an attack's own `env.count(name)` is `attack_<name>`, attacks/env.ts)
  'attack_instances_started', 'attack_targets_unavailable', 'attack_errors',
  'attack_a01_frames', 'attack_a01_oversized', 'attack_a01_sockets', 'attack_a01_upgrades',
  'attack_a03_boots', 'attack_a03_certificates', 'attack_a03_duplicates',
  // A04: one per malformed-frame case sent (FUZZ_CASES, '-' as '_')
  'attack_a04_non_json', 'attack_a04_wrong_arity', 'attack_a04_unknown_type', 'attack_a04_misused_type',
  'attack_a04_unknown_action', 'attack_a04_type_violation', 'attack_a04_missing_required', 'attack_a04_enum_violation',
  'attack_a04_max_length', 'attack_a04_far_future_timestamp', 'attack_a04_deep_nesting', 'attack_a04_ignored_frame_answered',
  'attack_a05_connect_failed', 'attack_a10_nothing_captured',
  // A14: one per downgrade mode tried
  'attack_a14_no_credentials', 'attack_a14_legacy_subprotocol', 'attack_a14_cleartext', 'attack_a14_tls1_1',
  'attack_a15_contracts_harvested', 'attack_a15_no_contract',
]);

/** Gauges the tool's producers set. */
export const PRODUCED_GAUGES: readonly string[] = Object.freeze(['stations_connected']);

/**
 * The metrics of detection scoring (ATTACKS.md §4), added to the summary after a run with `attacks:` or
 * `detection:`: the same names, types and tags as DETECTION_METRICS / DETECTION_METRIC_TAGS of
 * src/detection/metrics.ts (a sibling module, so restated here as data; test/metrics/names.test.ts keeps them equal).
 * `type` is an attack type A01–A16; a metric without the tag is over all types.
 */
export const DETECTION_METRICS: Readonly<Record<string, MetricType>> = Object.freeze({
  detection_recall: 'gauge',
  detection_recall_ci_low: 'gauge',
  detection_recall_ci_high: 'gauge',
  detection_recall_macro: 'gauge',
  detection_precision: 'gauge',
  detection_f1: 'gauge',
  detection_latency: 'trend',
  detection_latency_p50: 'gauge',
  detection_latency_p95: 'gauge',
  detection_latency_max: 'gauge',
  detection_tp: 'counter',
  detection_fn: 'counter',
  detection_fp: 'counter',
  detection_duplicates: 'counter',
  detection_alerts: 'counter',
  detection_nab_score: 'gauge',
  false_alarms: 'counter',
  false_alarms_per_hour: 'gauge',
  false_alarms_per_1k_station_hours: 'gauge',
  reaction_conformance: 'gauge',
  reaction_latency: 'trend',
});

const PER_TYPE = ['detection_recall', 'detection_recall_ci_low', 'detection_recall_ci_high', 'detection_precision', 'detection_f1',
  'detection_latency', 'detection_latency_p50', 'detection_latency_p95', 'detection_latency_max', 'detection_tp', 'detection_fn',
  'detection_fp', 'detection_duplicates', 'reaction_conformance', 'reaction_latency'];

/** The tags each detection metric carries. */
export const DETECTION_METRIC_TAGS: Readonly<Record<string, readonly string[]>> = Object.freeze(
  Object.fromEntries(Object.keys(DETECTION_METRICS).map((n) => [n, PER_TYPE.includes(n) ? ['type'] : []])),
);

/** Whether a metric name is one of detection scoring's (its thresholds need the scoring, not the load metrics). */
export function isDetectionMetric(name: string): boolean {
  return DETECTION_METRICS[name] !== undefined;
}

/** Which tags each built-in and detection metric carries; producer-named counters and gauges carry none. */
export const METRIC_TAGS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  ocpp_calls: ['action'],
  ocpp_call_duration: ['action'],
  ocpp_call_service_duration: ['action'],
  ocpp_call_failed: ['action'],
  ocpp_call_rejected: ['action'],
  ocpp_call_errors: ['action', 'kind'],
  ocpp_incoming_calls: ['action'],
  ocpp_incoming_failed: ['action'],
  ocpp_connects: [],
  ocpp_connect_duration: [],
  ocpp_connect_failed: [],
  ocpp_connect_errors: ['kind'],
  ...DETECTION_METRIC_TAGS,
});

/** Every metric a run of this tool can produce, with its type: the built-ins plus the producers' counters and gauges. */
export function knownMetrics(): Readonly<Record<string, MetricType>> {
  const out: Record<string, MetricType> = { ...BUILTIN_METRICS, ...DETECTION_METRICS };
  for (const n of PRODUCED_COUNTERS) out[n] ??= 'counter';
  for (const n of PRODUCED_GAUGES) out[n] ??= 'gauge';
  return Object.freeze(out);
}

/** The names of knownMetrics(), sorted. */
export function knownMetricNames(): string[] {
  return Object.keys(knownMetrics()).sort();
}

/** The candidate within edit distance 2 of `word` (typo help), if any. */
export const closestName = closest;
