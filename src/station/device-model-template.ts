import type { EvseModel } from '../scenario/spec.js';
import {
  chargingStationVariables, connectorVariables, evseVariables, STATION_VARIABLES, type VariableSpec,
} from './device-model-table.js';
import type { SmartChargingLimits } from './charging-profile.js';

/** One variable of one component instance (EVSE / connector numbers 0 = not an EVSE or connector component). */
export interface Row {
  readonly spec: VariableSpec;
  readonly evseId: number;
  readonly connectorId: number;
  /** Default Actual value, after the template defaults. */
  readonly value: string;
}

/** find() results that are not row indices. */
export const UNKNOWN_COMPONENT = -2;
export const UNKNOWN_VARIABLE = -1;

/**
 * The device model of one station *kind*: the static table expanded for a group's EVSEs and connectors, with
 * run-wide defaults applied. Built once per (EVSE list, defaults) and shared by every station of the group.
 * Rows start with STATION_VARIABLES in table order, so a station-level variable has the same row everywhere.
 */
export class DeviceModelTemplate {
  readonly rows: readonly Row[];
  /** SmartChargingCtrlr capabilities as the profile store needs them (all ReadOnly, so fixed per template). */
  readonly smartChargingLimits: Readonly<SmartChargingLimits>;
  private readonly variables = new Map<string, number>();
  private readonly components = new Set<string>();

  constructor(evses: readonly EvseModel[], defaults: Readonly<Record<string, string>> = {}) {
    const rows: Row[] = [];
    const add = (spec: VariableSpec, evseId: number, connectorId: number): void => {
      const ck = componentKey(spec.component, undefined, evseId, connectorId);
      this.components.add(ck);
      this.variables.set(variableKey(ck, spec.variable, spec.instance), rows.length);
      rows.push({ spec, evseId, connectorId, value: spec.value });
    };
    for (const s of STATION_VARIABLES) add(s, 0, 0);
    for (const s of chargingStationVariables(evses)) add(s, 0, 0);
    evses.forEach((m, i) => {
      for (const s of evseVariables(m)) add(s, i + 1, 0);
      m.connectors.forEach((c, j) => { for (const s of connectorVariables(m, c)) add(s, i + 1, j + 1); });
    });
    for (const [name, value] of Object.entries(defaults)) {
      const r = this.rowByName(name);
      if (r < 0 || rows[r]!.evseId !== 0) throw new Error(`device model has no station variable '${name}'`);
      rows[r] = { ...rows[r]!, value };
    }
    this.rows = Object.freeze(rows);
    const int = (name: string, fallback: number): number => {
      const r = this.rowByName(name);
      const s = r < 0 ? undefined : rows[r]!;
      const n = Number(s?.value);
      return Number.isFinite(n) ? n : fallback;
    };
    this.smartChargingLimits = Object.freeze({
      maxStackLevel: int('SmartChargingCtrlr.ProfileStackLevel', 8),
      maxPeriods: int('SmartChargingCtrlr.PeriodsPerSchedule', 24),
      maxProfiles: this.rows[this.rowByName('SmartChargingCtrlr.Entries[ChargingProfiles]')]?.spec.maxLimit ?? 16,
    });
  }

  /** Row of a component variable, or UNKNOWN_COMPONENT / UNKNOWN_VARIABLE. */
  find(component: string, componentInstance: string | undefined, evseId: number, connectorId: number,
    variable: string, instance: string | undefined): number {
    const ck = componentKey(component, componentInstance, evseId, connectorId);
    const r = this.variables.get(variableKey(ck, variable, instance));
    if (r !== undefined) return r;
    return this.components.has(ck) ? UNKNOWN_VARIABLE : UNKNOWN_COMPONENT;
  }

  /** Row of a station-level variable named `Component.Variable` or `Component.Variable[Instance]`; -1 if none. */
  rowByName(name: string): number {
    const m = /^([^.[\]]+)\.([^.[\]]+)(?:\[([^\]]+)\])?$/.exec(name);
    if (!m) return -1;
    const r = this.variables.get(variableKey(componentKey(m[1]!, undefined, 0, 0), m[2]!, m[3]));
    return r ?? -1;
  }
}

function componentKey(name: string, instance: string | undefined, evseId: number, connectorId: number): string {
  return `${name}\u0001${instance ?? ''}\u0001${evseId}\u0001${connectorId}`;
}

function variableKey(componentKeyStr: string, variable: string, instance: string | undefined): string {
  return `${componentKeyStr}\u0002${variable}\u0001${instance ?? ''}`;
}

/** Row index of a station-level variable, fixed for every template (used by the typed getters). */
export function stationRow(component: string, variable: string, instance?: string): number {
  const i = STATION_VARIABLES.findIndex((s) => s.component === component && s.variable === variable && s.instance === instance);
  if (i < 0) throw new Error(`no station variable ${component}.${variable}${instance ? `[${instance}]` : ''}`);
  return i;
}

const cache = new WeakMap<readonly EvseModel[], Map<string, DeviceModelTemplate>>();
const CACHE_PER_GROUP = 16;

/**
 * The shared template for an EVSE list and run-wide defaults (`Component.Variable[Instance]` → value),
 * memoised on the list's identity and the defaults' content: stations of one group share one template.
 */
export function deviceModelTemplate(evses: readonly EvseModel[], defaults: Readonly<Record<string, string>> = {}): DeviceModelTemplate {
  const key = JSON.stringify(Object.entries(defaults).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  let byDefaults = cache.get(evses);
  if (!byDefaults) cache.set(evses, (byDefaults = new Map()));
  let t = byDefaults.get(key);
  if (!t) {
    t = new DeviceModelTemplate(evses, defaults);
    if (byDefaults.size < CACHE_PER_GROUP) byDefaults.set(key, t);
  }
  return t;
}
