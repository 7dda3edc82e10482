import { isoTime } from '../../util/clock.js';
import type { Payload } from '../../ocpp/session.js';
import { EMPTY, type HandlerContext, type HandlerTable } from '../context.js';
import type { BootStatus } from '../state.js';
import { afterBoot } from '../usecases/tariffs.js';

/**
 * BootNotification (B01-B03). The first boot of a station on this CSMS gets the scenario's `bootStatus`;
 * later boots are Accepted, so a Pending or Rejected station gets in after its retry `interval` (FLOWS.md §2.1).
 */
function bootNotification(ctx: HandlerContext, p: Payload): Payload {
  const { core, state } = ctx;
  const now = core.nowMs();
  // Profile 3 (FLOWS.md §1.2): the client certificate's CN must be the serial number the station reports.
  const cn = state.certificateCn;
  const serial = p.chargingStation?.serialNumber;
  const cnMismatch = cn !== undefined && serial !== cn;
  if (cnMismatch) {
    const detail = `certificate CN ${cn} is not the serial number ${String(serial)} in BootNotification`;
    core.opts.log('warn', `${state.id}: ${detail}; boot Rejected`);
    core.detector?.certificateRefused(state.id, '', 'L0.certificate-cn-serial', { detail, certificateCn: cn, serialNumber: serial ?? null });
  }
  // Detector (A03/A13): a boot-fingerprint mismatch is Rejected, a disallowed firmware Pending (docs/csms-detector.md).
  const forced = cnMismatch ? 'Rejected' : core.detector?.bootVerdict(state.id, p);
  const status: BootStatus = forced ?? (state.boots === 0 ? core.opts.spec.bootStatus : 'Accepted');
  state.boots++;
  state.bootStatus = status;
  state.bootTimeMs = now;
  state.bootReason = p.reason;
  if (!cnMismatch) state.serialNumber = serial;
  state.firmwareVersion = p.chargingStation?.firmwareVersion;
  const s = core.counters;
  s.boots++;
  if (status === 'Accepted') {
    s.bootsAccepted++;
    state.invited = null;
    state.lastHeartbeatMs = now;
    afterBoot(ctx); // the CSMS's default tariff, if it has one (FLOWS.md §7.1)
  } else if (status === 'Pending') s.bootsPending++;
  else s.bootsRejected++;
  const interval = status === 'Accepted' ? core.opts.spec.heartbeatInterval : core.opts.bootRetryInterval;
  return { currentTime: isoTime(now), interval, status };
}

function heartbeat(ctx: HandlerContext): Payload {
  const now = ctx.core.nowMs();
  ctx.state.lastHeartbeatMs = now;
  ctx.core.counters.heartbeats++;
  return { currentTime: isoTime(now) };
}

/** Deprecated in 2.1 but still the normal availability report of 2.0.1 stations (FLOWS.md §2.2). */
function statusNotification(ctx: HandlerContext, p: Payload): Payload {
  ctx.state.setConnector(p.evseId, p.connectorId, p.connectorStatus);
  return EMPTY;
}

/** One part of a report (B07/B08); the last part (`tbc` absent or false) completes the request we sent. */
function notifyReport(ctx: HandlerContext, p: Payload): Payload {
  const { core, state } = ctx;
  core.counters.notifyReports++;
  if (p.requestId === state.reportRequestId && p.tbc !== true) {
    core.counters.reportsCompleted++;
    state.reportRequestId = -1;
  }
  return EMPTY;
}

export const provisioningHandlers: HandlerTable = {
  BootNotification: bootNotification,
  Heartbeat: heartbeat,
  StatusNotification: statusNotification,
  NotifyReport: notifyReport,
};
