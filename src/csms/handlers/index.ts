import type { CallHandler, SendHandler } from '../context.js';
import { authorizationHandlers } from './authorization.js';
import { certificateHandlers } from './certificates.js';
import { diagnosticsHandlers, diagnosticsSends } from './diagnostics.js';
import { gridHandlers } from './grid.js';
import { provisioningHandlers } from './provisioning.js';
import { smartChargingHandlers } from './smart-charging.js';
import { transactionHandlers } from './transactions.js';

/** Every station→CSMS CALL the embedded CSMS answers (FLOWS.md §10), action → handler. */
export const CALL_HANDLERS: ReadonlyMap<string, CallHandler> = new Map(Object.entries({
  ...provisioningHandlers,
  ...authorizationHandlers,
  ...transactionHandlers,
  ...certificateHandlers,
  ...smartChargingHandlers,
  ...diagnosticsHandlers,
  ...gridHandlers,
}));

/** Station→CSMS SENDs (type 6). */
export const SEND_HANDLERS: ReadonlyMap<string, SendHandler> = new Map(Object.entries({ ...diagnosticsSends }));
