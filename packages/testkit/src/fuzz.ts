/**
 * How many cases a property test runs: `base` in a normal run, times FUZZ_SCALE when set (for a long
 * bug hunt: `FUZZ_SCALE=20 npx vitest run fuzz`).
 */
export function fuzzRuns(base: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? 1);
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
