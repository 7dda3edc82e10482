// Pure: targets, ratios, pass/fail and the markdown table the bench prints.

/** A target from the issue: a share of the ceiling's figure, or an absolute bound on chargestorm's. */
export type Target =
  | { kind: 'ratio-at-least'; value: number }
  | { kind: 'at-least'; value: number; unit: string }
  | { kind: 'at-most'; value: number; unit: string };

export interface Row {
  /** Measurement id (`calls-1k`, `hold-100k`, ...); several rows may share one. */
  measurement: string;
  /** What the row measures, e.g. "calls/s @ 1,000 stations". */
  label: string;
  unit: string;
  chargestorm: number | null;
  ceiling: number | null;
  target: Target;
  /** chargestorm / ceiling; null when either is missing. */
  ratio: number | null;
  /** Null: not measured (see note). */
  pass: boolean | null;
  /** Why a figure is missing, or how to read it (`lower bound`, `quick`). */
  note?: string;
}

export function ratioOf(chargestorm: number | null, ceiling: number | null): number | null {
  if (chargestorm === null || ceiling === null || !Number.isFinite(chargestorm) || !Number.isFinite(ceiling) || ceiling <= 0) return null;
  return chargestorm / ceiling;
}

export function passes(target: Target, chargestorm: number | null, ratio: number | null): boolean | null {
  switch (target.kind) {
    case 'ratio-at-least': return ratio === null ? null : ratio >= target.value;
    case 'at-least': return chargestorm === null ? null : chargestorm >= target.value;
    case 'at-most': return chargestorm === null ? null : chargestorm <= target.value;
  }
}

/** Builds a row, deriving ratio and pass. */
export function row(r: Omit<Row, 'ratio' | 'pass'>): Row {
  const ratio = ratioOf(r.chargestorm, r.ceiling);
  return { ...r, ratio, pass: passes(r.target, r.chargestorm, ratio) };
}

/** 12,345 / 3.4 / 0.51: whole numbers with thousands separators at and above 100, two significant digits below. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x).toLocaleString('en-US');
  if (a >= 10) return x.toFixed(1);
  if (a === 0) return '0';
  return x.toPrecision(2);
}

export function formatTarget(t: Target): string {
  switch (t.kind) {
    case 'ratio-at-least': return `≥ ${Math.round(t.value * 100)}% of ceiling`;
    case 'at-least': return `≥ ${formatNumber(t.value)} ${t.unit}`.trimEnd();
    case 'at-most': return `≤ ${formatNumber(t.value)} ${t.unit}`.trimEnd();
  }
}

const cell = (x: number | null, unit: string): string => (x === null ? 'n/a' : `${formatNumber(x)}${unit ? ` ${unit}` : ''}`);

/** The markdown table: measurement | chargestorm | ceiling | ratio | target | pass (notes under the table). */
export function formatTable(rows: readonly Row[]): string {
  const head = ['measurement', 'chargestorm', 'ceiling', 'ratio', 'target', 'pass'];
  const notes: string[] = [];
  const body = rows.map((r) => {
    let label = r.label;
    if (r.note) {
      notes.push(r.note);
      label += ` [${notes.length}]`;
    }
    return [
      label, cell(r.chargestorm, r.unit), cell(r.ceiling, r.unit), r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}×`,
      formatTarget(r.target), r.pass === null ? 'n/a' : r.pass ? 'yes' : 'NO',
    ];
  });
  const lines = [head, head.map(() => '---'), ...body].map((c) => `| ${c.join(' | ')} |`);
  const footnotes = notes.length > 0 ? ['', ...notes.map((n, i) => `[${i + 1}] ${n}`)] : [];
  return [...lines, ...footnotes].join('\n');
}

/**
 * Best of repeated runs, row by row: outside load only ever makes a figure worse, so each side keeps its best
 * (highest, or lowest for an at-most target such as memory) and the ratio and pass are derived again.
 */
export function bestOf(runs: readonly (readonly Row[])[]): Row[] {
  if (runs.length === 0) return [];
  return runs[0]!.map((first, i) => {
    const same = runs.map((r) => r[i]).filter((r): r is Row => r !== undefined && r.label === first.label);
    const lower = first.target.kind === 'at-most';
    const pick = (xs: (number | null)[]): number | null => {
      const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
      return v.length === 0 ? null : lower ? Math.min(...v) : Math.max(...v);
    };
    const notes = [...new Set(same.map((r) => r.note).filter((n): n is string => !!n))];
    const { ratio: _r, pass: _p, note: _n, ...rest } = first;
    return row({
      ...rest, chargestorm: pick(same.map((r) => r.chargestorm)), ceiling: pick(same.map((r) => r.ceiling)),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      ...(same.length > 1 ? { label: `${first.label}, best of ${same.length}` } : {}),
    });
  });
}
