/**
 * Epoch numbers below this are seconds, above it milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973, so
 * neither a real alert in seconds nor one in milliseconds lands on the wrong side.
 */
const SECONDS_BELOW = 1e11;
const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Normalises a timestamp to epoch milliseconds: ISO-8601 strings (`2026-01-01T12:00:00Z`, with offset or
 * fraction), epoch seconds or milliseconds as numbers or numeric strings, and Date objects. Undefined when the
 * value is not a time.
 */
export function toEpochMs(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (NUMERIC.test(s)) return fromNumber(Number(s));
  // Only date-shaped strings: Date.parse accepts odd things ("1", "March") that are no alert time.
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
}

function fromNumber(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  return Math.abs(n) < SECONDS_BELOW ? Math.round(n * 1000) : Math.round(n);
}
