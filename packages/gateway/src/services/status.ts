import {
  type AgentStatusEvent,
  STARTUP_STEP_LABELS,
  type TaskState,
  WAKING_MESSAGE,
} from "@serverless-openclaw/shared";

const STATE_MESSAGES = {
  Idle: "The agent is asleep; sending a message wakes it.",
  Running: "The agent is ready.",
  Stopping: "The agent is stopping…",
} as const;

/** What the user sees for a TaskState row (the `agent.status` event and `GET /agent`). */
export function statusEvent(row: TaskState, typicalWakeSeconds: number): AgentStatusEvent {
  const lastError = row.lastError ? { code: row.lastError.code, message: row.lastError.message } : undefined;
  if (row.state === "Starting") {
    const step = row.step ?? "provisioning";
    return {
      type: "agent.status",
      state: "Starting",
      step,
      ...(row.startedAt ? { startedAt: row.startedAt } : {}),
      typicalWakeSeconds,
      // A restart after a crash says so for the whole boot (the row keeps why it started).
      message: `${lastError?.message ?? WAKING_MESSAGE}${step === "provisioning" ? "" : ` ${STARTUP_STEP_LABELS[step]}`}`,
    };
  }
  return {
    type: "agent.status",
    state: row.state,
    message: row.state === "Idle" && lastError ? lastError.message : STATE_MESSAGES[row.state],
    ...(row.state === "Idle" && lastError ? { error: lastError } : {}),
  };
}
