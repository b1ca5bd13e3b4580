/** Median of a sample (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Smallest and largest value: with 3–5 rounds on a shared machine, the range says more than a p95. */
export function spread(xs: readonly number[]): [number, number] {
  return xs.length ? [Math.min(...xs), Math.max(...xs)] : [Number.NaN, Number.NaN];
}
