import type { Payload } from '../../ocpp/session.js';

/**
 * One MeterValueType reduced to what the physics rules use (FLOWS.md §3.6). Values in Wh, W, A, V, %; NaN when
 * the sample did not carry the measurand. One instance is reused for every sample (no allocation per frame).
 */
export class Sample {
  tsMs = NaN;
  wh = NaN;
  powerW = NaN;
  soc = NaN;
  /** Sum of phase currents (AC) or the DC current. */
  currentA = NaN;
  /** Mean phase voltage (AC) or the DC voltage. */
  voltageV = NaN;
  /** Σ V·I over the phases that reported both (W), NaN when none did. */
  viW = NaN;
  /** Any phase-tagged value or a Frequency reading: the EVSE is AC. */
  ac = false;
  phases = 0;

  clear(): void {
    this.tsMs = NaN; this.wh = NaN; this.powerW = NaN; this.soc = NaN; this.currentA = NaN; this.voltageV = NaN; this.viW = NaN;
    this.ac = false; this.phases = 0;
  }
}

const REGISTER = 'Energy.Active.Import.Register';
const PHASE_INDEX: Readonly<Record<string, number>> = { L1: 0, L2: 1, L3: 2, 'L1-N': 0, 'L2-N': 1, 'L3-N': 2 };

// Scratch for per-phase current and voltage of the sample being read.
const phaseI = new Float64Array(3);
const phaseV = new Float64Array(3);

// A station stamps the event and its samples with the same instant: parse each distinct string once.
let lastTsText = '';
let lastTsMs = NaN;
/** Date.parse with a one-entry memo. */
export function parseTs(text: unknown): number {
  if (typeof text !== 'string') return NaN;
  if (text !== lastTsText) { lastTsText = text; lastTsMs = Date.parse(text); }
  return lastTsMs;
}

function scaled(sv: Payload, base: string, kilo: string): number {
  const v = sv.value;
  if (typeof v !== 'number' || !Number.isFinite(v)) return NaN;
  const u = sv.unitOfMeasure as Payload | undefined;
  const unit = typeof u?.unit === 'string' ? u.unit : base;
  const mult = typeof u?.multiplier === 'number' ? 10 ** u.multiplier : 1;
  if (unit === base) return v * mult;
  if (unit === kilo) return v * mult * 1000;
  return NaN;
}

/**
 * Reads one `meterValue[]` entry into `s`. The register and power: a phase-less value wins, else the sum of L1-L3
 * (RegisterValuesWithoutPhases). Current/voltage per phase feed V·I. Locations other than Outlet/Inlet (and EV
 * for SoC) are ignored. Returns false when the entry is not an object with a sampledValue array.
 */
export function readSample(mv: unknown, s: Sample): boolean {
  s.clear();
  if (mv === null || typeof mv !== 'object') return false;
  const m = mv as Payload;
  const list = m.sampledValue;
  if (!Array.isArray(list)) return false;
  s.tsMs = parseTs(m.timestamp);
  let whPhases = 0; let whSum = 0;
  let pPhases = 0; let pSum = 0;
  phaseI.fill(NaN); phaseV.fill(NaN);
  let iWhole = NaN; let vWhole = NaN;
  for (let k = 0; k < list.length; k++) {
    const sv = list[k] as Payload;
    if (sv === null || typeof sv !== 'object') continue;
    const measurand = typeof sv.measurand === 'string' ? sv.measurand : REGISTER;
    const loc = sv.location;
    const phase = sv.phase as string | undefined;
    if (phase !== undefined) s.ac = true;
    if (measurand === 'SoC') {
      const soc = typeof sv.value === 'number' ? sv.value : NaN;
      if (Number.isFinite(soc)) s.soc = soc;
      continue;
    }
    if (loc !== undefined && loc !== 'Outlet' && loc !== 'Inlet') continue;
    switch (measurand) {
      case REGISTER: {
        const wh = scaled(sv, 'Wh', 'kWh');
        if (Number.isNaN(wh)) break;
        if (phase === undefined) s.wh = wh;
        else if (PHASE_INDEX[phase] !== undefined && phase.length === 2) { whPhases++; whSum += wh; }
        break;
      }
      case 'Power.Active.Import': {
        const w = scaled(sv, 'W', 'kW');
        if (Number.isNaN(w)) break;
        if (phase === undefined) s.powerW = w;
        else if (PHASE_INDEX[phase] !== undefined && phase.length === 2) { pPhases++; pSum += w; }
        break;
      }
      case 'Current.Import': {
        const a = scaled(sv, 'A', 'kA');
        if (Number.isNaN(a)) break;
        const i = phase === undefined ? -1 : PHASE_INDEX[phase];
        if (i === undefined) break;
        if (i < 0) iWhole = a; else phaseI[i] = a;
        break;
      }
      case 'Voltage': {
        const v = scaled(sv, 'V', 'kV');
        if (Number.isNaN(v)) break;
        const i = phase === undefined ? -1 : PHASE_INDEX[phase];
        if (i === undefined) break;
        if (i < 0) vWhole = v; else phaseV[i] = v;
        break;
      }
      case 'Frequency':
        s.ac = true;
        break;
    }
  }
  if (Number.isNaN(s.wh) && whPhases > 0) s.wh = whSum;
  if (Number.isNaN(s.powerW) && pPhases > 0) s.powerW = pSum;
  let iSum = 0; let vSum = 0; let vi = 0; let nI = 0; let nV = 0; let nVI = 0;
  for (let p = 0; p < 3; p++) {
    const a = phaseI[p]!; const v = phaseV[p]!;
    if (!Number.isNaN(a)) { iSum += a; nI++; }
    if (!Number.isNaN(v)) { vSum += v; nV++; }
    const vv = Number.isNaN(v) ? vWhole : v;
    if (!Number.isNaN(a) && !Number.isNaN(vv)) { vi += a * vv; nVI++; }
  }
  if (nI > 0) { s.currentA = iSum; s.phases = nI; } else s.currentA = iWhole;
  s.voltageV = nV > 0 ? vSum / nV : vWhole;
  if (nVI > 0) s.viW = vi;
  else if (!Number.isNaN(iWhole) && !Number.isNaN(vWhole)) s.viW = iWhole * vWhole;
  return true;
}
