/** Alert intake while a run lasts: webhook, followed JSONL files, polled URLs (ATTACKS.md §4 "Alert intake"). */
export { AlertIntake, type AlertIntakeOptions, type IntakeStats } from './intake.js';
export { AlertWebhook, type AlertWebhookOptions, type SourceCounts } from './webhook.js';
export { JsonlFollower, type JsonlFollowOptions } from './jsonl-follow.js';
export { AlertPoller, type AlertPollOptions } from './poll.js';
export {
  ALERTMANAGER_PATHS, GENERIC_PATHS, alertsFromPayload, getPath, isAlertmanagerAlert, mapAlert, parseAlertBody, resolveMappings,
  type AlertField, type AlertFormat, type AlertMapping, type AlertMappingOptions, type FieldPaths,
} from './mapping.js';
