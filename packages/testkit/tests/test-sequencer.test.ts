import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDurations } from "../../../scripts/test-durations";
import {
  type DurationsFile,
  expectedSeconds,
  heavyFirst,
  readDurations,
  UNKNOWN_HEAVY_S,
} from "../../../scripts/test-sequencer";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("the suite's file order (scripts/test-sequencer.ts)", () => {
  const durations: DurationsFile = {
    source: "test",
    seconds: { "a/unit.test.ts": 2, "a/tests/e2e/slow.test.ts": 700, "b/tests/e2e/quick.test.ts": 30 },
  };

  it("starts the longest files first, new e2e files before unit tests, and in the same order every time", () => {
    const paths = [
      "a/unit.test.ts",
      "z/new-unit.test.ts",
      "b/tests/e2e/quick.test.ts",
      "c/tests/faults/new.test.ts",
      "a/tests/e2e/slow.test.ts",
      "y/new-unit.test.ts",
    ];
    expect(heavyFirst(paths, durations)).toEqual([
      "a/tests/e2e/slow.test.ts",
      "c/tests/faults/new.test.ts",
      "b/tests/e2e/quick.test.ts",
      "a/unit.test.ts",
      "y/new-unit.test.ts",
      "z/new-unit.test.ts",
    ]);
    expect(heavyFirst([...paths].reverse(), durations)).toEqual(heavyFirst(paths, durations));
    expect(expectedSeconds(durations, "c/tests/faults/new.test.ts")).toBe(UNKNOWN_HEAVY_S);
  });

  it("starts the files that failed last time (vitest's cache on a machine that ran them) first", () => {
    const paths = ["a/unit.test.ts", "b/tests/e2e/quick.test.ts", "a/tests/e2e/slow.test.ts"];
    expect(heavyFirst(paths, durations, new Set(["a/unit.test.ts", "b/tests/e2e/quick.test.ts"]))).toEqual([
      "b/tests/e2e/quick.test.ts",
      "a/unit.test.ts",
      "a/tests/e2e/slow.test.ts",
    ]);
  });

  it("reads a vitest log's per-file times, passed or failed, with its colours", () => {
    const log = [
      "\u001b[32m✓\u001b[39m x",
      " \u001b[32m✓\u001b[39m packages/local/tests/faults/agent-faults.test.ts \u001b[2m(\u001b[22m\u001b[2m8 tests\u001b[22m\u001b[2m)\u001b[22m\u001b[33m 759898\u001b[2mms\u001b[22m\u001b[39m",
      "     ✓ a test inside it  185419ms",
      " ❯ packages/web/tests/e2e/browser.test.ts (6 tests | 1 failed) 12464ms",
      " ✓ packages/gateway/tests/contract/memory-stores.test.ts (46 tests | 7 skipped) 219ms",
    ].join("\n");
    expect(parseDurations(log)).toEqual({
      "packages/local/tests/faults/agent-faults.test.ts": 759.9,
      "packages/web/tests/e2e/browser.test.ts": 12.5,
      "packages/gateway/tests/contract/memory-stores.test.ts": 0.2,
    });
  });

  it("has a measured time for nearly every test file", () => {
    const known = readDurations().seconds;
    const files = execFileSync(
      "git",
      ["ls-files", "packages/*/tests/**/*.test.ts", "packages/*/tests/**/*.test.tsx", "bench/*.test.ts"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    )
      .split("\n")
      .filter(Boolean);
    // New files start by their path's guess until the next refresh (a renamed file's old entry is
    // ignored); most must be measured, or the order is mostly guesswork.
    expect(files.filter((f) => f in known).length).toBeGreaterThan(files.length * 0.8);
  });
});
