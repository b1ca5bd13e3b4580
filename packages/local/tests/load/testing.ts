// Local mode's load harness for benches (bench/): never for any package's sources
// (scripts/check-imports.ts refuses a `./testing` import from a src/ folder).
export { Harness, type PushedEvent, until } from "./harness";
export { runLoad } from "./load-run";
export { agentOpenClaw } from "./openclaw-endpoint";
