// Boots the agent task of a TaskHarness until it is connected, for benches that need a running task.
//
// Why not just wait for "connected": OpenClaw gives the worker thread of its state-lease heartbeat a
// fixed 5 s to start (LEASE_HEARTBEAT_START_TIMEOUT_MS in its dist, not configurable). On a CPU-starved
// machine, e.g. `npm test` running two test files at once beside other people's work at load ~30, that
// thread can miss it; OpenClaw then exits 1 during start-up ("state lease heartbeat did not become
// ready"), the task stops with OPENCLAW_EXITED and goes Idle, and a bench that only waited for
// "connected" sat out its whole deadline. Here the task's exit ends the wait at once with its log, and
// that one start-up limit (load, not a fault of the bench) gets another boot, up to three in all.

import {
  type RunningTask,
  type TaskHarness,
  USER_ID,
  until,
} from "../../packages/container/tests/support/harness";
import type { BenchContext } from "./bench";

export const OPENCLAW_STARTUP_LIMIT = "state lease heartbeat did not become ready";

export async function bootConnected(
  h: TaskHarness,
  ctx: Pick<BenchContext, "log">,
  boot: () => Promise<RunningTask> = () => h.boot({ inactivityMs: 3_600_000 }),
  attempts = 3,
): Promise<RunningTask> {
  for (let attempt = 1; ; attempt++) {
    const connectedBefore = h.gateway.connected;
    const logsBefore = h.logs.length;
    const run = await boot();
    let exited: number | undefined;
    void run.exit.then((code) => {
      exited = code;
    });
    try {
      await until(
        "the agent task connected",
        () => {
          if (exited !== undefined)
            throw new Error(`the agent task exited with code ${exited} before connecting`);
          return h.gateway.connected > connectedBefore;
        },
        600_000,
      );
      return run;
    } catch (error) {
      const lines = h.logs.slice(logsBefore);
      const startupLimit = lines.some((l) => l.includes(OPENCLAW_STARTUP_LIMIT));
      if (exited !== undefined && startupLimit && attempt < attempts) {
        ctx.log(
          `OpenClaw missed its own 5 s start-up limit (machine load); booting again (${attempt + 1}/${attempts})`,
        );
        await until(
          "the agent Idle again",
          async () => (await h.stores.taskState.get(USER_ID)).state === "Idle",
        );
        continue;
      }
      if (exited === undefined) await run.task.stop("signal");
      throw new Error(`${(error as Error).message}\nLast task log lines:\n${lines.slice(-40).join("\n")}`);
    }
  }
}
