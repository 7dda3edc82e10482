/** The metrics module's public surface (k6's split: producers push samples, this aggregates and reports). */
export { LatencyHistogram, HIGHEST_US, type Digits, type HistogramData } from './histogram.js';
export {
  callErrorOutcome, callOutcomeFromFailure, isFailure, isTimed, outcomeClass,
  type CallOutcomeKind, type IncomingOutcomeKind, type ProtocolFailureKind,
} from './outcomes.js';
export {
  MetricsRegistry, type CallRecorder, type IntervalActionStats, type IntervalListener, type RegistryOptions, type RegistryView,
} from './registry.js';
export { mergeSnapshots, type MetricsSnapshot, type CallSnapshot, type GaugeSnapshot, type Counts } from './snapshot.js';
export { SERIES_CAPACITY, SERIES_INTERVAL_MS, mergeSeries, type SeriesPoint, type SeriesData } from './series.js';
export { mergeProgress, type ProgressSample } from './progress.js';
export {
  BUILTIN_METRICS, PRODUCED_COUNTERS, PRODUCED_GAUGES, METRIC_TAGS, knownMetrics, knownMetricNames, metricKey, type MetricType,
} from './names.js';
export { summarize, DEFAULT_PERCENTILES, type Summary, type SummarizeOptions, type TrendValues, type CallStats, type MetricEntry } from './summary.js';
export { formatReport, formatProgressLine, type ReportOptions, type ProgressOptions } from './report.js';
export {
  parseThresholds, parseThresholdEntry, splitThresholdOption, evaluateThresholds, thresholdPercentiles, abortingResults,
  aggregationApplies, type Threshold, type ThresholdResult, type ThresholdInput, type ThresholdOp,
} from './thresholds.js';
export { liveMetrics, evaluateLive, snapshotView } from './live.js';
export { intervalTag, intervalsOfSeries, mergeIntervals, type IntervalHistogram, type IntervalHistograms } from './interval.js';
export { HlogWriter, hlogOfSeries, HLOG_FORMAT_VERSION, HLOG_MAX_VALUE_UNIT_RATIO } from './hlog.js';
export { formatJUnit, xmlEscape, type JUnitOptions } from './junit.js';
