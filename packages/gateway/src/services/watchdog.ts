import { LIMITS, type TaskState } from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";
import { type LifecycleService, START_TIMEOUT } from "./lifecycle";

export type WatchdogDeps = Pick<
  GatewayDeps,
  "taskState" | "taskRunner" | "pending" | "clock" | "logger" | "metrics"
>;

/** A Starting row younger than this is not checked against ECS: a fresh task may not be listed yet. */
const ECS_GRACE_MS = 60_000;

export type WatchdogAction =
  | "start-timeout"
  | "heartbeat-stale"
  | "max-runtime"
  | "not-running"
  | "restarted";

export interface WatchdogReport {
  checked: number;
  actions: Array<{ userId: string; action: WatchdogAction }>;
}

const HEARTBEAT_STALE = {
  code: "HEARTBEAT_STALE",
  message: "The agent stopped responding and was stopped. Send a message to start it again.",
};
const MAX_RUNTIME = {
  code: "MAX_RUNTIME",
  message: `The agent ran for the maximum of ${LIMITS.maxTaskRuntimeMs / 3_600_000} hours and was stopped. Send a message to start it again.`,
};
const TASK_GONE = {
  code: "TASK_GONE",
  message:
    "The agent's task ended unexpectedly (for example a Spot interruption). Send a message to start it again.",
};

/**
 * Runs every few minutes: stops tasks that stopped heart-beating or ran past the hard limit, fails starts
 * stuck past their limit, and repairs rows whose task ECS no longer runs. A row repaired that still has
 * pending messages is started again, so no message waits for the user to send another.
 */
export class WatchdogService {
  constructor(
    private readonly deps: WatchdogDeps,
    private readonly lifecycle: LifecycleService,
  ) {}

  async run(): Promise<WatchdogReport> {
    const { taskState, taskRunner, logger } = this.deps;
    const rows = await taskState.listActive();
    const arns = rows.flatMap((r) => (r.taskArn ? [r.taskArn] : []));
    let running: Set<string> | undefined;
    try {
      running = arns.length > 0 ? await taskRunner.running(arns) : new Set();
    } catch (error) {
      // Without ECS's view, only the time-based checks run this round.
      logger.warn("watchdog could not list running tasks", errorSummary(error));
    }
    const report: WatchdogReport = { checked: rows.length, actions: [] };
    for (const row of rows) {
      try {
        const action = await this.check(row, running);
        if (!action) continue;
        report.actions.push({ userId: row.userId, action });
        this.deps.metrics?.count(`Watchdog.${action}`);
        if (action === "not-running" && (await this.deps.pending.list(row.userId, 1)).length > 0) {
          await this.lifecycle.wake(row.userId);
          report.actions.push({ userId: row.userId, action: "restarted" });
        }
      } catch (error) {
        logger.error("watchdog check failed", { userId: row.userId, ...errorSummary(error) });
      }
    }
    if (report.actions.length > 0) logger.info("watchdog acted", { ...report });
    return report;
  }

  private async check(row: TaskState, running: Set<string> | undefined): Promise<WatchdogAction | undefined> {
    const now = this.deps.clock.now().getTime();
    const age = (iso: string | undefined) => (iso ? now - Date.parse(iso) : Number.POSITIVE_INFINITY);

    if (row.state === "Starting" && this.lifecycle.startTimedOut(row)) {
      return (await this.lifecycle.failStart(row, START_TIMEOUT)) ? "start-timeout" : undefined;
    }
    const ecsSaysGone =
      running !== undefined &&
      row.taskArn !== undefined &&
      !running.has(row.taskArn) &&
      !(row.state === "Starting" && age(row.startedAt) < ECS_GRACE_MS);
    if (ecsSaysGone) {
      return (await this.lifecycle.forceIdle(row, TASK_GONE)) ? "not-running" : undefined;
    }
    if (row.state === "Running") {
      if (age(row.runningAt) > LIMITS.maxTaskRuntimeMs)
        return this.stopAndIdle(row, MAX_RUNTIME, "max-runtime");
      if (age(row.heartbeatAt ?? row.runningAt) > LIMITS.heartbeatStaleMs) {
        return this.stopAndIdle(row, HEARTBEAT_STALE, "heartbeat-stale");
      }
    }
    // A Stopping agent that never reached Idle (it crashed while backing up) after a generous limit.
    if (row.state === "Stopping" && age(row.updatedAt) > LIMITS.startTimeoutMs) {
      return this.stopAndIdle(row, TASK_GONE, "not-running");
    }
    return undefined;
  }

  private async stopAndIdle(
    row: TaskState,
    reason: { code: string; message: string },
    action: WatchdogAction,
  ): Promise<WatchdogAction | undefined> {
    if (row.taskArn) await this.lifecycle.stopTaskQuietly(row.taskArn, reason.code);
    return (await this.lifecycle.forceIdle(row, reason)) ? action : undefined;
  }
}
