/**
 * Periodic monitors and periodic event streams (OCPP 2.1 block N, FLOWS.md §8.4), on a station of any behaviour.
 * SetVariableMonitoring with type Periodic installs a monitor that samples its variable every `value` seconds;
 * with `periodicEventStream` the station opens a stream for it (OpenPeriodicEventStream) and sends the samples as
 * SEND NotifyPeriodicEventStream — after `params.interval` seconds or `params.values` items — instead of one
 * NotifyEvent each; a stream the CSMS rejects falls back to NotifyEvent. The CSMS adjusts streams
 * (AdjustPeriodicEventStream), lists them (GetPeriodicEventStream), and clearing the monitor makes the station
 * flush and close its stream (ClosePeriodicEventStream). On 2.0.1 there are no streams: monitors report by
 * NotifyEvent and the stream part is counted as skipped (`usecase_skipped_201`).
 */
import type { TimelineTarget } from '../../util/timeline.js';
import type { Payload } from '../../ocpp/session.js';
import type { Station } from '../station.js';
import type { StationCallHandler } from './index.js';

const T_SAMPLE = 1;
/** Monitor ids the station gives out start here (lower ones are left to hard-wired/preconfigured monitors). */
const FIRST_MONITOR_ID = 100;
/** A sanity bound per station: every monitor samples on a timer. */
const MAX_MONITORS = 32;
/** Elements per NotifyPeriodicEventStream; more are sent in several messages, `pending` counting the rest. */
const MAX_PER_MESSAGE = 200;
/** Samples kept while offline per stream; older ones are dropped. */
const MAX_BUFFERED = 2000;

interface StreamParams { interval?: number; values?: number }

interface Stream {
  readonly id: number;
  params: StreamParams;
  state: 'opening' | 'open' | 'rejected' | 'closed';
  basetimeMs: number;
  data: { t: number; v: string }[];
}

interface Monitor {
  readonly id: number;
  readonly component: Payload;
  readonly variable: Payload;
  readonly type: string;
  readonly severity: number;
  readonly intervalMs: number;
  readonly sample: () => string;
  stream: Stream | null;
  token: number;
}

/** What a monitored variable reads now, or undefined when the station does not know it. */
function samplerOf(st: Station, component: Payload, variable: Payload): (() => string) | undefined {
  const evseId = component.evse?.id as number | undefined;
  const evse = evseId !== undefined ? st.evses[evseId - 1] : undefined;
  if (evseId !== undefined && !evse) return undefined;
  if (variable.name === 'Power' && component.name === 'EVSE' && evse) return () => String(Math.round(evse.physics.powerW));
  if (variable.name === 'Power' && component.name === 'ChargingStation') {
    return () => String(Math.round(st.evses.reduce((w, e) => w + e.physics.powerW, 0)));
  }
  if (variable.name === 'AvailabilityState' && component.name === 'Connector' && evse) return () => evse.status;
  const where = component.evse as { id: number; connectorId?: number } | undefined;
  if (st.dm.value(component.name, variable.name, variable.instance, where) === undefined) return undefined;
  return () => st.dm.value(component.name, variable.name, variable.instance, where) ?? '';
}

export class MonitorState implements TimelineTarget {
  readonly st: Station;
  readonly monitors = new Map<number, Monitor>();
  private nextMonitorId = FIRST_MONITOR_ID;
  private nextStreamId = 1;
  private eventIds = 0;

  constructor(st: Station) { this.st = st; }

  private get sink() { return this.st.ctx.sink; }

  /** One SetMonitoringData entry: the SetMonitoringResult, and the monitor to start after the answer. */
  set(d: Payload): { result: Payload; start?: Monitor } {
    const result: Payload = { type: d.type, severity: d.severity, component: d.component, variable: d.variable };
    const fail = (status: string): { result: Payload } => { result.status = status; return { result }; };
    if (d.type !== 'Periodic' && d.type !== 'PeriodicClockAligned') return fail('UnsupportedMonitorType');
    const sample = samplerOf(this.st, d.component, d.variable);
    if (!sample) return fail('UnknownVariable');
    if (!(typeof d.value === 'number' && d.value >= 1)) return fail('Rejected');
    let id: number;
    if (d.id !== undefined) {
      // An id only replaces an existing monitor (N04).
      if (!this.monitors.has(d.id)) return fail('Rejected');
      id = d.id;
      this.stop(this.monitors.get(id)!, false);
    } else {
      if (this.monitors.size >= MAX_MONITORS) return fail('Rejected');
      id = this.nextMonitorId++;
    }
    const m: Monitor = {
      id, component: d.component, variable: d.variable, type: d.type, severity: d.severity, intervalMs: d.value * 1000, sample, stream: null, token: -1,
    };
    this.monitors.set(id, m);
    result.status = 'Accepted';
    result.id = id;
    if (d.periodicEventStream) m.stream = { id: this.nextStreamId++, params: { ...d.periodicEventStream }, state: 'opening', basetimeMs: 0, data: [] };
    return { result, start: m };
  }

  /** Starts sampling; a monitor with stream parameters first opens its stream (2.1). */
  async start(m: Monitor): Promise<void> {
    const st = this.st;
    this.arm(m);
    if (st.version !== '2.1') { this.sink.count('usecase_skipped_201'); return; }
    const s = m.stream;
    if (!s || !st.online) return;
    const out = await st.call('OpenPeriodicEventStream', { constantStreamData: { id: s.id, variableMonitoringId: m.id, params: s.params } });
    if (s.state !== 'opening') return;
    if (out.ok && out.payload.status === 'Accepted') {
      s.state = 'open';
      this.sink.count('periodic_streams_opened');
    } else {
      // Rejected (or not answered): report the monitor with NotifyEvent instead (FLOWS.md §8.4).
      s.state = 'rejected';
      this.sink.count('periodic_streams_rejected');
    }
  }

  /** ClearVariableMonitoring for one id: Accepted (its stream flushed and closed) or NotFound. */
  clear(id: number): string {
    const m = this.monitors.get(id);
    if (!m) return 'NotFound';
    this.stop(m, true);
    return 'Accepted';
  }

  /** AdjustPeriodicEventStream: new parameters for an open stream. */
  adjust(id: number, params: StreamParams): boolean {
    for (const m of this.monitors.values()) {
      const s = m.stream;
      if (!s || s.id !== id || s.state !== 'open') continue;
      s.params = { ...params };
      this.sink.count('periodic_streams_adjusted');
      this.flushIfDue(s, this.st.nowMs());
      return true;
    }
    return false;
  }

  /** ConstantStreamDataType of every open stream (GetPeriodicEventStream). */
  openStreams(): Payload[] {
    const out: Payload[] = [];
    for (const m of this.monitors.values()) {
      if (m.stream?.state === 'open') out.push({ id: m.stream.id, variableMonitoringId: m.id, params: m.stream.params });
    }
    return out;
  }

  onTimer(_kind: number, arg: number): void {
    const m = this.monitors.get(arg);
    if (!m) return;
    m.token = -1;
    if (this.st.link === 'stopped') return;
    this.arm(m);
    this.sampleNow(m);
  }

  private arm(m: Monitor): void {
    const tl = this.st.ctx.timeline;
    tl.cancel(m.token);
    // PeriodicClockAligned: on the next multiple of the interval of the clock (N02).
    const now = this.st.nowMs();
    const ms = m.type === 'PeriodicClockAligned' ? m.intervalMs - (now % m.intervalMs) : m.intervalMs;
    m.token = tl.after(ms, this, T_SAMPLE, m.id);
  }

  private sampleNow(m: Monitor): void {
    const v = m.sample().slice(0, 2500);
    const now = this.st.nowMs();
    const s = m.stream;
    if (s && (s.state === 'open' || s.state === 'opening')) {
      if (s.data.length === 0) s.basetimeMs = now;
      s.data.push({ t: Math.round(now - s.basetimeMs) / 1000, v });
      if (s.data.length > MAX_BUFFERED) s.data.shift();
      if (s.state === 'open') this.flushIfDue(s, now);
      return;
    }
    this.notifyEvent(m, v, now);
  }

  private flushIfDue(s: Stream, now: number): void {
    const { interval, values } = s.params;
    const byCount = values !== undefined && values > 0 && s.data.length >= values;
    const byTime = interval !== undefined && interval > 0 && s.data.length > 0 && now - s.basetimeMs >= interval * 1000;
    // Neither parameter set: every sample goes out on its own.
    if (byCount || byTime || ((values ?? 0) <= 0 && (interval ?? 0) <= 0)) this.flush(s);
  }

  /** NotifyPeriodicEventStream (SEND, type 6), in messages of at most MAX_PER_MESSAGE elements. */
  private flush(s: Stream): void {
    const st = this.st;
    while (s.data.length > 0 && st.online) {
      const part = s.data.splice(0, MAX_PER_MESSAGE);
      const base = s.basetimeMs;
      const ok = st.session.sendUnconfirmed('NotifyPeriodicEventStream', {
        id: s.id, pending: s.data.length, basetime: new Date(base).toISOString(), data: part,
      });
      if (!ok) { s.data.unshift(...part); return; }
      this.sink.count('periodic_stream_messages');
      this.sink.add('periodic_stream_values', part.length);
      // The rest continues from its own first element.
      if (s.data.length > 0) {
        const shiftS = s.data[0]!.t;
        s.basetimeMs = base + shiftS * 1000;
        for (const e of s.data) e.t = Math.round((e.t - shiftS) * 1000) / 1000;
      }
    }
  }

  private stop(m: Monitor, close: boolean): void {
    this.st.ctx.timeline.cancel(m.token);
    m.token = -1;
    this.monitors.delete(m.id);
    const s = m.stream;
    if (!s || s.state !== 'open') return;
    this.flush(s);
    s.state = 'closed';
    if (!close || this.st.version !== '2.1' || !this.st.online) return;
    this.sink.count('periodic_streams_closed');
    queueMicrotask(() => void this.st.call('ClosePeriodicEventStream', { id: s.id }));
  }

  /** A monitor's event without a stream (N07): trigger Periodic, CustomMonitor. */
  private notifyEvent(m: Monitor, v: string, now: number): void {
    const st = this.st;
    if (!st.online) return;
    this.sink.count('monitor_events');
    const ts = new Date(now).toISOString();
    void st.call('NotifyEvent', {
      generatedAt: ts, seqNo: 0, tbc: false,
      eventData: [{
        eventId: ++this.eventIds, timestamp: ts, trigger: 'Periodic', actualValue: v, eventNotificationType: 'CustomMonitor',
        variableMonitoringId: m.id, component: m.component, variable: m.variable,
      }],
    });
  }
}

const STATES = new WeakMap<Station, MonitorState>();

/** The monitors and streams of a station (created on first use). */
export function monitorState(st: Station): MonitorState {
  let s = STATES.get(st);
  if (!s) STATES.set(st, (s = new MonitorState(st)));
  return s;
}

function setVariableMonitoring(st: Station, p: Payload): Payload {
  const ms = monitorState(st);
  const started: Parameters<MonitorState['start']>[0][] = [];
  const setMonitoringResult = (p.setMonitoringData as Payload[]).map((d) => {
    const r = ms.set(d);
    if (r.start) started.push(r.start);
    return r.result;
  });
  // Answer first: OpenPeriodicEventStream and the samples follow the response.
  if (started.length > 0) queueMicrotask(() => { for (const m of started) void ms.start(m); });
  return { setMonitoringResult };
}

function clearVariableMonitoring(st: Station, p: Payload): Payload {
  const ms = monitorState(st);
  return { clearMonitoringResult: (p.id as number[]).map((id) => ({ status: ms.clear(id), id })) };
}

function adjustPeriodicEventStream(st: Station, p: Payload): Payload {
  return monitorState(st).adjust(p.id, p.params) ? { status: 'Accepted' } : { status: 'Rejected', statusInfo: { reasonCode: 'UnknownStream' } };
}

function getPeriodicEventStream(st: Station): Payload {
  const list = monitorState(st).openStreams();
  return list.length > 0 ? { constantStreamData: list } : {};
}

/** CSMS→station monitoring and stream actions, answered by every station (handlers.ts). */
export const MONITORING_HANDLERS: Readonly<Record<string, StationCallHandler>> = {
  SetVariableMonitoring: setVariableMonitoring,
  ClearVariableMonitoring: clearVariableMonitoring,
  AdjustPeriodicEventStream: adjustPeriodicEventStream,
  GetPeriodicEventStream: getPeriodicEventStream,
};
