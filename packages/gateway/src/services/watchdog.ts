import {
  CRASH_RESTARTING_ERROR,
  INTERRUPTED_ERROR,
  LIMITS,
  type TaskState,
} from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";
import type { LifecycleService } from "./lifecycle";
import { START_TIMEOUT } from "./lifecycle-rows";

export type WatchdogDeps = Pick<
  GatewayDeps,
  "taskState" | "taskRunner" | "pending" | "settings" | "clock" | "logger" | "metrics"
>;

/** A Starting row younger than this is not checked against ECS: a fresh task may not be listed yet. */
const ECS_GRACE_MS = 60_000;

export type WatchdogAction =
  | "start-timeout"
  | "heartbeat-stale"
  | "max-runtime"
  | "not-running"
  | "restarted"
  | "restart-limited";

/** A task that ended, as ECS reports it (EventBridge "ECS Task State Change", lastStatus STOPPED). */
export interface StoppedTask {
  taskArn: string;
  userId: string;
  /** ECS's stopCode, e.g. SpotInterruption, EssentialContainerExited, UserInitiated. */
  stopCode?: string;
}

/**
 * Restarts for pending messages are bounded: a message that crashes every agent must not start tasks
 * (and bill) forever. Past the limit the message waits for the user's next message or /status.
 */
const RESTARTS = { max: 3, windowMs: 60 * 60_000, settingKey: "watchdog#restarts" };
interface RestartWindow {
  windowStart: number;
  count: number;
}

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
/** A task that died with nothing left to answer: the next message starts a new one. */
const TASK_GONE = {
  code: "TASK_GONE",
  message: "The agent stopped unexpectedly. It starts again with your next message.",
};

const RESTART_LIMITED = {
  code: "RESTART_LIMITED",
  message: `The agent was interrupted ${RESTARTS.max} times within an hour while answering, so it was not restarted again. Your messages are kept: send another message to try again.`,
};

/**
 * Runs every few minutes: stops tasks that stopped heart-beating or ran past the hard limit, fails starts
 * stuck past their limit, and repairs rows whose task ECS no longer runs. A row repaired that still has
 * pending messages is started again, so no message waits for the user to send another.
 */
/**
 * The actions that stop or repair a task, also counted together as `Watchdog.kill`: one alarm metric
 * instead of three (CloudWatch bills per alarm metric; docs/cost.md).
 */
const KILLS: ReadonlySet<string> = new Set(["heartbeat-stale", "max-runtime", "not-running"]);

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
        if (KILLS.has(action)) this.deps.metrics?.count("Watchdog.kill");
        if (action !== "start-timeout") {
          const resumed = await this.resumePending(row.userId);
          if (resumed) report.actions.push({ userId: row.userId, action: resumed });
        }
      } catch (error) {
        logger.error("watchdog check failed", { userId: row.userId, ...errorSummary(error) });
      }
    }
    if (report.actions.length > 0) logger.info("watchdog acted", { ...report });
    return report;
  }

  /**
   * A task ended (ECS's task-state event on AWS, the child's exit locally). Repairs the row at once if the
   * task died without reaching Idle, and starts a new task when it left messages unanswered: after a
   * crash, or when it was interrupted from outside (it then leaves INTERRUPTED_ERROR on its Idle row).
   * Nobody has to send another message first, which matters most on Telegram, where nothing else asks.
   */
  async taskStopped(task: StoppedTask): Promise<WatchdogAction[]> {
    const { logger } = this.deps;
    const row = await this.deps.taskState.get(task.userId);
    const actions: WatchdogAction[] = [];
    let resume = false;
    if (row.taskArn === task.taskArn && row.state !== "Idle") {
      if (!(await this.lifecycle.forceIdle(row, await this.goneReason(row.userId)))) return actions; // someone else moved it
      actions.push("not-running");
      this.deps.metrics?.count("Watchdog.not-running");
      this.deps.metrics?.count("Watchdog.kill");
      resume = true;
    } else if (row.state === "Idle" && row.lastError?.code === INTERRUPTED_ERROR.code) {
      resume = true;
    }
    if (resume) {
      const resumed = await this.resumePending(task.userId, row.state === "Idle" ? row.lastError : undefined);
      if (resumed) actions.push(resumed);
    }
    if (actions.length > 0) logger.info("task stopped", { ...task, actions });
    return actions;
  }

  /** Says "restarting to answer" only when there is something to answer (a restart follows). */
  private async goneReason(userId: string): Promise<{ code: string; message: string }> {
    const waiting = await this.deps.pending.list(userId, 1).catch(() => []);
    return waiting.length > 0 ? CRASH_RESTARTING_ERROR : TASK_GONE;
  }

  /**
   * Starts an agent for messages still pending, within the restart budget. The new start keeps saying
   * why it happens (`reason`, default: the agent stopped unexpectedly) while it boots.
   */
  private async resumePending(
    userId: string,
    reason: { code: string; message: string } = CRASH_RESTARTING_ERROR,
  ): Promise<WatchdogAction | undefined> {
    const { pending, settings, clock, logger } = this.deps;
    if ((await pending.list(userId, 1)).length === 0) return undefined;
    const now = clock.now().getTime();
    const seen = await settings.get<RestartWindow>(userId, RESTARTS.settingKey);
    const window = seen && now - seen.windowStart < RESTARTS.windowMs ? seen : { windowStart: now, count: 0 };
    if (window.count >= RESTARTS.max) {
      logger.warn("restart for pending messages skipped: too many in the last hour", { userId });
      this.deps.metrics?.count("Watchdog.restart-limited");
      // The Idle row may still say the agent restarts (INTERRUPTED_ERROR); it does not, so say so.
      await this.lifecycle.setIdleReason(userId, RESTART_LIMITED);
      return "restart-limited";
    }
    await settings.put(
      userId,
      RESTARTS.settingKey,
      { ...window, count: window.count + 1 },
      {
        expiresAt: Math.ceil((window.windowStart + RESTARTS.windowMs) / 1000),
      },
    );
    const state = await this.lifecycle.wake(userId, reason);
    this.deps.metrics?.count("Watchdog.restarted");
    return state === "Idle" ? undefined : "restarted";
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
      return (await this.lifecycle.forceIdle(row, await this.goneReason(row.userId)))
        ? "not-running"
        : undefined;
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
      return this.stopAndIdle(row, await this.goneReason(row.userId), "not-running");
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
