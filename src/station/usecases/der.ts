/**
 * DER control on a `v2x` station (OCPP 2.1 block R, FLOWS.md §5.4): SetDERControl, GetDERControl (answered,
 * then ReportDERControl ×n) and ClearDERControl, answered for real from the station's DerControlStore. Start/stop
 * notifications and grid alarms come from v2x-station.ts. All 2.1-only: on a 2.0.1 connection the RPC layer
 * answers these NotImplemented before they get here.
 */
import type { Payload } from '../../ocpp/session.js';
import type { Station } from '../station.js';
import { reportParts, type DerFilter } from './der-store.js';
import type { StationCallHandler } from './index.js';
import { v2xStation } from './v2x-station.js';

function filterOf(p: Payload): DerFilter {
  const f: DerFilter = {};
  if (typeof p.isDefault === 'boolean') f.isDefault = p.isDefault;
  if (typeof p.controlType === 'string') f.controlType = p.controlType;
  if (typeof p.controlId === 'string') f.controlId = p.controlId;
  return f;
}

function setDERControl(st: Station, p: Payload): Payload {
  const v = v2xStation(st);
  const r = v.der.set(p, st.nowMs());
  if (r.status === 'Accepted') {
    st.ctx.sink.count('der_controls_set');
    // Answer first: a control starting now is reported with NotifyDERStartStop after the response.
    queueMicrotask(() => v.derChanged());
  }
  return r as unknown as Payload;
}

function getDERControl(st: Station, p: Payload): Payload {
  const v = v2xStation(st);
  const found = v.der.find(filterOf(p));
  if (found.length === 0) return { status: 'NotFound' };
  const parts = reportParts(p.requestId, found);
  queueMicrotask(() => {
    for (const part of parts) {
      st.ctx.sink.count('der_reports');
      v.send21('ReportDERControl', part);
    }
  });
  return { status: 'Accepted' };
}

function clearDERControl(st: Station, p: Payload): Payload {
  const v = v2xStation(st);
  const removed = v.der.clear(filterOf(p));
  if (removed.length === 0) return { status: 'NotFound' };
  st.ctx.sink.count('der_controls_cleared', removed.length);
  // A scheduled control cleared while in effect is reported stopped.
  queueMicrotask(() => v.derChanged());
  return { status: 'Accepted' };
}

/** CSMS→station DER control actions of a v2x station. */
export const DER_HANDLERS: Readonly<Record<string, StationCallHandler>> = {
  SetDERControl: setDERControl,
  GetDERControl: getDERControl,
  ClearDERControl: clearDERControl,
};
