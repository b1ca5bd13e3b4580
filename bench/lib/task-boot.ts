// Boots the agent task of a TaskHarness until it is connected, for benches that need a running task:
// the harness's bootConnected (a task that exits fails the wait at once with its log; OpenClaw's own
// 5 s start-up limit, missed under load, gets another boot), with the benches' longer deadline and an
// agent that does not stop for inactivity during a long run.

import type { RunningTask, TaskHarness } from "@serverless-openclaw/container/testing";
import type { BenchContext } from "./bench";

export { OPENCLAW_STARTUP_LIMIT } from "@serverless-openclaw/container/testing";

export function bootConnected(
  h: TaskHarness,
  ctx: Pick<BenchContext, "log">,
  boot: () => Promise<RunningTask> = () => h.boot({ inactivityMs: 3_600_000 }),
  attempts = 3,
): Promise<RunningTask> {
  return h.bootConnected({ boot, log: (line) => ctx.log(line), attempts, timeoutMs: 600_000 });
}
