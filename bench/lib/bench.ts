// What every bench in bench/ is: a module whose default export is `defineBench({...})`. The same run()
// serves three callers: `npm run bench` (full form, figures into docs/performance.md), the smoke test in
// `npm test` (short form, so a bench that breaks fails the suite) and `npx tsx bench/<name>.ts [args]`.
import { pathToFileURL } from "node:url";

export interface BenchContext {
  /** The short form: a round or a few turns, only to prove the bench still runs. */
  smoke: boolean;
  /** Positional arguments of a by-hand run (`npx tsx bench/warm-path.ts 30`); empty otherwise. */
  argv: readonly string[];
  /** Progress and figures as they come (stdout in a by-hand run). */
  log(line: string): void;
}

/** A table for docs/performance.md; cells are already formatted. */
export interface BenchTable {
  caption?: string;
  header: string[];
  rows: string[][];
}

export interface BenchReport {
  /** One line: what was run (counts, rounds), e.g. "30 paired turns after 3 warm-up turns". */
  setup: string;
  tables: BenchTable[];
  /** The raw figures, kept in bench/results/<date>.json. */
  data: unknown;
  /** Set when the bench found a fault (not a slow figure): the run fails, `npm run bench` exits 1. */
  problems?: string[];
}

export interface Bench {
  /** The file name without .ts, and the docs/performance.md marker: `<!-- bench:NAME -->`. */
  name: string;
  /** What it compares against what, shown above its tables. */
  measures: string;
  /** Whether its figures are times (false for a model's arithmetic: load does not matter). */
  timed?: boolean;
  run(ctx: BenchContext): Promise<BenchReport>;
}

export function defineBench(bench: Bench): Bench {
  return bench;
}

/** `npx tsx bench/<name>.ts [args]`: the full form with the given arguments, tables to stdout. */
export async function runIfMain(bench: Bench, moduleUrl: string): Promise<void> {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const report = await bench.run({
    smoke: false,
    argv: process.argv.slice(2),
    log: (line) => console.log(line),
  });
  console.log(`\n${report.setup}`);
  for (const table of report.tables) console.log(`\n${markdownTable(table)}`);
  for (const problem of report.problems ?? []) console.log(`PROBLEM: ${problem}`);
  process.exit(report.problems?.length ? 1 : 0);
}

/** A positional argument as a positive number, or the default for the form being run. */
export function arg(ctx: BenchContext, index: number, full: number, smoke: number): number {
  const raw = ctx.argv[index];
  if (raw === undefined) return ctx.smoke ? smoke : full;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`argument ${index + 1} must be a positive number, not ${raw}`);
  return n;
}

export function markdownTable(table: BenchTable): string {
  const widths = table.header.map((h, i) =>
    Math.max(3, h.length, ...table.rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [
    ...(table.caption ? [table.caption, ""] : []),
    line(table.header),
    line(widths.map((w) => "-".repeat(w))),
    ...table.rows.map(line),
  ].join("\n");
}
