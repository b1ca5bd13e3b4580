// The container's test harness for benches (bench/) and other packages' tests: never for any package's
// sources (scripts/check-imports.ts refuses a `./testing` import from a src/ folder).
export { AgentApiStandin } from "./agent-api-standin";
export { OPENCLAW_STARTUP_LIMIT, type RunningTask, TaskHarness, until } from "./harness";
