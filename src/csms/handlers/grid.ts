import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type HandlerContext, type HandlerTable } from '../context.js';

/** The only vendorId the embedded CSMS implements in DataTransfer; it echoes `data` back. */
export const CSMS_VENDOR_ID = 'org.chargestorm';

const UNKNOWN_VENDOR: Payload = Object.freeze({ status: 'UnknownVendorId' });
const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });

/** DataTransfer (P01): UnknownVendorId unless it is ours (FLOWS.md §9). */
function dataTransfer(_ctx: HandlerContext, p: Payload): Payload {
  if (p.vendorId !== CSMS_VENDOR_ID) return UNKNOWN_VENDOR;
  return p.data === undefined ? ACCEPTED : { status: 'Accepted', data: p.data };
}

/** Blocks P, Q, R, S: data transfer, DER control notifications, battery swap events (all `{}` but DataTransfer). */
export const gridHandlers: HandlerTable = {
  DataTransfer: dataTransfer,
  NotifyDERAlarm: () => EMPTY,
  NotifyDERStartStop: () => EMPTY,
  ReportDERControl: () => EMPTY,
  // BatterySwapResponse has no status: a swap event cannot be refused (FLOWS.md §6).
  BatterySwap: () => EMPTY,
};
