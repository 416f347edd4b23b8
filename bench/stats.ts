/**
 * Summaries of repeated timings: medians, ranges and ratios (pure functions).
 */

/** Median of a non-empty list (mean of the two middle values for an even count). NaN for an empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A measurement repeated `n` times: median, min and max (same unit as the samples). */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

/** Summarises samples; null for an empty list. */
export function summarize(xs: readonly number[]): Summary | null {
  if (xs.length === 0) return null;
  return { n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** `a / b` of two medians, or null when either is missing or b is 0. */
export function ratio(a: Summary | null | undefined, b: Summary | null | undefined): number | null {
  if (!a || !b || b.median === 0) return null;
  return a.median / b.median;
}

/** Milliseconds in the unit `unitOf` picks: "1234" (ms) or "12.3" (s), without the unit. */
function inUnit(ms: number, unit: 'ms' | 's'): string {
  return unit === 'ms' ? String(Math.round(ms)) : (ms / 1000).toFixed(1);
}

/** ms below 10 s, else s. */
function unitOf(ms: number): 'ms' | 's' {
  return ms < 10_000 ? 'ms' : 's';
}

/** Milliseconds as "1234 ms" below 10 s, else "12.3 s". */
export function formatMs(ms: number): string {
  const u = unitOf(ms);
  return `${inUnit(ms, u)} ${u}`;
}

/** "median ms (min–max, n=3)" of a timing summary in one unit, or the given placeholder. */
export function formatTiming(s: Summary | null | undefined, missing = '–'): string {
  if (!s) return missing;
  const u = unitOf(s.median);
  if (s.n === 1) return `${inUnit(s.median, u)} ${u} (n=1)`;
  return `${inUnit(s.median, u)} ${u} (${inUnit(s.min, u)}–${inUnit(s.max, u)}, n=${s.n})`;
}

/** A ratio as "×2.35", or "–". */
export function formatRatio(r: number | null): string {
  if (r == null || !Number.isFinite(r)) return '–';
  return `×${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
}

/** Kibibytes as "123 MB" (MiB), or "–". */
export function formatKb(s: Summary | null | undefined): string {
  if (!s) return '–';
  return `${(s.median / 1024).toFixed(0)} MB`;
}
