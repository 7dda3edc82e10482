import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { describe, Fields, integer, isAbsent, isRaw, oneOf, readMap, string, type Raw, type Reader } from '../read.js';
import type { Behaviour, EvseModel, StationGroupSpec } from '../spec.js';
import { compileIdTemplate } from '../stationId.js';
import { EVSE_KEYS, readEvse, type EvseLayer } from './evse.js';
import { readV2x } from './v2x.js';
import { readPnc } from './pnc.js';
import { readSwap } from './battery-swap.js';
import { readTariffGroup } from './tariff.js';

/** Station behaviours (see Behaviour in spec.ts). */
export const BEHAVIOURS = ['charging', 'idle', 'plug-and-charge', 'v2x', 'battery-swap', 'tariff'] as const;

const GROUP_KEYS = ['name', 'count', 'idTemplate', 'evses', 'evse', 'behaviour', 'v2x', 'pnc', 'swap', 'tariff', 'vendor', 'model'] as const;
// Group names end up in station ids, metric labels and file names: keep them plain.
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const MAX_GROUP_COUNT = 10_000_000;
// A sanity bound: every EVSE is modelled in memory for every station.
const MAX_EVSES = 128;

/** `stations:` — the list of station groups. */
export const readStations: Reader<StationGroupSpec[]> = (p, v, path) => {
  if (!Array.isArray(v)) {
    p.add(path, isRaw(v)
      ? 'expected a list of station groups (start each group with "- ", e.g. "- count: 10")'
      : `expected a list of station groups, got ${describe(v)}`);
    return undefined;
  }
  if (v.length === 0) {
    p.add(path, 'at least one station group is required');
    return undefined;
  }
  const groups = v.map((item, i) => readGroup(p, item, [...path, i], i, v.length));
  // Names are compared as written, so a duplicate is reported even when the group has other problems.
  const seen = new Map<unknown, number>();
  v.forEach((item, i) => {
    const name: unknown = isRaw(item) && typeof item.name === 'string' ? item.name : undefined;
    if (name === undefined) return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else p.add([...path, i, 'name'], `duplicate group name '${String(name)}' (also used by stations[${first}])`);
  });
  return groups.every((g): g is StationGroupSpec => g !== undefined) ? groups : undefined;
};

function readGroup(p: Problems, v: unknown, path: Path, i: number, groupCount: number): StationGroupSpec | undefined {
  const m = readMap(p, v, path, GROUP_KEYS);
  if (!m) return undefined;
  const before = p.size;
  const f = new Fields(p, m, path);
  const name = f.opt('name', `${DEFAULTS.group.namePrefix}${i + 1}`, string({
    pattern: GROUP_NAME,
    patternHint: 'use 1..32 letters, digits, "_", "." or "-", starting with a letter or digit',
  }));
  const count = f.req('count', 1, integer({ min: 1, max: MAX_GROUP_COUNT }));
  const fallbackTemplate = groupCount > 1 ? DEFAULTS.group.idTemplateMultiGroup : DEFAULTS.group.idTemplate;
  const idTemplate = f.opt('idTemplate', fallbackTemplate, string({ maxLength: 200 }));
  const compiled = compileIdTemplate(idTemplate);
  if (typeof compiled === 'string') p.add(f.at('idTemplate'), compiled);
  else if (!compiled.hasIndex && count > 1) {
    p.add(f.at('idTemplate'), `"${idTemplate}" has no {index}: all ${count} stations of the group would get the same id`);
  }
  const group: StationGroupSpec = {
    name,
    count,
    idTemplate,
    evses: readEvses(p, f),
    behaviour: f.opt<Behaviour>('behaviour', DEFAULTS.group.behaviour, oneOf(BEHAVIOURS)),
  };
  // V2X: the bidirectional EV and grid model of a `v2x` group (sections/v2x.ts).
  if (group.behaviour === 'v2x') group.v2x = readV2x(p, m.v2x, f.at('v2x'));
  else if (f.has('v2x')) p.add(f.at('v2x'), `'v2x' applies to behaviour: v2x only (this group is '${group.behaviour}')`);
  // Plug & Charge: the ISO 15118 EVs of a `plug-and-charge` group (sections/pnc.ts).
  if (group.behaviour === 'plug-and-charge') group.pnc = readPnc(p, m.pnc, f.at('pnc'));
  else if (f.has('pnc')) p.add(f.at('pnc'), `'pnc' applies to behaviour: plug-and-charge only (this group is '${group.behaviour}')`);
  // Battery swapping: the batteries of a `battery-swap` group's slots (sections/battery-swap.ts).
  if (group.behaviour === 'battery-swap') group.swap = readSwap(p, m.swap, f.at('swap'), group.evses.length);
  else if (f.has('swap')) p.add(f.at('swap'), `'swap' applies to behaviour: battery-swap only (this group is '${group.behaviour}')`);
  // Tariffs and payments: local cost and the payment terminal of a `tariff` group (sections/tariff.ts).
  if (group.behaviour === 'tariff') group.tariff = readTariffGroup(p, m.tariff, f.at('tariff'));
  else if (f.has('tariff')) p.add(f.at('tariff'), `'tariff' applies to behaviour: tariff only (this group is '${group.behaviour}')`);
  // BootNotificationRequest.chargingStation: vendorName ≤ 50, model ≤ 20.
  const vendor = f.maybe('vendor', string({ maxLength: 50 }));
  const model = f.maybe('model', string({ maxLength: 20 }));
  if (vendor !== undefined) group.vendor = vendor;
  if (model !== undefined) group.model = model;
  return p.size > before ? undefined : group;
}

// `evses:` is a count of identical EVSEs (the `evse:` model) or a list of per-EVSE overrides of that model.
function readEvses(p: Problems, f: Fields): EvseModel[] {
  const model = f.has('evse') ? readMap(p, f.raw.evse, f.at('evse'), EVSE_KEYS) : undefined;
  const base: EvseLayer[] = model ? [{ raw: model, path: f.at('evse') }] : [];
  const v = f.raw.evses;
  if (Array.isArray(v)) {
    if (v.length === 0 || v.length > MAX_EVSES) {
      p.add(f.at('evses'), `a station has 1..${MAX_EVSES} EVSEs, got ${v.length}`);
      return [];
    }
    return v.map((entry, i) => {
      const at = [...f.at('evses'), i];
      const raw: Raw | undefined = isAbsent(entry) ? {} : readMap(p, entry, at, EVSE_KEYS);
      return readEvse(p, raw ? [...base, { raw, path: at }] : base);
    });
  }
  const n = f.opt('evses', DEFAULTS.group.evses, integer({ min: 1, max: MAX_EVSES }));
  const evse = readEvse(p, base);
  return Array.from({ length: n }, () => evse);
}
