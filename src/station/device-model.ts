import type { EvseModel } from '../scenario/spec.js';
import { checkValue } from './device-model-check.js';
import {
  deviceModelTemplate, DeviceModelTemplate, stationRow, UNKNOWN_COMPONENT, UNKNOWN_VARIABLE,
} from './device-model-template.js';
import { buildReport, type ComponentCriterion, type ComponentVariableSelector, type ReportBase, type ReportData } from './device-model-report.js';
import { parseMeasurands, type Measurand } from './meter.js';
import type { SmartChargingLimits } from './charging-profile.js';

export { deviceModelTemplate, DeviceModelTemplate } from './device-model-template.js';
export type { ComponentCriterion, ComponentVariableSelector, ReportBase, ReportData } from './device-model-report.js';

export type AttributeType = 'Actual' | 'Target' | 'MinSet' | 'MaxSet';

/** ComponentType */
export interface ComponentRef {
  name: string;
  instance?: string;
  evse?: { id: number; connectorId?: number };
}

/** VariableType */
export interface VariableRef {
  name: string;
  instance?: string;
}

export interface StatusInfo { reasonCode: string; additionalInfo?: string }

export interface GetVariableData { component: ComponentRef; variable: VariableRef; attributeType?: AttributeType }
export interface GetVariableResult {
  attributeStatus: 'Accepted' | 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType';
  attributeStatusInfo?: StatusInfo;
  attributeType?: AttributeType;
  attributeValue?: string;
  component: ComponentRef;
  variable: VariableRef;
}

export interface SetVariableData { component: ComponentRef; variable: VariableRef; attributeType?: AttributeType; attributeValue: string }
export interface SetVariableResult {
  attributeStatus: 'Accepted' | 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType' | 'RebootRequired';
  attributeStatusInfo?: StatusInfo;
  attributeType?: AttributeType;
  component: ComponentRef;
  variable: VariableRef;
}

/** A variable changed by SetVariables (passed to DeviceModel.onChange). */
export interface VariableChange {
  component: string;
  variable: string;
  instance?: string;
  /** 0 for station-level components. */
  evseId: number;
  connectorId: number;
  value: string;
  rebootRequired: boolean;
}

/** Supplies live values of `dynamic` variables (AvailabilityState, EVSE.Power, Entries[ChargingProfiles]). */
export interface DynamicValueSource {
  dynamicValue(component: string, variable: string, evseId: number, connectorId: number): string | undefined;
}

// Station-level rows have the same index in every template (see DeviceModelTemplate).
const R = Object.freeze({
  heartbeat: stationRow('OCPPCommCtrlr', 'HeartbeatInterval'),
  messageTimeout: stationRow('OCPPCommCtrlr', 'MessageTimeout', 'Default'),
  txAttempts: stationRow('OCPPCommCtrlr', 'MessageAttempts', 'TransactionEvent'),
  txAttemptInterval: stationRow('OCPPCommCtrlr', 'MessageAttemptInterval', 'TransactionEvent'),
  offlineThreshold: stationRow('OCPPCommCtrlr', 'OfflineThreshold'),
  queueAll: stationRow('OCPPCommCtrlr', 'QueueAllMessages'),
  backOffMin: stationRow('OCPPCommCtrlr', 'RetryBackOffWaitMinimum'),
  backOffRange: stationRow('OCPPCommCtrlr', 'RetryBackOffRandomRange'),
  backOffRepeat: stationRow('OCPPCommCtrlr', 'RetryBackOffRepeatTimes'),
  pingInterval: stationRow('OCPPCommCtrlr', 'WebSocketPingInterval'),
  securityProfile: stationRow('SecurityCtrlr', 'SecurityProfile'),
  password: stationRow('SecurityCtrlr', 'BasicAuthPassword'),
  txStartPoint: stationRow('TxCtrlr', 'TxStartPoint'),
  txStopPoint: stationRow('TxCtrlr', 'TxStopPoint'),
  evConnectionTimeOut: stationRow('TxCtrlr', 'EVConnectionTimeOut'),
  stopOnEvDisconnect: stationRow('TxCtrlr', 'StopTxOnEVSideDisconnect'),
  stopOnInvalidId: stationRow('TxCtrlr', 'StopTxOnInvalidId'),
  maxEnergyOnInvalidId: stationRow('TxCtrlr', 'MaxEnergyOnInvalidId'),
  txBeforeAccepted: stationRow('TxCtrlr', 'TxBeforeAcceptedEnabled'),
  txStartedMeasurands: stationRow('SampledDataCtrlr', 'TxStartedMeasurands'),
  txUpdatedMeasurands: stationRow('SampledDataCtrlr', 'TxUpdatedMeasurands'),
  txUpdatedInterval: stationRow('SampledDataCtrlr', 'TxUpdatedInterval'),
  txEndedMeasurands: stationRow('SampledDataCtrlr', 'TxEndedMeasurands'),
  txEndedInterval: stationRow('SampledDataCtrlr', 'TxEndedInterval'),
  alignedMeasurands: stationRow('AlignedDataCtrlr', 'Measurands'),
  alignedInterval: stationRow('AlignedDataCtrlr', 'Interval'),
  alignedDuringIdle: stationRow('AlignedDataCtrlr', 'SendDuringIdle'),
  authorizeRemoteStart: stationRow('AuthCtrlr', 'AuthorizeRemoteStart'),
  localAuthorizeOffline: stationRow('AuthCtrlr', 'LocalAuthorizeOffline'),
  offlineTxUnknownId: stationRow('AuthCtrlr', 'OfflineTxForUnknownIdEnabled'),
  smartChargingEnabled: stationRow('SmartChargingCtrlr', 'Enabled'),
  reportItems: stationRow('DeviceDataCtrlr', 'ItemsPerMessage', 'GetReport'),
  getItems: stationRow('DeviceDataCtrlr', 'ItemsPerMessage', 'GetVariables'),
  setItems: stationRow('DeviceDataCtrlr', 'ItemsPerMessage', 'SetVariables'),
  configValueSize: stationRow('DeviceDataCtrlr', 'ConfigurationValueSize'),
  reportValueSize: stationRow('DeviceDataCtrlr', 'ReportingValueSize'),
});

const lists = new Map<string, readonly string[]>();

/**
 * One station's device model: the shared template plus this station's own values (SetVariables results and
 * station-internal writes), kept as a short flat list because most stations never change more than a few.
 * Serves GetVariables / SetVariables (B06/B05), GetBaseReport / GetReport (B07/B08) and typed reads for the
 * state machine.
 */
export class DeviceModel {
  readonly template: DeviceModelTemplate;
  /** Called after SetVariables changed a value (Accepted or RebootRequired). */
  onChange: ((change: VariableChange) => void) | undefined = undefined;
  /** Live values of dynamic variables; unset = their defaults. */
  source: DynamicValueSource | undefined = undefined;
  /** [row, value, row, value, ...] */
  private own: (number | string)[] | null = null;

  /**
   * @param model a shared template, or a group's EVSE list (its template is looked up in a cache).
   * @param initial `Component.Variable[Instance]` → value. With an EVSE list, values of per-station
   *   variables (SecurityCtrlr.Identity) stay with this station and the rest select the shared template, so
   *   stations given the same run-wide values share one; with a template, all become this station's own.
   */
  constructor(model: DeviceModelTemplate | readonly EvseModel[], initial: Readonly<Record<string, string>> = {}) {
    let own: [string, string][];
    if (model instanceof DeviceModelTemplate) {
      this.template = model;
      own = Object.entries(initial);
    } else {
      const shared: Record<string, string> = {};
      own = [];
      const probe = deviceModelTemplate(model);
      for (const [k, val] of Object.entries(initial)) {
        const r = probe.rowByName(k);
        if (r >= 0 && probe.rows[r]!.spec.perStation) own.push([k, val]);
        else shared[k] = val;
      }
      this.template = deviceModelTemplate(model, shared);
    }
    for (const [k, val] of own) {
      const r = this.template.rowByName(k);
      if (r < 0) throw new Error(`device model has no station variable '${k}'`);
      this.store(r, val);
    }
  }

  /** GetVariablesRequest.getVariableData → getVariableResult, one per item in the same order (B06). */
  getVariables(data: readonly GetVariableData[]): GetVariableResult[] {
    const out: GetVariableResult[] = [];
    for (const d of data) {
      const res: GetVariableResult = { attributeStatus: 'Accepted', component: d.component, variable: d.variable };
      if (d.attributeType !== undefined) res.attributeType = d.attributeType;
      const r = this.locate(d.component, d.variable);
      const type = d.attributeType ?? 'Actual';
      if (r === UNKNOWN_COMPONENT) res.attributeStatus = 'UnknownComponent';
      else if (r === UNKNOWN_VARIABLE) res.attributeStatus = 'UnknownVariable';
      else {
        const spec = this.template.rows[r]!.spec;
        if (type === 'MaxSet' && spec.maxSet !== undefined) res.attributeValue = spec.maxSet;
        else if (type !== 'Actual') res.attributeStatus = 'NotSupportedAttributeType';
        else if (spec.mutability === 'WriteOnly') {
          res.attributeStatus = 'Rejected';
          res.attributeStatusInfo = { reasonCode: 'WriteOnly' };
        } else res.attributeValue = this.valueAt(r).slice(0, this.intAt(R.reportValueSize));
      }
      out.push(res);
    }
    return out;
  }

  /** SetVariablesRequest.setVariableData → setVariableResult, one per item in the same order (B05). */
  setVariables(data: readonly SetVariableData[]): SetVariableResult[] {
    const out: SetVariableResult[] = [];
    for (const d of data) {
      const res: SetVariableResult = { attributeStatus: 'Accepted', component: d.component, variable: d.variable };
      if (d.attributeType !== undefined) res.attributeType = d.attributeType;
      out.push(res);
      const r = this.locate(d.component, d.variable);
      if (r === UNKNOWN_COMPONENT) { res.attributeStatus = 'UnknownComponent'; continue; }
      if (r === UNKNOWN_VARIABLE) { res.attributeStatus = 'UnknownVariable'; continue; }
      const row = this.template.rows[r]!;
      const type = d.attributeType ?? 'Actual';
      if (type !== 'Actual' && !(type === 'MaxSet' && row.spec.maxSet !== undefined)) { res.attributeStatus = 'NotSupportedAttributeType'; continue; }
      if (type !== 'Actual' || row.spec.mutability === 'ReadOnly') {
        res.attributeStatus = 'Rejected';
        res.attributeStatusInfo = { reasonCode: 'ReadOnly' };
        continue;
      }
      const checked = checkValue(row.spec, d.attributeValue, this.intAt(R.configValueSize));
      if (!checked.ok) {
        res.attributeStatus = 'Rejected';
        res.attributeStatusInfo = { reasonCode: checked.reasonCode, additionalInfo: checked.additionalInfo };
        continue;
      }
      this.store(r, checked.value);
      const reboot = row.spec.rebootRequired === true;
      if (reboot) res.attributeStatus = 'RebootRequired';
      const hook = this.onChange;
      if (hook) {
        const change: VariableChange = {
          component: row.spec.component, variable: row.spec.variable, evseId: row.evseId, connectorId: row.connectorId,
          value: checked.value, rebootRequired: reboot,
        };
        if (row.spec.instance !== undefined) change.instance = row.spec.instance;
        hook(change);
      }
    }
    return out;
  }

  /**
   * The Actual value of a variable as the station itself sees it (WriteOnly ones included), or undefined if
   * the model has no such variable.
   */
  value(component: string, variable: string, instance?: string, evse?: { id: number; connectorId?: number }): string | undefined {
    const r = this.template.find(component, undefined, evse?.id ?? 0, evse?.connectorId ?? 0, variable, instance);
    return r < 0 ? undefined : this.valueAt(r);
  }

  /** Station-internal write (e.g. HeartbeatInterval from BootNotificationResponse): no checks, no onChange. */
  set(component: string, variable: string, value: string, instance?: string, evse?: { id: number; connectorId?: number }): boolean {
    const r = this.template.find(component, undefined, evse?.id ?? 0, evse?.connectorId ?? 0, variable, instance);
    if (r < 0) return false;
    this.store(r, value);
    return true;
  }

  int(component: string, variable: string, fallback: number, instance?: string): number {
    const n = Number(this.value(component, variable, instance));
    return Number.isFinite(n) ? n : fallback;
  }

  bool(component: string, variable: string, fallback: boolean, instance?: string): boolean {
    const s = this.value(component, variable, instance);
    return s === undefined ? fallback : s === 'true';
  }

  /** A MemberList / SequenceList value as items (memoised per string, shared across stations). */
  list(component: string, variable: string, instance?: string): readonly string[] {
    return splitList(this.value(component, variable, instance) ?? '');
  }

  // Typed getters for what the state machine reads often: fixed rows, no key building.
  get heartbeatIntervalS(): number { return this.intAt(R.heartbeat); }
  get messageTimeoutS(): number { return this.intAt(R.messageTimeout); }
  get messageAttemptsTransactionEvent(): number { return this.intAt(R.txAttempts); }
  get messageAttemptIntervalTransactionEventS(): number { return this.intAt(R.txAttemptInterval); }
  get offlineThresholdS(): number { return this.intAt(R.offlineThreshold); }
  get queueAllMessages(): boolean { return this.boolAt(R.queueAll); }
  get retryBackOffWaitMinimumS(): number { return this.intAt(R.backOffMin); }
  get retryBackOffRandomRangeS(): number { return this.intAt(R.backOffRange); }
  get retryBackOffRepeatTimes(): number { return this.intAt(R.backOffRepeat); }
  get webSocketPingIntervalS(): number { return this.intAt(R.pingInterval); }
  get securityProfile(): number { return this.intAt(R.securityProfile); }
  get basicAuthPassword(): string { return this.valueAt(R.password); }
  get txStartPoint(): readonly string[] { return splitList(this.valueAt(R.txStartPoint)); }
  get txStopPoint(): readonly string[] { return splitList(this.valueAt(R.txStopPoint)); }
  get evConnectionTimeOutS(): number { return this.intAt(R.evConnectionTimeOut); }
  get stopTxOnEVSideDisconnect(): boolean { return this.boolAt(R.stopOnEvDisconnect); }
  get stopTxOnInvalidId(): boolean { return this.boolAt(R.stopOnInvalidId); }
  get maxEnergyOnInvalidIdWh(): number { return this.intAt(R.maxEnergyOnInvalidId); }
  get txBeforeAcceptedEnabled(): boolean { return this.boolAt(R.txBeforeAccepted); }
  get txStartedMeasurands(): readonly Measurand[] { return parseMeasurands(this.valueAt(R.txStartedMeasurands)); }
  get txUpdatedMeasurands(): readonly Measurand[] { return parseMeasurands(this.valueAt(R.txUpdatedMeasurands)); }
  get txUpdatedIntervalS(): number { return this.intAt(R.txUpdatedInterval); }
  get txEndedMeasurands(): readonly Measurand[] { return parseMeasurands(this.valueAt(R.txEndedMeasurands)); }
  get txEndedIntervalS(): number { return this.intAt(R.txEndedInterval); }
  get alignedMeasurands(): readonly Measurand[] { return parseMeasurands(this.valueAt(R.alignedMeasurands)); }
  get alignedIntervalS(): number { return this.intAt(R.alignedInterval); }
  get alignedSendDuringIdle(): boolean { return this.boolAt(R.alignedDuringIdle); }
  get authorizeRemoteStart(): boolean { return this.boolAt(R.authorizeRemoteStart); }
  get localAuthorizeOffline(): boolean { return this.boolAt(R.localAuthorizeOffline); }
  get offlineTxForUnknownIdEnabled(): boolean { return this.boolAt(R.offlineTxUnknownId); }
  get smartChargingEnabled(): boolean { return this.boolAt(R.smartChargingEnabled); }
  get itemsPerMessageGetReport(): number { return this.intAt(R.reportItems); }
  get itemsPerMessageGetVariables(): number { return this.intAt(R.getItems); }
  get itemsPerMessageSetVariables(): number { return this.intAt(R.setItems); }
  /** What ProfileStore needs to know of SmartChargingCtrlr. */
  get smartChargingLimits(): Readonly<SmartChargingLimits> { return this.template.smartChargingLimits; }

  /**
   * GetBaseReportRequest (B07): the reportData of NotifyReportRequests, in chunks of
   * DeviceDataCtrlr.ItemsPerMessage[GetReport] (or `itemsPerMessage`). Empty = answer EmptyResultSet.
   */
  report(base: ReportBase, itemsPerMessage?: number): ReportData[][] {
    return buildReport(this, base, undefined, undefined, itemsPerMessage ?? this.itemsPerMessageGetReport);
  }

  /** GetReportRequest (B08): filtered by componentVariable and/or componentCriteria, chunked like report(). */
  customReport(
    selectors?: readonly ComponentVariableSelector[], criteria?: readonly ComponentCriterion[], itemsPerMessage?: number,
  ): ReportData[][] {
    return buildReport(this, undefined, selectors, criteria, itemsPerMessage ?? this.itemsPerMessageGetReport);
  }

  /** Current Actual value of a row: live (dynamic), this station's own, or the template default. */
  valueAt(row: number): string {
    const t = this.template.rows[row]!;
    if (t.spec.dynamic && this.source) {
      const live = this.source.dynamicValue(t.spec.component, t.spec.variable, t.evseId, t.connectorId);
      if (live !== undefined) return live;
    }
    const own = this.own;
    if (own) for (let i = 0; i < own.length; i += 2) if (own[i] === row) return own[i + 1] as string;
    return t.value;
  }

  private intAt(row: number): number {
    const n = Number(this.valueAt(row));
    return Number.isFinite(n) ? n : Number(this.template.rows[row]!.spec.value);
  }

  private boolAt(row: number): boolean {
    return this.valueAt(row) === 'true';
  }

  private locate(c: ComponentRef, v: VariableRef): number {
    return this.template.find(c.name, c.instance, c.evse?.id ?? 0, c.evse?.connectorId ?? 0, v.name, v.instance);
  }

  private store(row: number, value: string): void {
    const own = this.own ?? (this.own = []);
    for (let i = 0; i < own.length; i += 2) {
      if (own[i] === row) {
        if (value === this.template.rows[row]!.value) own.splice(i, 2);
        else own[i + 1] = value;
        if (own.length === 0) this.own = null;
        return;
      }
    }
    if (value !== this.template.rows[row]!.value) own.push(row, value);
    else if (own.length === 0) this.own = null;
  }
}

function splitList(s: string): readonly string[] {
  let l = lists.get(s);
  if (!l) {
    l = Object.freeze(s === '' ? [] : s.split(',').map((x) => x.trim()));
    if (lists.size >= 256) lists.clear();
    lists.set(s, l);
  }
  return l;
}
