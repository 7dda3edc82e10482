/**
 * Periodic event streams on the embedded CSMS (OCPP 2.1 block N, FLOWS.md §8.4). OpenPeriodicEventStream is
 * Accepted (Rejected for a stream id already open, or beyond MAX_STREAMS per station) and the stream kept per
 * station; NotifyPeriodicEventStream (SEND, never answered) is checked against it and its values counted, and the
 * samples' times rebuilt from basetime + t; ClosePeriodicEventStream forgets it. Scheduled commands:
 * SetVariableMonitoring (a Periodic monitor with stream parameters, which makes the station open a stream),
 * AdjustPeriodicEventStream, GetPeriodicEventStream, and ClearVariableMonitoring for the monitors behind the open
 * streams (which makes the station flush and close them).
 */
import type { Payload } from '../../ocpp/session.js';
import type { CommandBuilder } from '../commands.js';
import { EMPTY, type HandlerContext, type HandlerTable, type SendHandler } from '../context.js';
import type { StationView } from '../state.js';

const ACCEPTED: Payload = Object.freeze({ status: 'Accepted' });
const REJECTED: Payload = Object.freeze({ status: 'Rejected' });
/** Streams one station may hold open. */
export const MAX_STREAMS = 16;

export interface StreamSeen {
  readonly variableMonitoringId: number;
  params: Payload;
  messages: number;
  values: number;
  /** Time (ms) of the latest sample received (basetime + t). */
  lastSampleMs: number;
  /** Samples whose time went backwards against an earlier one. */
  outOfOrder: number;
}

const STATES = new WeakMap<object, Map<number, StreamSeen>>();

/** The open streams of a station, by stream id. */
export function streamsOf(view: StationView): Map<number, StreamSeen> {
  let s = STATES.get(view);
  if (!s) STATES.set(view, (s = new Map()));
  return s;
}

function openPeriodicEventStream(ctx: HandlerContext, p: Payload): Payload {
  const d = p.constantStreamData as Payload;
  const streams = streamsOf(ctx.state);
  const c = ctx.core.counters;
  if (streams.has(d.id) || streams.size >= MAX_STREAMS) { c.count(c.useCases, 'streams.rejected'); return REJECTED; }
  streams.set(d.id, { variableMonitoringId: d.variableMonitoringId, params: d.params, messages: 0, values: 0, lastSampleMs: -Infinity, outOfOrder: 0 });
  c.count(c.useCases, 'streams.opened');
  return ACCEPTED;
}

function closePeriodicEventStream(ctx: HandlerContext, p: Payload): Payload {
  const c = ctx.core.counters;
  c.count(c.useCases, streamsOf(ctx.state).delete(p.id) ? 'streams.closed' : 'streams.closeUnknown');
  return EMPTY;
}

/** NotifyPeriodicEventStream: the samples of a known stream, each at basetime + t. */
function notifyPeriodicEventStream(ctx: HandlerContext, p: Payload): void {
  const c = ctx.core.counters;
  const s = streamsOf(ctx.state).get(p.id);
  if (!s) { c.count(c.useCases, 'streams.unknown'); return; }
  const base = Date.parse(p.basetime);
  const data = p.data as { t: number; v: string }[];
  s.messages++;
  s.values += data.length;
  for (const e of data) {
    const at = base + e.t * 1000;
    if (at < s.lastSampleMs) s.outOfOrder++;
    else s.lastSampleMs = at;
  }
  c.count(c.useCases, 'streams.messages');
  c.count(c.useCases, 'streams.values', data.length);
}

export const periodicStreamHandlers: HandlerTable = {
  OpenPeriodicEventStream: openPeriodicEventStream,
  ClosePeriodicEventStream: closePeriodicEventStream,
};

export const periodicStreamSends: Readonly<Record<string, SendHandler>> = {
  NotifyPeriodicEventStream: notifyPeriodicEventStream,
};

// ------------------------------------------------------------------------------------------ scheduled commands

const seconds = (ms: unknown, fallback: number): number => Math.max(1, Math.round((typeof ms === 'number' ? ms : fallback) / 1000));

/**
 * SetVariableMonitoring (N04): a Periodic monitor every `interval` on `variable` (EVSE `evseId` for EVSE and
 * Connector components) with stream parameters (2.1); on 2.0.1 the monitor alone (it reports by NotifyEvent).
 */
const setVariableMonitoring: CommandBuilder = (c) => {
  const v = (c.params.variable as { component: string; variable: string } | undefined) ?? { component: 'EVSE', variable: 'Power' };
  const component: Payload = { name: v.component };
  if (v.component === 'EVSE' || v.component === 'Connector') {
    component.evse = v.component === 'Connector' ? { id: c.params.evseId ?? 1, connectorId: 1 } : { id: c.params.evseId ?? 1 };
  }
  const intervalS = seconds(c.params.interval, 5000);
  const d: Payload = { value: intervalS, type: 'Periodic', severity: c.params.severity ?? 8, component, variable: { name: v.variable } };
  if (c.version === '2.1' && c.params.stream !== false) {
    const values = (c.params.values as number | undefined) ?? 6;
    d.periodicEventStream = { interval: intervalS * values, values };
  }
  return { setMonitoringData: [d] };
};

/** The stream ids open on a station, in order. */
function openIds(c: Parameters<CommandBuilder>[0]): number[] {
  return [...streamsOf(c.state).keys()];
}

/** ClearVariableMonitoring: the monitors behind the station's open streams (skipped when it has none). */
const clearVariableMonitoring: CommandBuilder = (c) => {
  const ids = [...new Set([...streamsOf(c.state).values()].map((s) => s.variableMonitoringId))];
  return ids.length === 0 ? null : { id: ids };
};

/** AdjustPeriodicEventStream (2.1): new parameters for the station's oldest open stream. */
const adjustPeriodicEventStream: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const id = openIds(c)[0];
  if (id === undefined) return null;
  const params = { interval: seconds(c.params.interval, 10_000), values: (c.params.values as number | undefined) ?? 12 };
  streamsOf(c.state).get(id)!.params = params;
  return { id, params };
};

/** GetPeriodicEventStream (2.1): the station lists its open streams. */
const getPeriodicEventStream: CommandBuilder = (c) => (c.version === '2.1' ? {} : null);

export const STREAM_COMMANDS = {
  SetVariableMonitoring: setVariableMonitoring,
  ClearVariableMonitoring: clearVariableMonitoring,
  AdjustPeriodicEventStream: adjustPeriodicEventStream,
  GetPeriodicEventStream: getPeriodicEventStream,
} as const satisfies Record<string, CommandBuilder>;
