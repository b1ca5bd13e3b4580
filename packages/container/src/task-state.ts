import { createHash } from "node:crypto";
import type { TaskStateStore } from "@serverless-openclaw/gateway/agent";
import type { Logger } from "@serverless-openclaw/shared";
import {
  type AgentState,
  STARTUP_STEP_LABELS,
  type StartupStep,
  type TaskState,
} from "@serverless-openclaw/shared";
import type { WebReplySink } from "./sinks/web";

/**
 * The task's writes to TaskState, each conditional on the state the lifecycle expects, plus the
 * matching agent.status pushes to the user's browser tabs.
 */
export class TaskStateReporter {
  private readonly secretHash: string;

  constructor(
    private readonly userId: string,
    agentSecret: string,
    private readonly store: TaskStateStore,
    private readonly web: WebReplySink,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.secretHash = createHash("sha256").update(agentSecret).digest("hex");
  }

  /** A start-up step: recorded (only while Starting) and shown to the user. Never blocks boot on failure. */
  /**
   * Records a start-up step and tells the user's tabs, in that order. A step that arrives after the
   * gateway already moved the row on (to Running when the agent connected) is dropped, so a late
   * "Connecting…" can never overwrite the newer Running status in the browser.
   */
  async step(step: StartupStep, startedAt: string | undefined): Promise<void> {
    const at = this.now().toISOString();
    let stillStarting: boolean;
    try {
      stillStarting =
        (await this.store.transition({
          userId: this.userId,
          expectState: "Starting",
          set: { step, stepAt: at },
        })) !== undefined;
    } catch (err) {
      // The store is unreachable: the tabs still deserve to see progress.
      this.logger.warn("could not record a start-up step", { step, error: err });
      stillStarting = true;
    }
    if (!stillStarting) return;
    await this.web
      .broadcast({
        type: "agent.status",
        state: "Starting",
        step,
        message: STARTUP_STEP_LABELS[step],
        ...(startedAt ? { startedAt } : {}),
      })
      .catch((err: unknown) => this.logger.warn("could not push a start-up step", { step, error: err }));
  }

  /**
   * Heartbeat while Running. Returns false when the row says this task should no longer run:
   * another state than Starting/Running, or another start's secret (a newer task took over).
   */
  async heartbeat(): Promise<boolean> {
    const at = this.now().toISOString();
    const row = await this.store.transition({
      userId: this.userId,
      expectState: "Running",
      set: { heartbeatAt: at },
    });
    if (row) return this.isMine(row);
    const current = await this.store.get(this.userId);
    return current.state === "Starting" && this.isMine(current);
  }

  async read(): Promise<TaskState> {
    return this.store.get(this.userId);
  }

  isMine(row: TaskState): boolean {
    return row.agentSecretHash === undefined || row.agentSecretHash === this.secretHash;
  }

  /** Running (or still Starting) → Stopping. False when the row is not ours or already moved on. */
  async stopping(): Promise<boolean> {
    const row = await this.store.get(this.userId);
    if (!this.isMine(row) || (row.state !== "Running" && row.state !== "Starting")) return false;
    const moved = await this.store.transition({
      userId: this.userId,
      expectState: row.state,
      expectVersion: row.version,
      set: { state: "Stopping", step: null, stepAt: null },
    });
    return moved !== undefined;
  }

  /**
   * Stopping → Idle, clearing everything that belonged to this run. `lastError` tells the gateway why,
   * when the run ended with work left (see INTERRUPTED_ERROR).
   */
  async idle(lastError?: { code: string; message: string }): Promise<boolean> {
    const moved = await this.store.transition({
      userId: this.userId,
      expectState: "Stopping",
      set: {
        state: "Idle",
        lastError: lastError ? { ...lastError, at: new Date().toISOString() } : null,
        taskArn: null,
        agentConnectionId: null,
        agentSecretHash: null,
        heartbeatAt: null,
        runningAt: null,
        startedAt: null,
        step: null,
        stepAt: null,
      },
    });
    return moved !== undefined;
  }

  async push(state: AgentState, message?: string, idleReason?: "settings-changed"): Promise<void> {
    await this.web
      .broadcast({
        type: "agent.status",
        state,
        ...(message ? { message } : {}),
        ...(idleReason ? { idleReason } : {}),
      })
      .catch((err: unknown) => this.logger.warn("could not push the agent status", { state, error: err }));
  }
}
