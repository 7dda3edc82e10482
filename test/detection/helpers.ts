import { DEFAULT_GRACE_MS, defaultClass, type Alert, type AlertEntity, type AttackInstance, type InstanceType, type Scope } from '../../src/detection/types.js';

/** t = 0 of the hand-computed cases. */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const s = (seconds: number): number => T0 + seconds * 1000;

export function inst(id: string, type: InstanceType, scope: Scope, startS: number, endS: number, graceMs?: number): AttackInstance {
  return { id, type, cls: defaultClass(type), scope, tStartMs: s(startS), tEndMs: s(endS), graceMs: graceMs ?? DEFAULT_GRACE_MS[type] };
}

export function alert(alertId: string, atS: number, category: string, entity: AlertEntity): Alert {
  return { alertId, ts: s(atS), category, entity };
}
