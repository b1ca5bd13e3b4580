import { LIMITS, type TaskState } from "@serverless-openclaw/shared";
import { AuthError } from "../errors";
import { agentSecretMatches, isTaskArnOf } from "./agent-binding";
import type { LifecycleRows } from "./lifecycle-rows";

export interface AgentConnectInput {
  connectionId: string;
  userId: string;
  secret: string;
  /** On AWS: the ECS task id the caller's IAM identity proves; the row's taskArn must be this task. */
  taskId?: string;
}

/**
 * The agent task opened its WebSocket: checks that it is the task of the current start (its IAM task id
 * on AWS, its per-start secret everywhere), then marks it Running and records its connection.
 */
export async function connectAgent(rows: LifecycleRows, input: AgentConnectInput): Promise<TaskState> {
  const { taskState, connections, clock, metrics } = rows.deps;
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
    const running = await rows.transition(row, row.state, {
      state: "Running",
      agentConnectionId: input.connectionId,
      runningAt: row.runningAt ?? now.toISOString(),
      heartbeatAt: now.toISOString(),
      step: "ready",
      stepAt: now.toISOString(),
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
      metrics?.count("AgentRunning");
      if (row.startedAt) await rows.wakeTimes.record((now.getTime() - Date.parse(row.startedAt)) / 1000);
      await rows.broadcastStatus(running);
    }
    return running;
  }
  throw new AuthError("AGENT_REJECTED", "the agent state kept changing while connecting; reconnect");
}

/** The agent's WebSocket closed. The task may reconnect; until then messages stay pending. */
export async function disconnectAgent(
  rows: LifecycleRows,
  userId: string,
  connectionId: string,
): Promise<void> {
  const row = await rows.deps.taskState.get(userId);
  if (row.agentConnectionId !== connectionId) return;
  await rows.transition(row, row.state, { agentConnectionId: null });
}
