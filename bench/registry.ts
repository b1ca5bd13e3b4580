import type { Bench } from "./lib/bench";

/**
 * Every bench: `npm run bench` runs them in this order (full form) and writes their tables into
 * docs/performance.md; `npm test` runs each in its short form (bench/smoke.test.ts). Adding a bench is
 * this one line, for a bench/<name>.ts whose default export is `defineBench({ name: "<name>", … })`.
 */
export const BENCHES: Record<string, () => Promise<{ default: Bench }>> = {
  "agent-hours": () => import("./agent-hours"),
  "gateway-bundle": () => import("./gateway-bundle"),
  "container-bridge": () => import("./container-bridge"),
  "container-boot": () => import("./container-boot"),
  "warm-path": () => import("./warm-path"),
  "cold-path": () => import("./cold-path"),
  load: () => import("./load"),
  "openclaw-first-token": () => import("./openclaw-first-token"),
  checkpoint: () => import("./checkpoint"),
  "image-size": () => import("./image-size"),
};
