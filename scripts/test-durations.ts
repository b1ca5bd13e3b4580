// Refreshes scripts/test-durations.json (the order scripts/test-sequencer.ts starts test files in) from
// the output of a full `npm test`, ideally a clean-clone run on the machine the suite is timed on:
//   npx tsx scripts/test-durations.ts <vitest log> ["<where the run was taken: commit, load>"]
// Every file vitest reported (passed or failed) is taken with its time; files no longer in the log
// drop out. Writes the file and prints the files that take the most.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { DurationsFile } from "./test-sequencer";

// A file's line in vitest's default reporter: " ✓ path/to/file.test.ts (8 tests | 1 skipped) 759898ms"
const FILE_LINE = /^ [✓❯×↓] (\S+\.test\.tsx?) \(\d+ tests?[^)]*\)(?: \d+ flaky)? (\d+)ms$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are control characters
const ANSI = /\u001b\[[0-9;]*m/g;

/** Seconds per test file from a vitest log (colours and all). */
export function parseDurations(log: string): Record<string, number> {
  const seconds: Record<string, number> = {};
  for (const line of log.replace(ANSI, "").split("\n")) {
    const m = FILE_LINE.exec(line.trimEnd());
    if (m?.[1] && m[2]) seconds[m[1]] = Math.round(Number(m[2]) / 100) / 10;
  }
  return seconds;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [logPath, source] = process.argv.slice(2);
  if (!logPath) {
    console.error('Usage: npx tsx scripts/test-durations.ts <vitest log> ["<where the run was taken>"]');
    process.exit(2);
  }
  const seconds = parseDurations(readFileSync(logPath, "utf8"));
  const count = Object.keys(seconds).length;
  if (count === 0) {
    console.error(`No test file lines in ${logPath}: is it the output of \`npm test\`?`);
    process.exit(1);
  }
  const sorted = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => a.localeCompare(b)));
  const out: DurationsFile = { source: source ?? `vitest log ${logPath}`, seconds: sorted };
  const target = resolve(import.meta.dirname, "test-durations.json");
  writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
  const total = Object.values(seconds).reduce((a, b) => a + b, 0);
  console.log(`${count} files, ${Math.round(total)} s in all, written to ${target}; the longest:`);
  for (const [path, s] of Object.entries(seconds)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 10))
    console.log(`  ${String(Math.round(s)).padStart(5)} s  ${path}`);
}
