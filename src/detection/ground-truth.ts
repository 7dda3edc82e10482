import type { InputProblem } from '../util/errors.js';
import { toEpochMs } from './time.js';
import {
  DEFAULT_GRACE_MS, defaultClass, isInstanceType,
  type AttackInstance, type ExpectedReaction, type LabelClass, type Reaction, type ReactionKind, type ReactionRecord,
  type ReactionSpec, type RunInfo, type Scope,
} from './types.js';

/**
 * The ground-truth log: JSON Lines kept out of band (never on the wire), one record per line, told apart by
 * `kind` (an instance when absent):
 *
 *   {"kind":"run","startMs":…,"endMs":…,"stations":1000,"seed":7,"scoreFromMs":…,"deltaMs":2000}
 *   {"kind":"instance","id":"a06-3","type":"A06","cls":"attack","scope":{"stations":["CS-17"]},"tStartMs":…,"tEndMs":…,"graceMs":60000}
 *   {"kind":"reaction","instanceId":"a06-3","frame":"Authorize","sentMs":…,"expected":[{"kind":"status","value":["Invalid","Unknown"]}],
 *    "observed":{"atMs":…,"reactions":[{"kind":"status","value":"Unknown"}]}}
 *
 * Times are epoch ms (ISO strings and epoch seconds are read too). A later instance record with the same id replaces
 * the earlier one, so an injector may write an instance when it starts and again when it ends. Pure: strings in,
 * objects out; the caller reads and appends the file.
 */
export type GroundTruthRecord =
  | ({ kind: 'run' } & RunInfo)
  | ({ kind: 'instance' } & AttackInstance)
  | ({ kind: 'reaction' } & ReactionRecord);

export interface GroundTruth {
  run: RunInfo | null;
  instances: AttackInstance[];
  reactions: ReactionRecord[];
}

const REACTION_KINDS: readonly ReactionKind[] = ['callerror', 'status', 'certificateStatus', 'reasonCode', 'http', 'close', 'callresult', 'handshake'];
const CLASSES: readonly LabelClass[] = ['attack', 'fault', 'benign'];

/** One record as one line (with its newline), keys in a stable order. */
export function groundTruthLine(record: GroundTruthRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** A whole log: the run record (if any), then instances, then reactions. */
export function formatGroundTruth(gt: Partial<GroundTruth>): string {
  const lines: string[] = [];
  if (gt.run) lines.push(groundTruthLine({ kind: 'run', ...gt.run }));
  for (const i of gt.instances ?? []) lines.push(groundTruthLine({ kind: 'instance', ...i }));
  for (const r of gt.reactions ?? []) lines.push(groundTruthLine({ kind: 'reaction', ...r }));
  return lines.join('');
}

type Obj = Record<string, unknown>;
type Report = (path: string, message: string) => void;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function time(o: Obj, keys: readonly string[], path: string, report: Report, required: boolean): number | undefined {
  const key = keys.find((k) => o[k] !== undefined);
  if (key === undefined) {
    if (required) report(path + keys[0], 'required: a time (epoch ms or ISO-8601)');
    return undefined;
  }
  const ms = toEpochMs(o[key]);
  if (ms === undefined) report(path + key, `expected a time (epoch ms or ISO-8601), got ${JSON.stringify(o[key])}`);
  return ms;
}

function strings(v: unknown, path: string, report: Report): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' || typeof x === 'number')) {
    report(path, 'expected a list of strings');
    return undefined;
  }
  return v.map(String);
}

function readScope(v: unknown, report: Report): Scope | undefined {
  if (!isObj(v)) { report('scope', 'required: {stations, tokens, ips, fleet}'); return undefined; }
  const s: Scope = {};
  for (const k of Object.keys(v)) if (!['stations', 'tokens', 'ips', 'fleet'].includes(k)) report(`scope.${k}`, 'unknown key');
  const stations = strings(v.stations, 'scope.stations', report);
  const tokens = strings(v.tokens, 'scope.tokens', report);
  const ips = strings(v.ips, 'scope.ips', report);
  if (stations) s.stations = stations;
  if (tokens) s.tokens = tokens;
  if (ips) s.ips = ips;
  if (v.fleet !== undefined) {
    if (typeof v.fleet !== 'boolean') report('scope.fleet', 'expected true or false');
    else s.fleet = v.fleet;
  }
  if (!s.fleet && !s.stations?.length && !s.tokens?.length && !s.ips?.length) report('scope', 'names no station, token, ip or fleet');
  return s;
}

function readSpecs(v: unknown, path: string, report: Report): ReactionSpec[] | undefined {
  if (!Array.isArray(v)) { report(path, 'expected a list of {kind, value}'); return undefined; }
  const out: ReactionSpec[] = [];
  v.forEach((x, i) => {
    const valueOk = (y: unknown): boolean => typeof y === 'string' || typeof y === 'number';
    if (!isObj(x) || !REACTION_KINDS.includes(x.kind as ReactionKind)
      || !(valueOk(x.value) || (Array.isArray(x.value) && x.value.length > 0 && x.value.every(valueOk)))) {
      report(`${path}[${i}]`, `expected {kind: ${REACTION_KINDS.join('|')}, value: string | number | list}`);
      return;
    }
    out.push({ kind: x.kind as ReactionKind, value: x.value as ReactionSpec['value'] });
  });
  return out;
}

function readExpectedReactions(v: unknown, report: Report): ExpectedReaction[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) { report('expectedReactions', 'expected a list of {frame, expect, maxLatencyMs}'); return undefined; }
  return v.flatMap((x, i): ExpectedReaction[] => {
    const path = `expectedReactions[${i}]`;
    if (!isObj(x)) { report(path, 'expected {frame, expect, maxLatencyMs}'); return []; }
    const expect = readSpecs(x.expect, `${path}.expect`, report);
    if (!expect) return [];
    const e: ExpectedReaction = { expect };
    if (typeof x.frame === 'string') e.frame = x.frame;
    if (typeof x.maxLatencyMs === 'number') e.maxLatencyMs = x.maxLatencyMs;
    return [e];
  });
}

function readInstance(o: Obj, report: Report): AttackInstance | undefined {
  let bad = false;
  const fail: Report = (p, m) => { bad = true; report(p, m); };
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : undefined;
  if (id === undefined) fail('id', 'required: a string');
  const type = typeof o.type === 'string' && isInstanceType(o.type) ? o.type : undefined;
  if (type === undefined) fail('type', `expected A01–A16 or F01–F04, got ${JSON.stringify(o.type)}`);
  let cls: LabelClass | undefined;
  if (o.cls !== undefined) {
    if (CLASSES.includes(o.cls as LabelClass)) cls = o.cls as LabelClass;
    else fail('cls', 'expected attack, fault or benign');
  }
  const scope = readScope(o.scope, fail);
  const tStartMs = time(o, ['tStartMs', 'tStart'], '', fail, true);
  const tEndMs = time(o, ['tEndMs', 'tEnd'], '', fail, false) ?? tStartMs;
  if (tStartMs !== undefined && tEndMs !== undefined && tEndMs < tStartMs) fail('tEndMs', 'ends before it starts');
  let graceMs: number | undefined;
  if (o.graceMs !== undefined) {
    if (typeof o.graceMs === 'number' && o.graceMs >= 0) graceMs = o.graceMs;
    else fail('graceMs', 'expected milliseconds ≥ 0');
  }
  const expectedReactions = readExpectedReactions(o.expectedReactions, fail);
  if (bad || id === undefined || type === undefined || !scope || tStartMs === undefined || tEndMs === undefined) return undefined;
  const inst: AttackInstance = {
    id, type, cls: cls ?? defaultClass(type), scope, tStartMs, tEndMs, graceMs: graceMs ?? DEFAULT_GRACE_MS[type],
  };
  if (expectedReactions) inst.expectedReactions = expectedReactions;
  return inst;
}

function readReaction(o: Obj, report: Report): ReactionRecord | undefined {
  let bad = false;
  const fail: Report = (p, m) => { bad = true; report(p, m); };
  const instanceId = typeof o.instanceId === 'string' || typeof o.instanceId === 'number' ? String(o.instanceId) : undefined;
  if (instanceId === undefined) fail('instanceId', 'required: the id of an instance');
  const sentMs = time(o, ['sentMs', 'sent'], '', fail, true);
  const expected = readSpecs(o.expected, 'expected', fail);
  let observed: ReactionRecord['observed'] = null;
  if (o.observed !== null && o.observed !== undefined) {
    const ob = o.observed;
    const atMs = isObj(ob) ? time(ob, ['atMs', 'at'], 'observed.', fail, true) : undefined;
    const list = isObj(ob) ? readSpecs(ob.reactions, 'observed.reactions', fail) : undefined;
    if (!isObj(ob)) fail('observed', 'expected {atMs, reactions} or null');
    if (atMs !== undefined && list) {
      if (list.some((r) => Array.isArray(r.value))) fail('observed.reactions', 'an observed value is one value, not a list');
      observed = { atMs, reactions: list as Reaction[] };
    }
  }
  if (o.type !== undefined && !(typeof o.type === 'string' && isInstanceType(o.type))) fail('type', 'expected A01–A16 or F01–F04');
  if (bad || instanceId === undefined || sentMs === undefined || !expected) return undefined;
  const r: ReactionRecord = { instanceId, sentMs, expected, observed };
  if (typeof o.type === 'string' && isInstanceType(o.type)) r.type = o.type;
  if (typeof o.frame === 'string') r.frame = o.frame;
  if (typeof o.maxLatencyMs === 'number') r.maxLatencyMs = o.maxLatencyMs;
  return r;
}

function readRun(o: Obj, report: Report): RunInfo | undefined {
  let bad = false;
  const fail: Report = (p, m) => { bad = true; report(p, m); };
  const startMs = time(o, ['startMs', 'start'], '', fail, true);
  const endMs = time(o, ['endMs', 'end'], '', fail, true);
  const scoreFromMs = time(o, ['scoreFromMs', 'scoreFrom'], '', fail, false);
  if (typeof o.stations !== 'number' || !(o.stations >= 0)) fail('stations', 'required: the fleet size');
  if (bad || startMs === undefined || endMs === undefined) return undefined;
  const run: RunInfo = { startMs, endMs, stations: o.stations as number };
  if (typeof o.id === 'string') run.id = o.id;
  if (typeof o.seed === 'number') run.seed = o.seed;
  if (scoreFromMs !== undefined) run.scoreFromMs = scoreFromMs;
  if (typeof o.deltaMs === 'number') run.deltaMs = o.deltaMs;
  return run;
}

/**
 * Parses a ground-truth log. Every bad line is reported (with its line number) and skipped; blank lines are
 * ignored, as is a last line cut short by a writer still appending (when `partialLastLine` is 'ignore').
 */
export function parseGroundTruth(
  text: string, opts: { file?: string; partialLastLine?: 'ignore' | 'report' } = {},
): GroundTruth & { problems: InputProblem[] } {
  const file = opts.file ?? '';
  const problems: InputProblem[] = [];
  const byId = new Map<string, AttackInstance>();
  const reactions: ReactionRecord[] = [];
  let run: RunInfo | null = null;
  const lines = text.split('\n');
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (line === '') return;
    const report: Report = (path, message) => problems.push({ file, path, line: n + 1, message });
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      const last = n === lines.length - 1 && !text.endsWith('\n');
      if (!(last && opts.partialLastLine === 'ignore')) report('', `not JSON: ${(e as Error).message}`);
      return;
    }
    if (!isObj(o)) { report('', 'expected a JSON object'); return; }
    const kind = o.kind ?? 'instance';
    if (kind === 'instance') {
      const inst = readInstance(o, report);
      if (inst) byId.set(inst.id, inst);
    } else if (kind === 'reaction') {
      const r = readReaction(o, report);
      if (r) reactions.push(r);
    } else if (kind === 'run') {
      run = readRun(o, report) ?? run;
    } else {
      report('kind', `expected run, instance or reaction, got ${JSON.stringify(kind)}`);
    }
  });
  return { run, instances: [...byId.values()], reactions, problems };
}
