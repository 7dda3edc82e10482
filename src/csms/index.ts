/** The embedded reference CSMS: public surface. */
export { startCsms, type Csms } from './server.js';
export type { CsmsOptions, CsmsObserver, CsmsLog, CsmsLogLevel } from './options.js';
export type { CsmsStats, CommandStats } from './stats.js';
export type { StationView, TxView, BootStatus, TxEventType } from './state.js';
export { CSMS_VENDOR_ID } from './handlers/grid.js';
