import * as z from "zod";

/**
 * The agent's lifecycle, one per user, kept in TaskState.
 * Idle → Starting → Running → Stopping → Idle, and Starting → Idle when a start fails.
 */
export const AGENT_STATES = ["Idle", "Starting", "Running", "Stopping"] as const;
export const AgentStateSchema = z.enum(AGENT_STATES);
export type AgentState = z.infer<typeof AgentStateSchema>;

/** Which transitions the lifecycle allows. Anything else is a bug or a race that lost. */
export const ALLOWED_TRANSITIONS: Readonly<Record<AgentState, readonly AgentState[]>> = {
  Idle: ["Starting"],
  Starting: ["Running", "Idle", "Stopping"],
  Running: ["Stopping"],
  Stopping: ["Idle"],
};

export function canTransition(from: AgentState, to: AgentState): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/**
 * Start-up steps, in order, shown to the user while the agent wakes.
 * `provisioning` is the time ECS (or the local process runner) takes before our code runs.
 */
export const STARTUP_STEPS = [
  "provisioning",
  "restoring-state",
  "writing-config",
  "starting-openclaw",
  "connecting",
  "ready",
] as const;
export const StartupStepSchema = z.enum(STARTUP_STEPS);
export type StartupStep = z.infer<typeof StartupStepSchema>;

export const STARTUP_STEP_LABELS: Readonly<Record<StartupStep, string>> = {
  provisioning: "Starting container…",
  "restoring-state": "Restoring memory…",
  "writing-config": "Preparing settings…",
  "starting-openclaw": "Starting OpenClaw…",
  connecting: "Connecting…",
  ready: "Ready",
};

/** What a user sees while the agent wakes. */
export const WAKING_MESSAGE = "Waking up the agent…";

/**
 * The lastError an agent task leaves on its Idle row when it was stopped from outside (Spot interruption,
 * StopTask, a crash of OpenClaw) with messages still unanswered. The gateway's task-stopped handler sees
 * it and starts a new task for them, so nobody has to send another message first.
 */
/**
 * What the user reads when an agent died (crash, OOM, host loss) with messages unanswered: the
 * watchdog starts a new one at once, so the notice says that instead of asking for another message.
 */
export const CRASH_RESTARTING_ERROR = {
  code: "TASK_GONE",
  message: "The agent stopped unexpectedly; restarting to answer.",
} as const;

export const INTERRUPTED_ERROR = {
  code: "INTERRUPTED",
  message: "The agent was interrupted before it could answer; it restarts to answer your pending messages.",
} as const;
