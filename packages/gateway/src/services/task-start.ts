import { randomBytes } from "node:crypto";
import {
  type AgentState,
  BUDGET_UNAVAILABLE,
  BUDGET_UNAVAILABLE_MESSAGE,
  type Capacity,
  type TaskState,
} from "@serverless-openclaw/shared";
import { errorSummary, GatewayError } from "../errors";
import { hashAgentSecret } from "./agent-binding";
import { type LastError, type LifecycleRows, RUN_FIELDS_CLEARED } from "./lifecycle-rows";

/** What the lifecycle needs of the usage service (services/usage.ts). */
export interface BudgetGuard {
  budgetCheck(userId: string): Promise<{ error?: LastError }>;
}

/** Why a start past the user's budget is refused, or undefined when it may go ahead. */
export async function budgetRefusal(
  rows: LifecycleRows,
  budget: BudgetGuard | undefined,
  userId: string,
): Promise<LastError | undefined> {
  if (!budget) return undefined;
  try {
    return (await budget.budgetCheck(userId)).error;
  } catch (error) {
    // The cap fails closed: a start whose cost cannot be checked could be the one that runs away.
    rows.deps.logger.warn("budget check failed; start refused", { userId, ...errorSummary(error) });
    return { code: BUDGET_UNAVAILABLE, message: BUDGET_UNAVAILABLE_MESSAGE };
  }
}

/** Leaves the agent Idle with the reason on the row, so every channel shows why it did not start. */
export async function refuseStart(rows: LifecycleRows, row: TaskState, error: LastError): Promise<void> {
  rows.deps.logger.info("agent start refused", { userId: row.userId, code: error.code });
  rows.deps.metrics?.count("AgentStartRefused");
  const saved =
    row.lastError?.code === error.code && row.lastError.message === error.message
      ? row
      : await rows.transition(row, "Idle", { lastError: { ...error, at: rows.now() } });
  await rows.broadcastStatus(saved ?? { ...row, lastError: { ...error, at: rows.now() } });
}

/**
 * Starts a task unless someone else already did (the conditional Idle → Starting decides). The winner
 * makes a fresh per-start secret and keeps only its hash on the row. Returns the state afterwards.
 */
export async function startTask(
  rows: LifecycleRows,
  userId: string,
  restarting?: LastError,
): Promise<AgentState> {
  const { taskState, clock, logger, metrics } = rows.deps;
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
  metrics?.count("AgentStart");
  logger.info("agent start", { userId });
  await rows.broadcastStatus(starting);

  let taskArn: string;
  let capacity: Capacity | undefined;
  try {
    ({ taskArn, capacity } = await rows.deps.taskRunner.start({ userId, agentSecret }));
  } catch (error) {
    logger.error("agent start failed", { userId, ...errorSummary(error) });
    metrics?.count("AgentStartFailed");
    const failed = await rows.failStart(starting, startFailure(error));
    return failed?.state ?? (await taskState.get(userId)).state;
  }
  return (await saveTaskArn(rows, starting, taskArn, capacity)).state;
}

/** The agent may already have connected (bumping the version) by the time RunTask returns. */
async function saveTaskArn(
  rows: LifecycleRows,
  starting: TaskState,
  taskArn: string,
  capacity?: Capacity,
): Promise<TaskState> {
  const { userId } = starting;
  let row = starting;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (row.agentSecretHash !== starting.agentSecretHash || !["Starting", "Running"].includes(row.state)) {
      // This start was superseded (failed, stopped) before RunTask returned: don't leave the task running.
      await rows.stopTaskQuietly(taskArn, "superseded start");
      return row;
    }
    // The capacity that ran prices the run when it is booked (on-demand costs about 3× Spot).
    const saved = await rows.transition(row, row.state, { taskArn, ...(capacity ? { capacity } : {}) });
    if (saved) return saved;
    row = await rows.deps.taskState.get(userId);
  }
  rows.deps.logger.warn("could not record taskArn", { userId, taskArn });
  return row;
}

function startFailure(error: unknown): LastError {
  if (error instanceof GatewayError) return { code: error.code, message: error.message };
  return {
    code: "TASK_START_FAILED",
    message:
      "The agent could not be started. Send a message to try again; if this keeps happening, check the gateway logs.",
  };
}
