import type { DataType, Mutability } from './device-model-table.js';
import type { DeviceModelTemplate, Row } from './device-model-template.js';
import type { ComponentRef, VariableRef } from './device-model.js';

export type ReportBase = 'ConfigurationInventory' | 'FullInventory' | 'SummaryInventory';
export type ComponentCriterion = 'Active' | 'Available' | 'Enabled' | 'Problem';

/** GetReportRequest.componentVariable[] item. */
export interface ComponentVariableSelector {
  component: ComponentRef;
  variable?: VariableRef;
}

export interface VariableAttribute {
  type: 'Actual' | 'MaxSet';
  value?: string;
  mutability: Mutability;
  persistent: boolean;
  constant: boolean;
}

/** NotifyReportRequest.reportData[] item (ReportDataType). */
export interface ReportData {
  component: ComponentRef;
  variable: VariableRef;
  variableAttribute: VariableAttribute[];
  variableCharacteristics: {
    unit?: string;
    dataType: DataType;
    minLimit?: number;
    maxLimit?: number;
    maxElements?: number;
    valuesList?: string;
    supportsMonitoring: boolean;
  };
}

/** What a report reads from a station's device model. */
export interface ReportSource {
  readonly template: DeviceModelTemplate;
  valueAt(row: number): string;
}

/** ReportingValueSize also bounds the schema's value maxLength (2500). */
const MAX_VALUE = 2500;

/**
 * Rows selected by a base report (B07: ConfigurationInventory = writable variables, FullInventory = all,
 * SummaryInventory = availability and problems) or by GetReport selectors and criteria (B08), as reportData
 * chunks of at most `perMessage` items, one chunk per NotifyReportRequest (seqNo = chunk index).
 */
export function buildReport(
  src: ReportSource, base: ReportBase | undefined, selectors: readonly ComponentVariableSelector[] | undefined,
  criteria: readonly ComponentCriterion[] | undefined, perMessage: number,
): ReportData[][] {
  const rows = src.template.rows;
  const qualifying = criteria && criteria.length > 0 ? componentsMeeting(src, criteria) : undefined;
  const items: ReportData[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (base === 'ConfigurationInventory' && row.spec.mutability === 'ReadOnly') continue;
    if (base === 'SummaryInventory' && !row.spec.summary) continue;
    if (selectors && selectors.length > 0 && !selectors.some((s) => selects(s, row))) continue;
    if (qualifying && !qualifying.has(componentId(row))) continue;
    items.push(reportData(src, r, row));
  }
  const n = Math.max(1, Math.floor(perMessage) || 1);
  const chunks: ReportData[][] = [];
  for (let i = 0; i < items.length; i += n) chunks.push(items.slice(i, i + n));
  return chunks;
}

function reportData(src: ReportSource, r: number, row: Row): ReportData {
  const s = row.spec;
  const component: ComponentRef = { name: s.component };
  if (row.evseId > 0) component.evse = row.connectorId > 0 ? { id: row.evseId, connectorId: row.connectorId } : { id: row.evseId };
  const variable: VariableRef = s.instance === undefined ? { name: s.variable } : { name: s.variable, instance: s.instance };
  // Dynamic values are measurements, not configuration: neither persistent nor constant.
  const fixed = s.mutability === 'ReadOnly' && !s.dynamic;
  const actual: VariableAttribute = { type: 'Actual', mutability: s.mutability, persistent: !s.dynamic, constant: fixed };
  // B07: the value of a WriteOnly variable (BasicAuthPassword) is never reported.
  if (s.mutability !== 'WriteOnly') actual.value = src.valueAt(r).slice(0, MAX_VALUE);
  const variableAttribute = [actual];
  if (s.maxSet !== undefined) variableAttribute.push({ type: 'MaxSet', value: s.maxSet, mutability: 'ReadOnly', persistent: true, constant: true });
  const ch: ReportData['variableCharacteristics'] = { dataType: s.dataType, supportsMonitoring: false };
  if (s.unit !== undefined) ch.unit = s.unit;
  if (s.minLimit !== undefined) ch.minLimit = s.minLimit;
  if (s.maxLimit !== undefined) ch.maxLimit = s.maxLimit;
  if (s.maxElements !== undefined) ch.maxElements = s.maxElements;
  if (s.valuesList !== undefined) ch.valuesList = s.valuesList;
  return { component, variable, variableAttribute, variableCharacteristics: ch };
}

function selects(sel: ComponentVariableSelector, row: Row): boolean {
  const c = sel.component;
  if (c.name !== row.spec.component || c.instance !== undefined) return false;
  if (c.evse !== undefined) {
    if (c.evse.id !== row.evseId) return false;
    if (c.evse.connectorId !== undefined && c.evse.connectorId !== row.connectorId) return false;
  }
  const v = sel.variable;
  if (v === undefined) return true;
  return v.name === row.spec.variable && (v.instance === undefined || v.instance === row.spec.instance);
}

function componentId(row: Row): string {
  return `${row.spec.component}/${row.evseId}/${row.connectorId}`;
}

/** B08 componentCriteria: components that have a variable named after a criterion set to true. */
function componentsMeeting(src: ReportSource, criteria: readonly ComponentCriterion[]): Set<string> {
  const out = new Set<string>();
  const rows = src.template.rows;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.spec.dataType === 'boolean' && (criteria as readonly string[]).includes(row.spec.variable) && src.valueAt(r) === 'true') {
      out.add(componentId(row));
    }
  }
  return out;
}
