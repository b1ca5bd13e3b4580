// Median and spread of a bench's rounds, and the ratio against the baseline measured in the same run.

export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
  p95: number;
}

/** Nearest-rank quantile (p in 0..1) of the sorted values; NaN for none. */
export function quantile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function spread(xs: readonly number[]): Spread {
  return {
    n: xs.length,
    median: median(xs),
    min: xs.length ? Math.min(...xs) : Number.NaN,
    max: xs.length ? Math.max(...xs) : Number.NaN,
    p95: quantile(xs, 0.95),
  };
}

/** Milliseconds for a table: "12.3 ms" under 10 s, "12.34 s" above. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return Math.abs(value) < 10_000 ? `${value.toFixed(1)} ms` : `${(value / 1000).toFixed(2)} s`;
}

/** "median (min–max, n=5)" */
export function msSpread(s: Spread): string {
  return `${ms(s.median)} (${ms(s.min)}–${ms(s.max)}, n=${s.n})`;
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
}
