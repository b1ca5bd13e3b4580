// @vitest-environment happy-dom
import type { AgentStatusEvent, ServerEvent } from "@serverless-openclaw/shared";
import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAgentSocket } from "../../src/ui/use-agent-socket";
import type { ConnectionState, WsClient } from "../../src/ws/ws-client";

/**
 * The part of WsClient the hook uses. The gateway's side is played by `agentState`: what a
 * `status.get` is answered with. No other status is pushed unless a test pushes it, as when the
 * pushes of a stop are lost while the socket reconnects.
 */
class FakeClient {
  readonly connectionState: ConnectionState = { status: "open" };
  agentState: AgentStatusEvent["state"] = "Running";
  readonly sent: string[] = [];
  /** Each wake the hook asked for, by its `force` flag. */
  readonly wakes: boolean[] = [];
  private readonly listeners = new Set<(event: ServerEvent) => void>();

  onEvent(listener: (event: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onStateChange(): () => void {
    return () => undefined;
  }
  start(): void {}
  stop(): void {}
  reconnectNow(): void {}
  networkLost(): void {}
  checkAlive(): void {}
  wake(force = false): boolean {
    this.wakes.push(force);
    return true;
  }
  send(message: { type: string }): boolean {
    this.sent.push(message.type);
    if (message.type === "status.get") this.status(this.agentState);
    return true;
  }
  status(state: AgentStatusEvent["state"], extra: Partial<AgentStatusEvent> = {}): void {
    for (const listener of this.listeners) listener({ type: "agent.status", state, ...extra });
  }
}

let client: FakeClient;
beforeEach(() => {
  vi.useFakeTimers();
  client = new FakeClient();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function mount() {
  const hook = renderHook(() => useAgentSocket(client as unknown as WsClient, () => undefined));
  return hook;
}

/** One poll period of the hook (5 s) passes. */
const poll = () => act(() => vi.advanceTimersByTime(5_000));
const polls = () => client.sent.filter((t) => t === "status.get").length;

describe("useAgentSocket: the restart after this page saved settings", () => {
  it("follows a Running agent to Idle by its status poll and starts it again, with no Idle push", async () => {
    const { result } = mount();
    act(() => client.status("Running"));
    expect(client.wakes).toEqual([]);

    act(() => result.current.restartingSave());
    // The agent stops for the settings; none of its status pushes reach this page.
    client.agentState = "Stopping";
    await poll();
    expect(polls()).toBe(1);
    expect(result.current.agent?.state).toBe("Stopping");
    expect(client.wakes).toEqual([]);

    client.agentState = "Idle";
    await poll();
    expect(result.current.agent?.state).toBe("Idle");
    expect(client.wakes).toEqual([true]);

    // Once: a later Idle (this restart failing, another stop) does not start it again.
    act(() => client.status("Idle"));
    await poll();
    expect(client.wakes).toEqual([true]);
  });

  it("does not start an agent that was not Running when the settings were saved", async () => {
    const { result } = mount();
    act(() => client.status("Starting"));
    act(() => result.current.restartingSave());
    // It was not told to restart: its start ends in Idle (failed), which the page only follows.
    client.agentState = "Idle";
    await poll();
    expect(polls()).toBe(1);
    expect(result.current.agent?.state).toBe("Idle");
    expect(client.wakes).toEqual([]);
  });

  it("a Stop from the page after the save cancels the restart", async () => {
    const { result } = mount();
    act(() => client.status("Running"));
    act(() => result.current.restartingSave());
    act(() => result.current.statusFromRequest({ type: "agent.status", state: "Stopping" }));
    client.agentState = "Idle";
    await poll();
    expect(result.current.agent?.state).toBe("Idle");
    expect(client.wakes).toEqual([]);
  });

  it("the Idle push that says why starts it again too, once", () => {
    const { result } = mount();
    act(() => client.status("Running"));
    act(() => result.current.restartingSave());
    act(() => client.status("Idle", { idleReason: "settings-changed" }));
    expect(client.wakes).toEqual([true]);
    act(() => client.status("Idle"));
    expect(client.wakes).toEqual([true]);
  });
});
