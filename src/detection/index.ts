/** Pure scoring of CSMS alerts against out-of-band ground truth (ATTACKS.md §4): no I/O, no clock of its own. */
export {
  ATTACK_TYPES, FAULT_TYPES, DEFAULT_GRACE_MS, DEFAULT_DELTA_MS, DEFAULT_FLEET_MIN_STATIONS, defaultClass, isAttackType, isInstanceType,
  type AttackType, type FaultType, type InstanceType, type LabelClass, type Scope, type AttackInstance, type Alert, type AlertEntity,
  type Reaction, type ReactionKind, type ReactionSpec, type ExpectedReaction, type ReactionRecord, type RunInfo,
} from './types.js';
export {
  DEFAULT_CATEGORIES, DEFAULT_MAINTENANCE_CATEGORIES, normalizeCategory, categoryTable, type CategoryTable, type CategoryTableOptions,
} from './categories.js';
export { ScopeIndex, isFleetAlert, windowOf, type MatchRules } from './match.js';
export {
  scoreDetection, falseAlarms, type ScoreOptions, type DetectionResult, type InstanceVerdict, type HardNegativeVerdict, type TypeSummary,
} from './score.js';
export { conformanceOf, isExactReaction, type Conformance } from './reactions.js';
export { wilsonInterval, percentileOfSorted, latencyStats, compositeF, Z95, type LatencyStats } from './stats.js';
export { NAB_PROFILES, nabScore, scaledSigmoid, type NabProfile, type NabProfileName, type NabResult } from './nab.js';
export { toEpochMs } from './time.js';
export { parseGroundTruth, formatGroundTruth, groundTruthLine, type GroundTruth, type GroundTruthRecord } from './ground-truth.js';
export {
  detectionMetrics, DETECTION_METRICS, DETECTION_METRIC_TAGS, type DetectionMetricEntry, type DetectionMetricType, type DetectionMetricsOptions,
} from './metrics.js';
export { formatDetectionReport } from './report.js';
