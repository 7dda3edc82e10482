/**
 * Station id templates: `{index}` is the global station index (from 0, counted over all groups in file
 * order), `{index:06}` the same zero-padded to 6 digits, `{group}` the group name. Fleet and stations use
 * `compileIdTemplate` so an id is derived the same way in every shard process.
 */
export interface IdTemplate {
  readonly source: string;
  /** True if `{index}` occurs: only then can one template name more than one station. */
  readonly hasIndex: boolean;
  format(globalIndex: number, group: string): string;
  /** The text every id of the group starts with (everything before the first `{index}`). */
  prefix(group: string): string;
}

/** OCPP-J identity rules (FLOWS §1.1): ≤ 48 characters, no ':' (it is the Basic-auth user name). */
export const MAX_STATION_ID_LENGTH = 48;

type Part = string | { pad: number } | { group: true };

const TOKEN = /\{([^{}]*)\}/g;
const INDEX = /^index(?::0(\d{1,2}))?$/;

/** Compiles a template; returns an error message (for the scenario validator) when it is malformed. */
export function compileIdTemplate(template: string): IdTemplate | string {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    const literal = template.slice(last, m.index);
    if (/[{}]/.test(literal)) return `unbalanced '{' or '}' in "${template}"`;
    if (literal) parts.push(literal);
    const name = m[1]!;
    const index = INDEX.exec(name);
    if (index) parts.push({ pad: index[1] ? Number(index[1]) : 0 });
    else if (name === 'group') parts.push({ group: true });
    else return `unknown placeholder {${name}} — expected {index}, {index:05} (zero-padded) or {group}`;
    last = m.index + m[0].length;
  }
  const tail = template.slice(last);
  if (/[{}]/.test(tail)) return `unbalanced '{' or '}' in "${template}"`;
  if (tail) parts.push(tail);
  const firstIndex = parts.findIndex((x) => typeof x === 'object' && 'pad' in x);
  const render = (upTo: number, globalIndex: number, group: string) => {
    let s = '';
    for (let i = 0; i < upTo; i++) {
      const x = parts[i]!;
      s += typeof x === 'string' ? x : 'pad' in x ? String(globalIndex).padStart(x.pad, '0') : group;
    }
    return s;
  };
  return {
    source: template,
    hasIndex: firstIndex >= 0,
    format: (globalIndex, group) => render(parts.length, globalIndex, group),
    prefix: (group) => render(firstIndex < 0 ? parts.length : firstIndex, 0, group),
  };
}

/** Why a rendered id is not a valid OCPP identity, or undefined if it is. */
export function stationIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'the station id is empty';
  if (id.length > MAX_STATION_ID_LENGTH) {
    return `station id "${id}" is ${id.length} characters long; OCPP allows at most ${MAX_STATION_ID_LENGTH}`;
  }
  if (id.includes(':')) return `station id "${id}" contains ':', which breaks HTTP Basic auth (the id is the user name)`;
  if (/[\s\u0000-\u001f\u007f]/.test(id)) return `station id "${id}" contains whitespace or control characters`;
  return undefined;
}
