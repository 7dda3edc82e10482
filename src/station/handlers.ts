import { NotSupported, RpcError, SecurityError } from '../ocpp/errors.js';
import type { Payload } from '../ocpp/session.js';
import type { Station } from './station.js';
import type { ReportData } from './device-model.js';
import { useCaseHandler, useCaseTrigger } from './usecases/index.js';
import { MONITORING_HANDLERS } from './usecases/periodic-stream.js';

type Handler = (st: Station, p: Payload) => Payload | RpcError | Promise<Payload | RpcError>;

/**
 * Answers to CSMS-initiated calls (FLOWS.md §9), as a table of action → handler. Each answers at once and does
 * the physical work afterwards. Actions not in the table get CALLERROR NotSupported (never silence).
 */
const HANDLERS: Record<string, Handler> = {
  RequestStartTransaction(st, p) {
    if (!st.online) return { status: 'Rejected' };
    const evse = p.evseId !== undefined ? st.evses[p.evseId - 1] : st.evses.find((e) => !e.tx && e.operative) ?? st.evses.find((e) => e.tx && !e.tx.authorized);
    if (!evse) return { status: 'Rejected' };
    const waiting = evse.tx && !evse.tx.authorized ? evse.tx.id : undefined;
    if (p.chargingProfile) {
      // A TxProfile for the transaction about to start (F01.FR.08): a profile we cannot take refuses the start.
      if (evse.station.profiles.setRemoteStartProfile(evse.id, p.chargingProfile).status !== 'Accepted') return { status: 'Rejected' };
    }
    const status = evse.remoteStart(p.idToken, p.remoteStartId);
    return waiting && status === 'Accepted' ? { status, transactionId: waiting } : { status };
  },

  RequestStopTransaction(st, p) {
    const evse = st.evses.find((e) => e.tx?.id === p.transactionId);
    if (!evse) return { status: 'Rejected' };
    // Answer first, then end the transaction (the Ended event must follow the response).
    queueMicrotask(() => evse.endSession('Remote', 'RemoteStop'));
    return { status: 'Accepted' };
  },

  Reset(st, p) {
    if (p.evseId !== undefined) return { status: 'Rejected' }; // per-EVSE reset is not supported
    const busy = st.evses.some((e) => e.tx);
    if (p.type === 'OnIdle' && busy) return { status: 'Scheduled' };
    st.scheduleReset(200);
    return { status: 'Accepted' };
  },

  ChangeAvailability(st, p) {
    const operative = p.operationalStatus === 'Operative';
    const targets = p.evse?.id ? [st.evses[p.evse.id - 1]] : st.evses;
    if (targets.some((e) => e === undefined)) return { status: 'Rejected' };
    let scheduled = false;
    for (const e of targets) {
      if (!e) continue;
      if (e.tx && !operative) { e.pendingOperative = operative; scheduled = true; continue; }
      e.operative = operative;
      if (!e.tx) queueMicrotask(() => e.setStatus(operative ? 'Available' : 'Unavailable'));
    }
    return { status: scheduled ? 'Scheduled' : 'Accepted' };
  },

  UnlockConnector(st, p) {
    const e = st.evses[p.evseId - 1];
    if (!e || p.connectorId !== e.connectorId) return { status: 'UnknownConnector' };
    if (e.tx?.authorized) return { status: 'OngoingAuthorizedTransaction' };
    if (e.tx) queueMicrotask(() => e.endSession('Other', 'UnlockCommand'));
    return { status: 'Unlocked' };
  },

  TriggerMessage(st, p) {
    const evse = p.evse?.id ? st.evses[p.evse.id - 1] : undefined;
    if (p.evse?.id && !evse) return { status: 'Rejected' };
    // A behaviour's own triggers first (Plug & Charge: Sign*Certificate, usecases/pnc.ts).
    const own = useCaseTrigger(st.plan.group.behaviour, p.requestedMessage);
    if (own) return own(st, p);
    const run = (f: () => void): Payload => { queueMicrotask(f); return { status: 'Accepted' }; };
    switch (p.requestedMessage) {
      case 'BootNotification':
        return run(() => void st.call('BootNotification', { reason: 'Triggered', chargingStation: chargingStation(st) }).then((o) => o.ok && st.learnTime(o.payload.currentTime)));
      case 'Heartbeat':
        return run(() => void st.call('Heartbeat', {}).then((o) => o.ok && st.learnTime(o.payload.currentTime)));
      case 'StatusNotification':
        return run(() => { for (const e of evse ? [evse] : st.evses) e.reportStatus(); });
      case 'MeterValues':
        return run(() => { for (const e of evse ? [evse] : st.evses) void st.call('MeterValues', { evseId: e.id, meterValue: [e.triggerMeterValue()] }); });
      case 'TransactionEvent': {
        const list = (evse ? [evse] : st.evses).filter((e) => e.tx);
        if (list.length === 0) return { status: 'Rejected' };
        return run(() => { for (const e of list) e.triggerTxEvent(); });
      }
      case 'FirmwareStatusNotification':
        return run(() => void st.call('FirmwareStatusNotification', st.firmware.triggered()));
      case 'LogStatusNotification':
        return run(() => void st.call('LogStatusNotification', { status: 'Idle' }));
      default:
        return { status: 'NotImplemented' };
    }
  },

  SetChargingProfile(st, p) {
    const r = st.profiles.install(p.evseId, p.chargingProfile);
    if (r.status === 'Accepted') queueMicrotask(() => { for (const e of st.evses) if (p.evseId === 0 || e.id === p.evseId) e.onLimitChanged(); });
    return r;
  },

  ClearChargingProfile(st, p) {
    const r = st.profiles.clear(p);
    if (r.status === 'Accepted') queueMicrotask(() => { for (const e of st.evses) e.onLimitChanged(); });
    return r;
  },

  GetChargingProfiles(st, p) {
    const found = st.profiles.get(p.chargingProfile, p.evseId);
    if (found.length === 0) return { status: 'NoProfiles' };
    queueMicrotask(() => {
      found.forEach((group, i) => void st.call('ReportChargingProfiles', {
        requestId: p.requestId, chargingLimitSource: 'CSO', evseId: group.evseId, chargingProfile: group.chargingProfile, tbc: i < found.length - 1,
      }));
    });
    return { status: 'Accepted' };
  },

  GetCompositeSchedule(st, p) {
    if (p.evseId !== 0 && !st.evses[p.evseId - 1]) return { status: 'Rejected' };
    const unit = p.chargingRateUnit ?? 'W';
    const txStart = st.evses[p.evseId - 1]?.tx?.startedMs;
    const schedule = st.profiles.compositeSchedule(p.evseId, p.duration, st.nowMs(), unit, txStart);
    return schedule ? { status: 'Accepted', schedule } : { status: 'Rejected' };
  },

  GetVariables(st, p) {
    return { getVariableResult: st.dm.getVariables(p.getVariableData) };
  },

  SetVariables(st, p) {
    const result = st.dm.setVariables(p.setVariableData);
    return { setVariableResult: result };
  },

  GetBaseReport(st, p) {
    return sendReport(st, p.requestId, st.dm.report(p.reportBase));
  },

  GetReport(st, p) {
    return sendReport(st, p.requestId, st.dm.customReport(p.componentVariable, p.componentCriteria));
  },

  DataTransfer() {
    return { status: 'UnknownVendorId' };
  },

  ClearCache() { return { status: 'Accepted' }; },
  GetLocalListVersion() { return { versionNumber: 0 }; },
  SendLocalList() { return { status: 'Failed' }; },
  ReserveNow() { return { status: 'Rejected' }; },
  CancelReservation() { return { status: 'Rejected' }; },
  UpdateFirmware(st, p) { return st.firmware.request(p); },
  GetLog() { return { status: 'Rejected' }; },
  SetNetworkProfile() { return { status: 'Rejected' }; },
  CertificateSigned() { return { status: 'Rejected' }; },
  InstallCertificate() { return { status: 'Rejected' }; },
  DeleteCertificate() { return { status: 'NotFound' }; },
  GetInstalledCertificateIds() { return { status: 'NotFound' }; },
  CustomerInformation() { return { status: 'Rejected' }; },
  SetDisplayMessage() { return { status: 'Rejected' }; },
  GetDisplayMessages() { return { status: 'Unknown' }; },
  ClearDisplayMessage() { return { status: 'Unknown' }; },
  SetMonitoringBase() { return { status: 'NotSupported' }; },
  SetMonitoringLevel() { return { status: 'Rejected' }; },
  GetMonitoringReport() { return { status: 'NotSupported' }; },
  GetTransactionStatus(st, p) {
    const queued = st.txQueue.length > 0;
    if (p.transactionId === undefined) return { messagesInQueue: queued };
    const ongoing = st.evses.some((e) => e.tx?.id === p.transactionId);
    return { ongoingIndicator: ongoing, messagesInQueue: queued };
  },
  CostUpdated() { return {}; },
  // Periodic monitors and event streams (FLOWS.md §8.4), on every behaviour (usecases/periodic-stream.ts).
  ...MONITORING_HANDLERS,
};

/**
 * Accepts a report request and sends its NotifyReports after the answer (B07/B08): seqNo 0..n, tbc on all but
 * the last; EmptyResultSet when nothing matches.
 */
function sendReport(st: Station, requestId: number, chunks: ReportData[][]): Payload {
  if (chunks.length === 0) return { status: 'EmptyResultSet' };
  // VariableCharacteristics.maxElements is new in 2.1: a 2.0.1 NotifyReport carrying it fails validation and that
  // part would never be sent (FLOWS.md §1.8).
  if (st.version !== '2.1') for (const chunk of chunks) for (const d of chunk) delete d.variableCharacteristics.maxElements;
  queueMicrotask(() => {
    chunks.forEach((reportData, seqNo) => void st.call('NotifyReport', {
      requestId, generatedAt: st.now(), seqNo, tbc: seqNo < chunks.length - 1, reportData,
    }));
  });
  return { status: 'Accepted' };
}

/** Entry point from the RPC session (the station is the IncomingHandler). */
export function handleIncoming(st: Station, action: string, payload: Payload): Payload | RpcError | Promise<Payload | RpcError> {
  // Rejected boot: any CSMS CALL gets SecurityError (FLOWS.md §2.1). Pending: only provisioning calls.
  if (st.link === 'rejected') return new SecurityError('boot not accepted');
  // A behaviour's own answers (V2X, DER, ...) come first (usecases/index.ts).
  const h = useCaseHandler(st.plan.group.behaviour, action) ?? HANDLERS[action];
  if (!h) return new NotSupported(`${action} is not supported by this station`);
  return h(st, payload);
}

function chargingStation(st: Station): Payload {
  const id = st.identity;
  return { model: id.model, vendorName: id.vendorName, serialNumber: id.serialNumber, firmwareVersion: st.firmware.version, modem: id.modem };
}
