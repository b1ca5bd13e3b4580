import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import {
  type AgentState,
  type AgentStatusEvent,
  BUDGET_UNAVAILABLE,
  BUDGET_UNAVAILABLE_MESSAGE,
  type Capacity,
  keepWarmActive,
  LIMITS,
  type Settings,
  type SettingsUpdate,
  type TaskState,
} from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { AuthError, errorSummary, GatewayError } from "../errors";
import type { TaskStateChange } from "../ports";
import { isTaskArnOf } from "./agent-binding";
import { broadcast, pushTo } from "./broadcast";
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

type LastError = { code: string; message: string };

/** What the lifecycle needs of the usage service (services/usage.ts). */
export interface BudgetGuard {
  budgetCheck(userId: string): Promise<{ error?: LastError }>;
}

/** Fields that belong to one run of a task; cleared whenever the row returns to Idle. */
const RUN_FIELDS_CLEARED = {
  taskArn: null,
  capacity: null,
  agentConnectionId: null,
  agentSecretHash: null,
  step: null,
  stepAt: null,
  heartbeatAt: null,
  runningAt: null,
} as const;

export function hashAgentSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time check of a presented secret against the stored SHA-256 hex. */
export function agentSecretMatches(secret: string, storedHash: string | undefined): boolean {
  if (!storedHash || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(hashAgentSecret(secret), "hex"), Buffer.from(storedHash, "hex"));
}

/**
 * The agent's lifecycle per user: Idle → Starting → Running → Stopping → Idle (Starting → Idle on failure).
 * Every write is a conditional TaskState transition, so concurrent callers race safely: exactly one of
 * them wins Idle → Starting and calls TaskRunner.start.
 */
export class LifecycleService {
  /** This deployment's measured wakes, for "usually ~N s". */
  readonly wakeTimes: WakeTimes;

  /**
   * `budget`: consulted before every start; a start past the user's monthly cap is refused.
   * `llmSetup`: a user without an AI provider gets no agent (a pre-warm would boot one for nothing);
   * ChatService answers their messages itself.
   */
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly budget?: BudgetGuard,
    private readonly llmSetup?: (userId: string) => Promise<{ code: string } | undefined>,
  ) {
    this.wakeTimes = new WakeTimes(deps);
  }

  async status(userId: string): Promise<AgentStatusEvent> {
    const row = await this.deps.taskState.get(userId);
    if (row.state === "Starting") await this.wakeTimes.refresh();
    return this.toEvent(row);
  }

  /**
   * Makes sure an agent is on its way: starts one when Idle, replaces a start stuck past its limit.
   * `restarting` (the watchdog restarting after a crash) stays on the Starting row, so the user reads
   * why the agent is starting while it boots.
   */
  async wake(userId: string, restarting?: LastError): Promise<AgentState> {
    let row = await this.deps.taskState.get(userId);
    if (row.state === "Starting" && this.startTimedOut(row)) {
      row = (await this.failStart(row, START_TIMEOUT)) ?? (await this.deps.taskState.get(userId));
    }
    if (row.state !== "Idle") return row.state;
    const missing = await this.llmSetup?.(userId);
    if (missing) {
      this.deps.logger.info("agent not started: no AI provider set up", { userId, code: missing.code });
      return "Idle";
    }
    const refusal = await this.budgetRefusal(userId);
    if (refusal) {
      await this.refuseStart(row, refusal);
      return "Idle";
    }
    return this.start(userId, restarting);
  }

  private async budgetRefusal(userId: string): Promise<LastError | undefined> {
    if (!this.budget) return undefined;
    try {
      return (await this.budget.budgetCheck(userId)).error;
    } catch (error) {
      // The cap fails closed: a start whose cost cannot be checked could be the one that runs away.
      this.deps.logger.warn("budget check failed; start refused", { userId, ...errorSummary(error) });
      return { code: BUDGET_UNAVAILABLE, message: BUDGET_UNAVAILABLE_MESSAGE };
    }
  }

  /** Leaves the agent Idle with the reason on the row, so every channel shows why it did not start. */
  private async refuseStart(row: TaskState, error: LastError): Promise<void> {
    this.deps.logger.info("agent start refused", { userId: row.userId, code: error.code });
    this.deps.metrics?.count("AgentStartRefused");
    const saved =
      row.lastError?.code === error.code && row.lastError.message === error.message
        ? row
        : await this.transition(row, "Idle", { lastError: { ...error, at: this.now() } });
    await this.broadcastStatus(saved ?? { ...row, lastError: { ...error, at: this.now() } });
  }

  /**
   * A message that arrives while the agent is Stopping stays pending, but the stopping task will not
   * take it. ChatService.send calls this after acknowledging such a message: it waits (bounded) for the
   * task to reach Idle and then starts a new one. Returns the state it left the agent in.
   */
  async wakeAfterStopping(
    userId: string,
    opts: { waitMs?: number; pollMs?: number } = {},
  ): Promise<AgentState> {
    const waitMs = opts.waitMs ?? 20_000;
    const pollMs = Math.min(opts.pollMs ?? 1000, Math.max(waitMs, 1));
    const deadline = Date.now() + waitMs;
    for (;;) {
      const { state } = await this.deps.taskState.get(userId);
      if (state !== "Stopping") return state === "Idle" ? this.wake(userId) : state;
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, deadline - Date.now())));
    }
    // Still stopping (a slow state backup): the message stays pending for the next wake (the user's next
    // message, or a page that connects); a task that never gets down is repaired by the watchdog.
    return "Stopping";
  }

  /** Starts a task unless someone else already did. Returns the state afterwards. */
  private async start(userId: string, restarting?: LastError): Promise<AgentState> {
    const { taskState, clock, logger } = this.deps;
    const agentSecret = randomBytes(32).toString("base64url");
    const now = clock.now().toISOString();
    const starting = await taskState.transition({
      userId,
      expectState: "Idle",
      set: {
        ...RUN_FIELDS_CLEARED,
        state: "Starting",
        startedAt: now,
        step: "provisioning",
        stepAt: now,
        agentSecretHash: hashAgentSecret(agentSecret),
        lastError: restarting ? { ...restarting, at: now } : null,
      },
    });
    if (!starting) return (await taskState.get(userId)).state; // another caller won the race
    this.deps.metrics?.count("AgentStart");
    logger.info("agent start", { userId });
    await this.broadcastStatus(starting);

    let taskArn: string;
    let capacity: Capacity | undefined;
    try {
      ({ taskArn, capacity } = await this.deps.taskRunner.start({ userId, agentSecret }));
    } catch (error) {
      logger.error("agent start failed", { userId, ...errorSummary(error) });
      this.deps.metrics?.count("AgentStartFailed");
      const failed = await this.failStart(starting, startFailure(error));
      return failed?.state ?? (await taskState.get(userId)).state;
    }
    return (await this.saveTaskArn(userId, starting, taskArn, capacity)).state;
  }

  /** The agent may already have connected (bumping the version) by the time RunTask returns. */
  private async saveTaskArn(
    userId: string,
    starting: TaskState,
    taskArn: string,
    capacity?: Capacity,
  ): Promise<TaskState> {
    let row = starting;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (row.agentSecretHash !== starting.agentSecretHash || !["Starting", "Running"].includes(row.state)) {
        // This start was superseded (failed, stopped) before RunTask returned: don't leave the task running.
        await this.stopTaskQuietly(taskArn, "superseded start");
        return row;
      }
      const saved = await this.deps.taskState.transition({
        userId,
        expectState: row.state,
        expectVersion: row.version,
        // The capacity that ran prices the run when it is booked (on-demand costs about 3× Spot).
        set: { taskArn, ...(capacity ? { capacity } : {}) },
      });
      if (saved) return saved;
      row = await this.deps.taskState.get(userId);
    }
    this.deps.logger.warn("could not record taskArn", { userId, taskArn });
    return row;
  }

  /** Starting → Idle with a reason the user sees; stops the task if one was started. */
  async failStart(row: TaskState, error: LastError): Promise<TaskState | undefined> {
    const failed = await this.deps.taskState.transition({
      userId: row.userId,
      expectState: "Starting",
      expectVersion: row.version,
      set: { ...RUN_FIELDS_CLEARED, state: "Idle", lastError: { ...error, at: this.now() } },
    });
    if (!failed) return undefined;
    if (row.taskArn) await this.stopTaskQuietly(row.taskArn, error.code);
    await this.broadcastStatus(failed);
    return failed;
  }

  /** The agent task opened its WebSocket: check its per-start secret, then mark it Running. */
  async agentConnected(input: {
    connectionId: string;
    userId: string;
    secret: string;
    /** On AWS: the ECS task id the caller's IAM identity proves; the row's taskArn must be this task. */
    taskId?: string;
  }): Promise<TaskState> {
    const { taskState, connections, clock } = this.deps;
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await taskState.get(input.userId);
      if (row.state !== "Starting" && row.state !== "Running") {
        throw new AuthError(
          "AGENT_REJECTED",
          `no agent start is in progress for this user (state ${row.state})`,
        );
      }
      if (input.taskId !== undefined && !isTaskArnOf(row.taskArn, input.taskId)) {
        throw new AuthError("AGENT_REJECTED", "the caller is not the task of the current start");
      }
      if (!agentSecretMatches(input.secret, row.agentSecretHash)) {
        throw new AuthError("AGENT_REJECTED", "the agent secret does not match the current start");
      }
      const now = clock.now();
      const running = await taskState.transition({
        userId: input.userId,
        expectState: row.state,
        expectVersion: row.version,
        set: {
          state: "Running",
          agentConnectionId: input.connectionId,
          runningAt: row.runningAt ?? now.toISOString(),
          heartbeatAt: now.toISOString(),
          step: "ready",
          stepAt: now.toISOString(),
        },
      });
      if (!running) continue; // the task wrote a start-up step meanwhile; read again
      await connections.put({
        connectionId: input.connectionId,
        userId: input.userId,
        kind: "agent",
        connectedAt: now.toISOString(),
        expiresAt: Math.floor(now.getTime() / 1000) + LIMITS.connectionTtlSeconds,
      });
      if (row.agentConnectionId && row.agentConnectionId !== input.connectionId) {
        await connections.delete(row.agentConnectionId);
      }
      if (row.state === "Starting") {
        this.deps.metrics?.count("AgentRunning");
        if (row.startedAt) await this.wakeTimes.record((now.getTime() - Date.parse(row.startedAt)) / 1000);
        await this.broadcastStatus(running);
      }
      return running;
    }
    throw new AuthError("AGENT_REJECTED", "the agent state kept changing while connecting; reconnect");
  }

  /** The agent's WebSocket closed. The task may reconnect; until then messages stay pending. */
  async agentDisconnected(userId: string, connectionId: string): Promise<void> {
    const row = await this.deps.taskState.get(userId);
    if (row.agentConnectionId !== connectionId) return;
    await this.deps.taskState.transition({
      userId,
      expectState: row.state,
      expectVersion: row.version,
      set: { agentConnectionId: null },
    });
  }

  /**
   * Stops the user's agent. A Running agent is asked to shut down over its connection (it backs its
   * state up and sets Idle itself); if it can't be reached the task is stopped through the TaskRunner and
   * the watchdog repairs the row. A Starting agent is stopped and set Idle at once.
   */
  async stop(userId: string, reason: string): Promise<AgentStatusEvent> {
    const row = await this.deps.taskState.get(userId);
    this.deps.logger.info("agent stop requested", { userId, state: row.state, reason });
    if (row.state === "Starting") {
      const idle = await this.forceIdle(row);
      if (row.taskArn) await this.stopTaskQuietly(row.taskArn, reason);
      return this.toEvent(idle ?? (await this.deps.taskState.get(userId)));
    }
    if (row.state !== "Running") return this.toEvent(row);

    const asked =
      row.agentConnectionId !== undefined &&
      (await pushTo(
        this.deps,
        row.agentConnectionId,
        { type: "agent.shutdown", reason },
        this.deps.agentPush,
      ));
    if (!asked) {
      if (row.taskArn) await this.stopTaskQuietly(row.taskArn, reason);
      else await this.forceIdle(row); // nothing to stop: a row without a task is only a stale record
    }
    return { ...this.toEvent(row), state: row.state, message: "Stopping the agent…" };
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

  /**
   * Replaces the reason an Idle row shows (its lastError) and tells the user's open pages. Undefined when
   * the row is no longer Idle, or another writer changed it first: a new run has its own status then.
   */
  async setIdleReason(userId: string, lastError: LastError): Promise<TaskState | undefined> {
    const row = await this.deps.taskState.get(userId);
    if (row.state !== "Idle") return undefined;
    const updated = await this.transition(row, "Idle", { lastError: { ...lastError, at: this.now() } });
    if (updated) await this.broadcastStatus(updated);
    return updated;
  }

  /**
   * The user saved new settings. OpenClaw reads them at start, so a running agent is told to stop once it
   * has nothing left to answer (never mid-turn); the next message starts it with the new settings.
   * Returns whether a running agent was told.
   */
  async settingsChanged(userId: string): Promise<boolean> {
    const row = await this.deps.taskState.get(userId);
    if (row.state !== "Running" || !row.agentConnectionId) return false;
    return pushTo(this.deps, row.agentConnectionId, { type: "agent.settings-changed" }, this.deps.agentPush);
  }

  /**
   * After PUT /settings. A running agent restarts for anything OpenClaw reads at start
   * (settingsChanged); keep-warm hours need no restart (the task re-reads them before an idle stop),
   * and a window that is open now wakes the agent at once instead of at its next start.
   */
  async settingsSaved(userId: string, update: SettingsUpdate, saved: Settings): Promise<void> {
    const changed = Object.entries(update)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);
    if (changed.some((field) => field !== "keepWarm")) await this.settingsChanged(userId);
    if (update.keepWarm && keepWarmActive(saved.keepWarm, this.deps.clock.now())) await this.wake(userId);
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

  private transition(
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

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

export const START_TIMEOUT: LastError = {
  code: "START_TIMEOUT",
  message: `The agent did not finish starting within ${LIMITS.startTimeoutMs / 60_000} minutes. Send a message to try again; if this keeps happening, check the task logs in CloudWatch.`,
};

function startFailure(error: unknown): LastError {
  if (error instanceof GatewayError) return { code: error.code, message: error.message };
  return {
    code: "TASK_START_FAILED",
    message:
      "The agent could not be started. Send a message to try again; if this keeps happening, check the gateway logs.",
  };
}
