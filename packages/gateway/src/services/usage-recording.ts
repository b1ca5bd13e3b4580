import type { Capacity, TaskState } from "@serverless-openclaw/shared";
import type { Logger } from "../deps";
import { errorSummary } from "../errors";
import type { SettingsStore, TaskStateChange, TaskStateStore } from "../ports";
import { UsageService } from "./usage";

/**
 * Wraps a TaskStateStore so every run is booked to the user's usage, whoever moves the row: a won
 * Idle → Starting counts a start; any transition into Idle (the task's own clean stop, a failed start,
 * the watchdog repairing a crashed task) books the run's time from its startedAt. Booking never fails
 * the transition: usage is an estimate, the lifecycle is not.
 *
 * Used by the gateway (runtime/aws.ts, local mode) and by the agent task, so both ends book the same way.
 */
export function withUsageRecording(
  inner: TaskStateStore,
  settings: SettingsStore,
  logger: Pick<Logger, "warn">,
  /** Told the seconds of every run booked (the AgentRunSeconds metric behind the dashboard and spend alarm). */
  onRunBooked?: (seconds: number, capacity: Capacity) => void,
): TaskStateStore {
  const usage = new UsageService({
    settings,
    clock: { now: () => new Date() },
    logger: { ...logger, debug: () => {}, info: () => {}, error: logger.warn },
    config: { allowedOrigins: [], typicalWakeSeconds: 0, telegramEnabled: false },
  });
  const quietly = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      logger.warn("usage not recorded", { what, ...errorSummary(error) });
    }
  };
  return {
    get: (userId) => inner.get(userId),
    listActive: () => inner.listActive(),
    async transition(change: TaskStateChange): Promise<TaskState | undefined> {
      const toIdle = change.set.state === "Idle";
      // The row's startedAt is cleared by some writers on the way to Idle: read it first.
      const before = toIdle ? await inner.get(change.userId).catch(() => undefined) : undefined;
      const after = await inner.transition(change);
      if (!after) return after;
      if (change.set.state === "Starting") {
        await quietly("start", () => usage.recordStart(change.userId, new Date(after.updatedAt)));
      } else if (toIdle && before && before.state !== "Idle") {
        const startedAt = before.startedAt ?? after.startedAt;
        if (startedAt) {
          const endedAt = new Date(after.updatedAt);
          const capacity = before.capacity ?? "spot";
          await quietly("run", () => usage.recordRunEnded(change.userId, startedAt, endedAt, capacity));
          const seconds = (endedAt.getTime() - Date.parse(startedAt)) / 1000;
          if (seconds >= 0) onRunBooked?.(Math.round(seconds), capacity);
        }
      }
      return after;
    },
  };
}
