import { defineConfig } from "vitest/config";

// One run for the whole monorepo. Suites that start real services (DynamoDB Local, s3rver,
// cognito-local, OpenClaw) are slow to boot, so they get generous hook timeouts (a CDK synth with
// every feature on took over 2 minutes in a hook at load 40); the machine has 2 cores, so files run
// in at most 2 workers.
export default defineConfig({
  test: {
    include: ["packages/*/tests/**/*.test.{ts,tsx}", "bench/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: "forks",
    maxWorkers: 2,
    globalSetup: ["packages/testkit/src/global-setup.ts"],
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});
