/** Small text helpers for the terminal report: number formats, ANSI styling, aligned tables. */

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12345 -> `12,345`; locale-independent so reports compare across machines. */
export function fmtInt(n: number): string {
  return INT.format(n);
}

/** A rate or quantity with a fixed number of decimals and thousands separators. */
export function fmtNum(n: number, decimals = 1): string {
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(n);
}

/** A duration in ms with a unit that keeps 3 significant figures: `850µs`, `12.3ms`, `1.52s`. */
export function fmtMs(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(2)}s`;
  return `${(ms / 1000).toFixed(0)}s`;
}

export function fmtPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
export type Style = keyof typeof CODES;

/** Applies ANSI styles, or nothing when colour is off (not a TTY, NO_COLOR, piped output). */
export function styler(color: boolean): (text: string, ...styles: Style[]) => string {
  if (!color) return (text) => text;
  return (text, ...styles) => (styles.length === 0 ? text : `\x1b[${styles.map((s) => CODES[s]).join(';')}m${text}\x1b[0m`);
}

/** A table cell: text, alignment, and optional styles applied after padding (so colour never breaks alignment). */
export interface Cell {
  text: string;
  align?: 'left' | 'right';
  styles?: Style[];
}

/** Renders rows of cells with columns padded to their widest cell, separated by two spaces. */
export function table(rows: readonly (readonly Cell[])[], paint: (text: string, ...styles: Style[]) => string, indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, [...c.text].length); });
  return rows.map((row) => {
    const cells = row.map((c, i) => {
      const pad = ' '.repeat((widths[i] ?? 0) - [...c.text].length);
      const text = c.align === 'right' ? pad + c.text : c.text + pad;
      return paint(text, ...(c.styles ?? []));
    });
    return (indent + cells.join('  ')).trimEnd();
  });
}
