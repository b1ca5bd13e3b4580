import { type AgentStatusEvent, STARTUP_STEP_LABELS, WAKING_MESSAGE } from "@serverless-openclaw/shared";
import type { MessageStatus } from "../chat/chat-store";
import type { ConnectionState } from "../ws/ws-client";

/**
 * What the page believes about the agent, from the last status push and the socket together. The
 * status bar and every message bubble read this one value, so they cannot contradict each other:
 * while the socket is down nothing is known about the agent (a task may have stopped meanwhile), so
 * neither says "running".
 */
export type AgentView =
  | { kind: "unreachable" }
  | { kind: "checking" }
  | { kind: "asleep" }
  | { kind: "waking"; agent: AgentStatusEvent }
  | { kind: "running" }
  | { kind: "stopping" };

export function agentView(agent: AgentStatusEvent | null, connection: ConnectionState): AgentView {
  if (connection.status !== "open") {
    return connection.status === "connecting" && !agent ? { kind: "checking" } : { kind: "unreachable" };
  }
  if (!agent) return { kind: "checking" };
  switch (agent.state) {
    case "Idle":
      return { kind: "asleep" };
    case "Starting":
      return { kind: "waking", agent };
    case "Running":
      return { kind: "running" };
    case "Stopping":
      return { kind: "stopping" };
  }
}

/** The status bar's data-state: the agent's state, or "unknown" while it cannot be known. */
export function viewState(view: AgentView): string {
  switch (view.kind) {
    case "asleep":
      return "Idle";
    case "waking":
      return "Starting";
    case "running":
      return "Running";
    case "stopping":
      return "Stopping";
    default:
      return "unknown";
  }
}

export function describeView(view: AgentView, now: number): string {
  switch (view.kind) {
    case "unreachable":
      return "Server unreachable — the agent's state is unknown";
    case "checking":
      return "Checking the agent…";
    case "asleep":
      return "Agent asleep — it wakes when you send a message";
    case "running":
      return "Agent running";
    case "stopping":
      return "Agent stopping…";
    case "waking": {
      const { agent } = view;
      const step = agent.step ? STARTUP_STEP_LABELS[agent.step] : (agent.message ?? WAKING_MESSAGE);
      const parts = [`Waking up: ${step}`];
      if (agent.startedAt) {
        const elapsed = Math.max(0, Math.floor((now - Date.parse(agent.startedAt)) / 1000));
        parts.push(`${elapsed} s`);
      }
      if (agent.typicalWakeSeconds) parts.push(`usually ~${Math.round(agent.typicalWakeSeconds)} s`);
      return parts.join(" · ");
    }
  }
}

/** The line under a user's message that is not answered yet, in the same terms as the status bar. */
export function describeUserMessage(status: MessageStatus, view: AgentView): string | undefined {
  if (status === "stopped") return "Stopped";
  if (status !== "sending" && status !== "queued" && status !== "delivered") return undefined;
  if (view.kind === "unreachable") {
    return status === "delivered"
      ? "Delivered — the server is unreachable, the reply shows when it is back"
      : "Waiting — the server is unreachable; the message goes out when it is back";
  }
  if (status === "delivered") return "Delivered";
  if (status === "sending") return "Sending…";
  switch (view.kind) {
    case "waking":
      return "Queued — the agent is waking up";
    case "running":
      return "Queued — the agent answers it next";
    case "stopping":
      return "Queued — the agent restarts to answer it";
    default:
      return "Queued — the agent will answer when it is awake";
  }
}
