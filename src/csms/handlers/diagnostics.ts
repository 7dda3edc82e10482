import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type HandlerContext, type HandlerTable, type SendHandler } from '../context.js';

const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });

/**
 * NotifyEvent (N07). 2.1 stations report connector availability as Connector.AvailabilityState events
 * (FLOWS.md §2.2); those update the connector table like StatusNotification does.
 */
function notifyEvent(ctx: HandlerContext, p: Payload): Payload {
  for (const e of p.eventData as Payload[]) {
    const c = e.component as Payload;
    if (c.name !== 'Connector' || (e.variable as Payload).name !== 'AvailabilityState') continue;
    const evse = c.evse as Payload | undefined;
    if (evse !== undefined) ctx.state.setConnector(evse.id, evse.connectorId ?? 1, e.actualValue);
  }
  return EMPTY;
}

/** Blocks L, N, O: firmware, logs, monitoring, customer information, display messages, event streams. */
export const diagnosticsHandlers: HandlerTable = {
  NotifyEvent: notifyEvent,
  FirmwareStatusNotification: () => EMPTY,
  PublishFirmwareStatusNotification: () => EMPTY,
  LogStatusNotification: () => EMPTY,
  NotifyMonitoringReport: () => EMPTY,
  NotifyCustomerInformation: () => EMPTY,
  NotifyDisplayMessages: () => EMPTY,
  OpenPeriodicEventStream: () => ACCEPTED,
  ClosePeriodicEventStream: () => EMPTY,
};

/** SEND-only messages (type 6, FLOWS.md §8.4): taken and counted, never answered. */
export const diagnosticsSends: Readonly<Record<string, SendHandler>> = {
  NotifyPeriodicEventStream: () => {},
};
