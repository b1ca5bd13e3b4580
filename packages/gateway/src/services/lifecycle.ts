import {
  type AgentState,
  type AgentStatusEvent,
  keepWarmActive,
  type Settings,
  type SettingsUpdate,
  type TaskState,
} from "@serverless-openclaw/shared";
import { type AgentConnectInput, connectAgent, disconnectAgent } from "./agent-connection";
import { pushTo } from "./broadcast";
import { type LastError, type LifecycleDeps, LifecycleRows, START_TIMEOUT } from "./lifecycle-rows";
import { type BudgetGuard, budgetRefusal, refuseStart, startTask } from "./task-start";

/**
 * The agent's lifecycle per user: Idle → Starting → Running → Stopping → Idle (Starting → Idle on failure).
 * Every write is a conditional TaskState transition, so concurrent callers race safely: exactly one of
 * them wins Idle → Starting and calls TaskRunner.start. The parts live by concern: the shared row writes
 * (lifecycle-rows.ts), starting a task (task-start.ts), the agent's socket (agent-connection.ts); this
 * class is the one surface the handlers, the watchdog and the other services call.
 */
export class LifecycleService extends LifecycleRows {
  /**
   * `budget`: consulted before every start; a start past the user's monthly cap is refused.
   * `llmSetup`: a user without an AI provider gets no agent (a pre-warm would boot one for nothing);
   * ChatService answers their messages itself.
   */
  constructor(
    deps: LifecycleDeps,
    private readonly budget?: BudgetGuard,
    private readonly llmSetup?: (userId: string) => Promise<{ code: string } | undefined>,
  ) {
    super(deps);
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
    const refusal = await budgetRefusal(this, this.budget, userId);
    if (refusal) {
      await refuseStart(this, row, refusal);
      return "Idle";
    }
    return startTask(this, userId, restarting);
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

  /** The agent task opened its WebSocket: check it is this start's task, then mark it Running. */
  agentConnected(input: AgentConnectInput): Promise<TaskState> {
    return connectAgent(this, input);
  }

  /** The agent's WebSocket closed. The task may reconnect; until then messages stay pending. */
  agentDisconnected(userId: string, connectionId: string): Promise<void> {
    return disconnectAgent(this, userId, connectionId);
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
}
