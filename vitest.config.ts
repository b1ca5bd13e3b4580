import { defineConfig } from "vitest/config";
import HeavyFirstSequencer from "./scripts/test-sequencer.ts";

// One run for the whole monorepo. Suites that start real services (DynamoDB Local, s3rver,
// cognito-local, OpenClaw) are slow to boot, so they get generous hook timeouts (a CDK synth with
// every feature on took over 2 minutes in a hook at load 40); the machine has 2 cores, so files run
// in at most 2 workers. Files start longest first (durations of a full run, scripts/test-sequencer.ts),
// so both workers end together instead of one running the last heavy file alone. A test's own deadlines
// (testkit `until`, sized for a loaded machine) say what hung; the per-test limit is only the backstop,
// generous because a turn through the real OpenClaw can take a minute at load 15 (a test with several
// turns and no limit of its own once failed at the old 60 s while its own waits had time left).
export default defineConfig({
  test: {
    include: ["packages/*/tests/**/*.test.{ts,tsx}", "bench/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
    maxWorkers: 2,
    sequence: { sequencer: HeavyFirstSequencer },
    globalSetup: ["packages/testkit/src/global-setup.ts"],
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});
