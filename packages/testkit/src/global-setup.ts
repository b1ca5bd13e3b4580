import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./openclaw";

/**
 * Runs once before the whole vitest run: installs the pinned OpenClaw runtime if it is missing or stale,
 * so test files that boot OpenClaw do not race to install it. Instant when the stamp matches.
 * A failed install does not stop the run: the suites that need OpenClaw then fail with PREREQ_MISSING and
 * the command to run, while everything else still gets tested.
 */
export default function setup(): void {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "ensure-openclaw.mjs")], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.warn(
      "testkit: the OpenClaw runtime could not be installed; tests that start OpenClaw will fail. " +
        "Fix it with: node scripts/ensure-openclaw.mjs",
    );
  }
}
