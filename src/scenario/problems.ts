import type { InputProblem } from '../util/errors.js';

export type PathSegment = string | number;
/** A YAML path as segments: `['stations', 1, 'evses', 0, 'maxKw']`. */
export type Path = readonly PathSegment[];

/** `['stations', 1, 'count']` → `stations[1].count`. */
export function formatPath(path: Path): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s;
}

/** Where a problem points: at the value of `path`, or at the key `path`'s last segment names. */
export type Anchor = 'value' | 'key';

/** Finds line/column (1-based) of a path in the source; a missing node resolves to its nearest existing parent. */
export type Locator = (path: Path, anchor: Anchor) => { line: number; column: number } | undefined;

interface Pending {
  path: Path;
  message: string;
  anchor: Anchor;
  line?: number;
  column?: number;
  /** Problems outside the file (command-line overrides) carry their own source name. */
  file?: string;
}

/**
 * Collects every problem of one scenario. Validators only know YAML paths; positions are resolved once at
 * the end, so the validators stay independent of the YAML AST. Identical problems are kept once: an EVSE
 * model shared by several list entries is read once per entry but must be reported once.
 */
export class Problems {
  private readonly pending: Pending[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly file: string) {}

  get size(): number {
    return this.pending.length;
  }

  add(path: Path, message: string, anchor: Anchor = 'value'): void {
    this.push({ path, message, anchor });
  }

  /** A problem whose position is already known (YAML syntax errors). */
  addAt(line: number | undefined, column: number | undefined, message: string): void {
    this.push({ path: [], message, anchor: 'value', line, column });
  }

  /** A problem in another input (e.g. `command line`), reported without a position. */
  addExternal(file: string, path: string, message: string): void {
    this.push({ path: [path], message, anchor: 'value', file });
  }

  /** All problems with positions, those without a line (command line, unreadable file) first, then by line/column. */
  resolve(locate?: Locator): InputProblem[] {
    const out = this.pending.map((p, order) => {
      const pos = p.line !== undefined || p.file !== undefined ? undefined : locate?.(p.path, p.anchor);
      const line = p.line ?? pos?.line;
      const column = p.column ?? pos?.column;
      const problem: InputProblem = { file: p.file ?? this.file, path: formatPath(p.path), message: p.message };
      if (line !== undefined) problem.line = line;
      if (column !== undefined) problem.column = column;
      return { problem, order };
    });
    out.sort((a, b) => {
      const la = a.problem.line ?? -1;
      const lb = b.problem.line ?? -1;
      if (la !== lb) return la - lb;
      const ca = a.problem.column ?? -1;
      const cb = b.problem.column ?? -1;
      return ca !== cb ? ca - cb : a.order - b.order;
    });
    return out.map((x) => x.problem);
  }

  private push(p: Pending): void {
    const key = `${p.file ?? ''}\0${formatPath(p.path)}\0${p.anchor}\0${p.message}\0${p.line ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.pending.push(p);
  }
}
