import * as z from "zod";
import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";
import type { UserDirectory } from "../ports";
import { createServices, type GatewayServices } from "../services";
import type { WatchdogAction, WatchdogReport } from "../services/watchdog";

export type WatchdogHandler = (
  event?: unknown,
) => Promise<WatchdogReport | { stopped: WatchdogAction[] } | { error: string }>;

/**
 * EventBridge's "ECS Task State Change" for a task that stopped. The agent task is started with the
 * user's id as `startedBy` (see EcsTaskRunner); local mode sends the same shape when a child exits.
 */
const TaskStoppedEventSchema = z.object({
  source: z.literal("aws.ecs"),
  "detail-type": z.literal("ECS Task State Change"),
  detail: z.object({
    taskArn: z.string().min(1),
    startedBy: z.string().min(1),
    lastStatus: z.literal("STOPPED"),
    stopCode: z.string().optional(),
  }),
});

/**
 * The watchdog Lambda has two triggers: the schedule (every few minutes; that event carries nothing it
 * needs) runs a full round, and ECS's task-stopped event handles that one task at once. A failure is
 * logged and reported, not thrown: the next round repairs anyway, and a retry storm of overlapping
 * rounds would only race with itself.
 */
export function createWatchdogHandler(
  deps: GatewayDeps,
  services: GatewayServices = createServices(deps),
  /** Cognito on AWS: each scheduled round also ends the sessions of deleted or disabled accounts. */
  users?: UserDirectory,
): WatchdogHandler {
  /** Its own failure must not cost the round's report (the tasks were already handled). */
  async function sweepSessions(directory: UserDirectory): Promise<void> {
    try {
      const ended = await services.sessions.sweep(directory);
      if (ended.length > 0) deps.logger.info("sessions of gone accounts ended", { ended });
    } catch (error) {
      deps.logger.error("session sweep failed", errorSummary(error));
    }
  }

  return async (event) => {
    const stopped = TaskStoppedEventSchema.safeParse(event);
    try {
      if (stopped.success) {
        const { taskArn, startedBy, stopCode } = stopped.data.detail;
        const task = { taskArn, userId: startedBy, ...(stopCode ? { stopCode } : {}) };
        return { stopped: await services.watchdog.taskStopped(task) };
      }
      const report = await services.watchdog.run();
      if (users) await sweepSessions(users);
      return report;
    } catch (error) {
      deps.logger.error("watchdog round failed", errorSummary(error));
      deps.metrics?.count("WatchdogFailed");
      return { error: "watchdog round failed; see the logs" };
    }
  };
}
