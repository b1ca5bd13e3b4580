import { ScheduleFireEventSchema } from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { createServices, type GatewayServices } from "../services";
import type { FireOutcome } from "../services/schedules";

export type ScheduleFireHandler = (event: unknown) => Promise<{ outcome: FireOutcome | "ignored" }>;

/**
 * Called by the scheduler (EventBridge Scheduler's Lambda target on AWS, the in-process scheduler
 * locally) with `{ userId, scheduleId, scheduledTime }`. A malformed event is logged and dropped (a
 * retry would not fix it); a failure while enqueueing is thrown so the invocation is retried — the
 * run's marker makes the retry safe.
 */
export function createScheduleFireHandler(
  deps: GatewayDeps,
  services: GatewayServices = createServices(deps),
): ScheduleFireHandler {
  return async (event) => {
    const parsed = ScheduleFireEventSchema.safeParse(event);
    if (!parsed.success) {
      deps.logger.error("schedule-fire: not a schedule event", { issues: parsed.error.issues.length });
      return { outcome: "ignored" };
    }
    return { outcome: await services.schedules.fire(parsed.data) };
  };
}
