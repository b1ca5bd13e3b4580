import { type AgentStatusEvent, LIMITS, type TaskState } from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";
import type { TaskStateChange } from "../ports";
import { broadcast } from "./broadcast";
import { statusEvent } from "./status";
import { WakeTimes } from "./wake-times";

export type LifecycleDeps = Pick<
  GatewayDeps,
  | "taskState"
  | "taskRunner"
  | "connections"
  | "clientPush"
  | "agentPush"
  | "clock"
  | "logger"
  | "metrics"
  | "config"
  | "settings"
>;

/** Why the agent is Idle (or restarting), as the row keeps it and every channel shows it. */
export type LastError = { code: string; message: string };

/** Fields that belong to one run of a task; cleared whenever the row returns to Idle. */
export const RUN_FIELDS_CLEARED = {
  taskArn: null,
  capacity: null,
  agentConnectionId: null,
  agentSecretHash: null,
  step: null,
  stepAt: null,
  heartbeatAt: null,
  runningAt: null,
} as const;

export const START_TIMEOUT: LastError = {
  code: "START_TIMEOUT",
  message: `The agent did not finish starting within ${LIMITS.startTimeoutMs / 60_000} minutes. Send a message to try again; if this keeps happening, check the task logs in CloudWatch.`,
};

/**
 * The writes every part of the lifecycle shares (starting, the agent's connection, stopping): each is a
 * conditional TaskState transition on the row's version, and each new state is told to the user's tabs.
 */
export class LifecycleRows {
  /** This deployment's measured wakes, for "usually ~N s". */
  readonly wakeTimes: WakeTimes;

  constructor(readonly deps: LifecycleDeps) {
    this.wakeTimes = new WakeTimes(deps);
  }

  /** Starting → Idle with a reason the user sees; stops the task if one was started. */
  async failStart(row: TaskState, error: LastError): Promise<TaskState | undefined> {
    const failed = await this.transition(row, "Starting", {
      ...RUN_FIELDS_CLEARED,
      state: "Idle",
      lastError: { ...error, at: this.now() },
    });
    if (!failed) return undefined;
    if (row.taskArn) await this.stopTaskQuietly(row.taskArn, error.code);
    await this.broadcastStatus(failed);
    return failed;
  }

  /**
   * Brings a row back to Idle whatever its state, through the allowed transitions
   * (Running → Stopping → Idle; Starting/Stopping → Idle). Undefined when another writer got there first.
   */
  async forceIdle(row: TaskState, lastError?: LastError): Promise<TaskState | undefined> {
    let current: TaskState | undefined = row;
    if (current.state === "Idle") return current;
    if (current.state === "Running") {
      current = await this.transition(current, "Running", { state: "Stopping" });
      if (!current) return undefined;
    }
    const idle = await this.transition(current, ["Starting", "Stopping"], {
      ...RUN_FIELDS_CLEARED,
      state: "Idle",
      ...(lastError ? { lastError: { ...lastError, at: this.now() } } : {}),
    });
    if (idle) await this.broadcastStatus(idle);
    return idle;
  }

  startTimedOut(row: TaskState): boolean {
    const since = Date.parse(row.startedAt ?? row.updatedAt);
    return this.deps.clock.now().getTime() - since > LIMITS.startTimeoutMs;
  }

  async stopTaskQuietly(taskArn: string, reason: string): Promise<void> {
    try {
      await this.deps.taskRunner.stop(taskArn, reason);
    } catch (error) {
      this.deps.logger.warn("stop task failed", { taskArn, ...errorSummary(error) });
    }
  }

  async broadcastStatus(row: TaskState): Promise<void> {
    if (row.state === "Starting") await this.wakeTimes.refresh();
    await broadcast(this.deps, row.userId, this.toEvent(row));
  }

  toEvent(row: TaskState): AgentStatusEvent {
    return statusEvent(row, this.wakeTimes.current);
  }

  /** A write conditional on the row's state and version: undefined when another writer got there first. */
  transition(
    row: TaskState,
    expectState: TaskStateChange["expectState"],
    set: TaskStateChange["set"],
  ): Promise<TaskState | undefined> {
    return this.deps.taskState.transition({
      userId: row.userId,
      expectState,
      expectVersion: row.version,
      set,
    });
  }

  now(): string {
    return this.deps.clock.now().toISOString();
  }
}
