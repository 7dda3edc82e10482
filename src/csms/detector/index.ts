/** The embedded CSMS's anomaly detector (docs/csms-detector.md): public surface. */
export { Detector, type DetectorHost, type DetectorStats } from './detector.js';
export { FrameVerdict } from './enforce.js';
export { Category, type Alert, type AlertEntity, type AlertSink, type Severity } from './alert.js';
export { DETECTOR_DEFAULTS, resolveDetectorOptions, type DetectorOptions, type DetectorThresholds, type ResolvedDetectorOptions } from './options.js';
export { AlertQueue, JsonlSink, WebhookSink } from './sink.js';
export type { StationDet } from './station.js';
