import { normalizeCategory, type CategoryTable } from './categories.js';
import type { ScopeIndex } from './match.js';
import type { NabFalsePositive } from './nab.js';
import { isAttackType, type Alert, type AttackType } from './types.js';

/** Per attack instance: its first matching alert and how many matched. */
export interface AttackHits { first: Alert | null; matched: number }

/** What walking the alerts in time order found (ATTACKS.md §4 matching). */
export interface Assignment {
  state: AttackHits[];
  /** Per hard negative: maintenance alerts on a fault; any other alert in its window and scope. */
  negMaintenance: number[];
  negOther: number[];
  falsePositives: Alert[];
  /** False positives by the attack types their category names. */
  fpByType: Map<string, number>;
  /** Matched alerts and duplicates by the type of the instance each is attributed to. */
  matchedByType: Map<string, number>;
  duplicatesByType: Map<string, number>;
  matched: number;
  duplicates: number;
  maintenance: number;
  ignored: number;
  nabFps: NabFalsePositive[];
}

/** Alert indices by (ts, input position); alerts without a finite ts or before `fromMs` are left out. */
function byTime(alerts: readonly Alert[], fromMs: number): { order: number[]; ignored: number } {
  const order: number[] = [];
  let ignored = 0;
  alerts.forEach((a, i) => {
    if (Number.isFinite(a.ts) && a.ts >= fromMs) order.push(i);
    else ignored++;
  });
  order.sort((a, b) => alerts[a]!.ts - alerts[b]!.ts || a - b);
  return { order, ignored };
}

const bump = (m: Map<string, number>, k: string): void => { m.set(k, (m.get(k) ?? 0) + 1); };

/**
 * Walks the alerts in time order and decides for each: it detects or repeats for attack instances (attributed to
 * the first instance it detects, else the first it repeats for), is excused as maintenance on a labelled fault,
 * or is a false positive.
 */
export function assignAlerts(
  alerts: readonly Alert[], attacks: ScopeIndex, negatives: ScopeIndex, table: CategoryTable, strict: boolean, fromMs: number,
): Assignment {
  const a: Assignment = {
    state: attacks.instances.map(() => ({ first: null, matched: 0 })),
    negMaintenance: new Array<number>(negatives.instances.length).fill(0),
    negOther: new Array<number>(negatives.instances.length).fill(0),
    falsePositives: [], fpByType: new Map(), matchedByType: new Map(), duplicatesByType: new Map(),
    matched: 0, duplicates: 0, maintenance: 0, ignored: 0, nabFps: [],
  };
  const { order, ignored } = byTime(alerts, fromMs);
  a.ignored = ignored;
  const hits: number[] = [];
  // Few distinct categories among many alerts: normalise each once.
  const categories = new Map<string, string>();
  for (const ai of order) {
    const alert = alerts[ai]!;
    const raw = alert.category ?? '';
    let category = categories.get(raw);
    if (category === undefined) { category = normalizeCategory(raw); categories.set(raw, category); }

    attacks.matches(alert, hits);
    let primary = -1;
    let firstOfSome = false;
    for (const i of hits) {
      const type = attacks.instances[i]!.type;
      if (strict && !(isAttackType(type) && table.allows(type as AttackType, category))) continue;
      const s = a.state[i]!;
      s.matched++;
      if (s.first === null) {
        s.first = alert;
        if (!firstOfSome) { firstOfSome = true; primary = i; }
      } else if (primary < 0 && !firstOfSome) {
        primary = i;
      }
    }
    if (primary >= 0) {
      const type = attacks.instances[primary]!.type;
      a.matched++;
      bump(a.matchedByType, type);
      if (!firstOfSome) { a.duplicates++; bump(a.duplicatesByType, type); }
      continue;
    }

    negatives.matches(alert, hits);
    const excused = table.isMaintenance(category) && hits.some((i) => negatives.instances[i]!.cls === 'fault');
    for (const i of hits) {
      if (!excused) a.negOther[i]!++;
      else if (negatives.instances[i]!.cls === 'fault') a.negMaintenance[i]!++;
    }
    if (excused) { a.maintenance++; continue; }

    a.falsePositives.push(alert);
    for (const type of table.typesOf(category)) bump(a.fpByType, type);
    const prev = attacks.latestBefore(alert);
    a.nabFps.push({ ts: alert.ts, previous: prev < 0 ? null : { fromMs: attacks.from[prev]!, toMs: attacks.to[prev]! } });
  }
  return a;
}
