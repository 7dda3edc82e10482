import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { Fields, integer, listOf, oneOf, scaled, type Raw, type Reader } from '../read.js';
import type { ConnectorModel, EvseModel } from '../spec.js';

export const EVSE_KEYS = ['type', 'maxKw', 'phases', 'voltage', 'connectors'] as const;

/**
 * ConnectorEnumStringType values of OCPP 2.1 (Appendices; 2.0.1's closed ConnectorEnumType plus the 2.1
 * additions). The field is an open string ≤ 20 in 2.1, but an unknown value in a scenario is far more often a
 * typo than a new connector, so it is rejected.
 */
export const CONNECTOR_TYPES = [
  'cCCS1', 'cCCS2', 'cChaoJi', 'cG105', 'cGBT', 'cLECCS', 'cMCS', 'cNACS', 'cNACS-CCS1', 'cTesla', 'cType1', 'cType2',
  'cUltraChaoJi', 's309-1P-16A', 's309-1P-32A', 's309-3P-16A', 's309-3P-32A', 'sBS1361', 'sCEE-7-7', 'sType2', 'sType3',
  'wInductive', 'wResonant', 'bBatterySlot', 'Other1PhMax16A', 'Other1PhOver16A', 'Other3Ph', 'Pan', 'Undetermined', 'Unknown',
] as const;

// Above this per-phase current an "AC" EVSE is almost certainly a DC charger typed as AC (Type 2 tops out at 63 A).
const MAX_AC_CURRENT_A = 80;

/** One source of EVSE keys: the group's `evse:` model, or an entry of an `evses:` list. */
export interface EvseLayer {
  raw: Raw;
  path: Path;
}

/**
 * Reads one EVSE model from layers, later layers winning key by key, so a list entry can override only
 * `maxKw` of the group's model. Each value is reported at the path where it was written.
 */
export function readEvse(p: Problems, layers: readonly EvseLayer[]): EvseModel {
  const pick = (key: string): Fields | undefined => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i]!;
      if (l.raw[key] !== undefined && l.raw[key] !== null) return new Fields(p, l.raw, l.path);
    }
    return undefined;
  };
  const type = pick('type')?.opt('type', 'AC', oneOf(['AC', 'DC'] as const)) ?? 'AC';
  const base = DEFAULTS.evse[type];
  const maxPowerW = pick('maxKw')?.opt('maxKw', base.maxPowerW, scaled(1000, { min: 0, above: true, max: 4000 })) ?? base.maxPowerW;
  const phasesAt = pick('phases');
  let phases = base.phases;
  if (phasesAt && type === 'DC') p.add(phasesAt.at('phases'), "'phases' applies to AC EVSEs only");
  else if (phasesAt) phases = phasesAt.opt('phases', base.phases, oneOf([1, 3] as const));
  const voltageRange = type === 'AC' ? { min: 100, max: 480 } : { min: 50, max: 1500 };
  const voltageV = pick('voltage')?.opt('voltage', base.voltageV, integer(voltageRange)) ?? base.voltageV;
  const connectors = pick('connectors')?.opt('connectors', base.connectors, listOf(connector, { minItems: 1, single: true }))
    ?? base.connectors;

  if (type === 'AC') {
    const amps = maxPowerW / (phases * voltageV);
    if (amps > MAX_AC_CURRENT_A) {
      p.add(pick('maxKw')?.at('maxKw') ?? layers[layers.length - 1]?.path ?? [],
        `${maxPowerW / 1000} kW on ${phases} phase(s) at ${voltageV} V is ${Math.round(amps)} A per phase — AC tops out at ` +
        `${MAX_AC_CURRENT_A} A; did you mean type: DC?`);
    }
  }
  return { current: type, maxPowerW, phases, voltageV, connectors };
}

const connector: Reader<ConnectorModel> = (p, v, path) => {
  if (typeof v === 'string' && (CONNECTOR_TYPES as readonly string[]).includes(v)) return { type: v };
  if (typeof v === 'string' && /chademo/i.test(v)) {
    p.add(path, `"${v}": OCPP calls CHAdeMO 'cG105'`);
    return undefined;
  }
  const typed = oneOf(CONNECTOR_TYPES)(p, v, path);
  return typed === undefined ? undefined : { type: typed };
};
