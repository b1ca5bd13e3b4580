// The order `vitest run` starts test files in. Two workers take files from one queue, so the suite
// ends when the worker with the most left ends: a heavy file started last (an OpenClaw e2e of 10 min)
// runs alone at the end while the other worker idles. Vitest's own order needs its results cache,
// which a clean clone (CI) does not have; without it, it starts the largest files (in bytes) first,
// which says little about their time. So the suite's per-file durations from a full run are committed
// (scripts/test-durations.json, refreshed with scripts/test-durations.ts) and files start longest first,
// after any that failed last time on this machine (vitest's cache), so a re-run shows those soonest.
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const DURATIONS_FILE = resolve(import.meta.dirname, "test-durations.json");

/**
 * What a file not yet in the durations file is taken to cost (s): a new file that starts real services
 * is likely heavy and should not start last; anything else is likely a unit test of a second or two.
 */
export const UNKNOWN_HEAVY_S = 60;
export const UNKNOWN_LIGHT_S = 1;
const HEAVY_PATH = /\/tests\/(?:e2e|faults|image|load)\/|\/e2e\//;

export interface DurationsFile {
  /** Where and how the figures were taken (a clean-clone run, its load). */
  readonly source: string;
  /** Repo-relative test file → seconds it took in that run. */
  readonly seconds: Record<string, number>;
}

export function readDurations(file = DURATIONS_FILE): DurationsFile {
  return JSON.parse(readFileSync(file, "utf8")) as DurationsFile;
}

/** Seconds a file is expected to take: its measured time, else a guess from where it lives. */
export function expectedSeconds(durations: DurationsFile, path: string): number {
  return durations.seconds[path] ?? (HEAVY_PATH.test(path) ? UNKNOWN_HEAVY_S : UNKNOWN_LIGHT_S);
}

/**
 * Repo-relative paths, longest expected first; equal ones by path, so the order is the same every run.
 * Files in `failedLastTime` (vitest's results cache, on a machine that ran the suite before) go first,
 * longest first among them, as vitest's own order does: a re-run shows the failures again soonest.
 */
export function heavyFirst(
  paths: readonly string[],
  durations: DurationsFile,
  failedLastTime: ReadonlySet<string> = new Set(),
): string[] {
  const failed = (p: string) => (failedLastTime.has(p) ? 1 : 0);
  return [...paths].sort(
    (a, b) =>
      failed(b) - failed(a) ||
      expectedSeconds(durations, b) - expectedSeconds(durations, a) ||
      a.localeCompare(b),
  );
}

export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const durations = readDurations();
    const byPath = new Map(files.map((f) => [relative(root, f.moduleId).split("\\").join("/"), f]));
    const failed = new Set(
      [...byPath].flatMap(([path, f]) =>
        this.ctx.cache.getFileTestResults(`${f.project.name}:${path}`)?.failed ? [path] : [],
      ),
    );
    return heavyFirst([...byPath.keys()], durations, failed).map((p) => byPath.get(p) as TestSpecification);
  }
}
