import type { CallHandler, SendHandler } from '../context.js';
import { authorizationHandlers } from './authorization.js';
import { certificateHandlers } from './certificates.js';
import { diagnosticsHandlers, diagnosticsSends } from './diagnostics.js';
import { gridHandlers } from './grid.js';
import { provisioningHandlers } from './provisioning.js';
import { smartChargingHandlers } from './smart-charging.js';
import { transactionHandlers } from './transactions.js';
import { derHandlers } from '../usecases/der.js';
import { v2xHandlers } from '../usecases/v2x.js';
import { pncHandlers } from '../usecases/pnc.js';
import { batterySwapHandlers } from '../usecases/battery-swap.js';
import { periodicStreamHandlers, periodicStreamSends } from '../usecases/periodic-streams.js';
import { tariffHandlers } from '../usecases/tariffs.js';

/** Every station→CSMS CALL the embedded CSMS answers (FLOWS.md §10), action → handler. */
export const CALL_HANDLERS: ReadonlyMap<string, CallHandler> = new Map(Object.entries({
  ...provisioningHandlers,
  ...authorizationHandlers,
  ...transactionHandlers,
  ...certificateHandlers,
  ...smartChargingHandlers,
  ...diagnosticsHandlers,
  ...gridHandlers,
  // OCPP 2.1 use cases (src/csms/usecases/), last: they replace the plain answers above for their actions.
  ...v2xHandlers,
  ...derHandlers,
  // Plug & Charge after V2X: its NotifyEVChargingNeeds delegates V2X needs to v2xHandlers and answers the rest.
  ...pncHandlers,
  // Battery swapping (block S) and periodic event streams (block N).
  ...batterySwapHandlers,
  ...periodicStreamHandlers,
  // Tariffs and payments: settlement and VAT number checks (FLOWS.md §7.2).
  ...tariffHandlers,
}));

/** Station→CSMS SENDs (type 6). */
export const SEND_HANDLERS: ReadonlyMap<string, SendHandler> = new Map(Object.entries({ ...diagnosticsSends, ...periodicStreamSends }));
