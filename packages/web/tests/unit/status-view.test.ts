import type { AgentStatusEvent } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import type { MessageStatus } from "../../src/chat/chat-store";
import { agentView, describeUserMessage, describeView, viewState } from "../../src/ui/status-view";
import type { ConnectionState } from "../../src/ws/ws-client";

const open: ConnectionState = { status: "open" };
const down: ConnectionState[] = [
  { status: "reconnecting", attempt: 1, retryAt: 0 },
  { status: "offline", reason: "network" },
  { status: "offline", reason: "stopped" },
];
const status = (state: AgentStatusEvent["state"]): AgentStatusEvent => ({ type: "agent.status", state });

describe("one view of the agent for the status bar and the message bubbles", () => {
  it.each(down)("knows nothing about the agent while the socket is %o, whatever the last push said", (c) => {
    for (const state of ["Idle", "Starting", "Running", "Stopping"] as const) {
      const view = agentView(status(state), c);
      expect(view.kind).toBe("unreachable");
      expect(viewState(view)).toBe("unknown");
      expect(describeView(view, 0)).toContain("Server unreachable");
      expect(describeView(view, 0)).not.toContain("running");
      for (const s of ["sending", "queued", "delivered"] as MessageStatus[])
        expect(describeUserMessage(s, view)).toContain("server is unreachable");
    }
  });

  it("a queued message says what the bar says", () => {
    const pairs: Array<[AgentStatusEvent["state"], string, string]> = [
      ["Idle", "Agent asleep", "when it is awake"],
      ["Starting", "Waking up", "waking up"],
      ["Running", "Agent running", "answers it next"],
      ["Stopping", "Agent stopping", "restarts to answer it"],
    ];
    for (const [state, bar, bubble] of pairs) {
      const view = agentView(status(state), open);
      expect(viewState(view)).toBe(state);
      expect(describeView(view, 0)).toContain(bar);
      expect(describeUserMessage("queued", view)).toContain(bubble);
    }
  });

  it("is checking before the first status of a fresh connection", () => {
    expect(agentView(null, { status: "connecting" }).kind).toBe("checking");
    expect(agentView(null, open).kind).toBe("checking");
  });

  it("says nothing under answered messages", () => {
    expect(describeUserMessage("done", agentView(status("Running"), open))).toBeUndefined();
    expect(describeUserMessage("error", agentView(null, down[0] as ConnectionState))).toBeUndefined();
  });
});
