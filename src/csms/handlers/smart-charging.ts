import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type HandlerTable } from '../context.js';

const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });

/** Block K, station side: needs and schedules are accepted; reports and limit notifications need no answer. */
export const smartChargingHandlers: HandlerTable = {
  NotifyEVChargingNeeds: () => ACCEPTED,
  NotifyEVChargingSchedule: () => ACCEPTED,
  NotifyChargingLimit: () => EMPTY,
  ClearedChargingLimit: () => EMPTY,
  ReportChargingProfiles: () => EMPTY,
  NotifyPriorityCharging: () => EMPTY,
  // Accepted without a scheduleUpdate: the current dynamic values stay as they are (FLOWS.md §5.2).
  PullDynamicScheduleUpdate: () => ACCEPTED,
};
