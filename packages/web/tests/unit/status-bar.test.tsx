// @vitest-environment happy-dom
import { type AgentStatusEvent, STARTUP_STEP_LABELS, STARTUP_STEPS } from "@serverless-openclaw/shared";
import { cleanup, configure, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { StatusBar } from "../../src/ui/status-bar";
import type { ConnectionState } from "../../src/ws/ws-client";

// Generous waits: the suite shares two cores with other suites starting real services.
configure({ asyncUtilTimeout: 10_000 });

afterEach(cleanup);

const open: ConnectionState = { status: "open" };
const now = Date.parse("2026-11-25T12:00:30.000Z");
const startedAt = "2026-11-25T12:00:00.000Z";

function show(agent: AgentStatusEvent | null, connection: ConnectionState = open) {
  render(<StatusBar agent={agent} connection={connection} now={now} onReconnect={() => undefined} />);
  return screen.getByTestId("status-bar");
}

describe("StatusBar", () => {
  it("says it is checking before the first status arrives", () => {
    expect(show(null).textContent).toContain("Checking the agent");
  });

  it("shows Idle as asleep", () => {
    const bar = show({ type: "agent.status", state: "Idle" });
    expect(bar.dataset.state).toBe("Idle");
    expect(bar.textContent).toContain("Agent asleep");
  });

  it.each(STARTUP_STEPS)("shows the start-up step %s with elapsed time and the typical wait", (step) => {
    const bar = show({ type: "agent.status", state: "Starting", step, startedAt, typicalWakeSeconds: 42.4 });
    expect(bar.dataset.state).toBe("Starting");
    const text = screen.getByTestId("status-agent").textContent;
    expect(text).toBe(`Waking up: ${STARTUP_STEP_LABELS[step]} · 30 s · usually ~42 s`);
  });

  it("falls back to the gateway's message while Starting without a step", () => {
    show({ type: "agent.status", state: "Starting", message: "Waking up the agent…" });
    expect(screen.getByTestId("status-agent").textContent).toBe("Waking up: Waking up the agent…");
  });

  it("shows Running and Stopping", () => {
    expect(show({ type: "agent.status", state: "Running" }).textContent).toContain("Agent running");
    cleanup();
    expect(show({ type: "agent.status", state: "Stopping" }).textContent).toContain("Agent stopping");
  });

  it("shows a failed start as an alert", () => {
    show({
      type: "agent.status",
      state: "Idle",
      error: { code: "START_FAILED", message: "No Fargate capacity. Send a message to try again." },
    });
    expect(screen.getByRole("alert").textContent).toBe(
      "Start failed: No Fargate capacity. Send a message to try again.",
    );
  });

  it("hides the connection part while connected", () => {
    show({ type: "agent.status", state: "Running" });
    expect(screen.queryByTestId("status-connection")).toBeNull();
  });

  it("shows a lost connection with the seconds until the next try and a retry button", () => {
    show(
      { type: "agent.status", state: "Running" },
      { status: "reconnecting", attempt: 2, retryAt: now + 4_200 },
    );
    const part = screen.getByTestId("status-connection");
    expect(part.dataset.connection).toBe("reconnecting");
    expect(part.textContent).toContain("Connection lost — reconnecting in 5 s");
    expect(screen.getByRole("button", { name: "Retry now" })).toBeTruthy();
  });

  it("shows connecting, offline and signed-out", () => {
    show(null, { status: "connecting" });
    expect(screen.getByTestId("status-connection").textContent).toBe("Connecting…");
    cleanup();
    show(null, { status: "offline", reason: "network" });
    expect(screen.getByTestId("status-connection").textContent).toContain(
      "Offline — waiting for the network",
    );
    cleanup();
    show(null, { status: "offline", reason: "signed-out" });
    expect(screen.getByTestId("status-connection").textContent).toBe("Signed out — sign in again");
  });
});
