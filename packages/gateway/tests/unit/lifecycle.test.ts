import { createHash } from "node:crypto";
import { LIMITS, WAKING_MESSAGE } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { AuthError, TaskStartError } from "../../src/errors";
import { createServices } from "../../src/services";
import { agentSecretMatches, hashAgentSecret } from "../../src/services/agent-binding";
import { connectClient, makeDeps } from "./fakes";

const USER = "user-1";

async function started() {
  const deps = makeDeps({ config: { typicalWakeSeconds: 42 } });
  const services = createServices(deps);
  const tab = await connectClient(deps, USER);
  await services.lifecycle.wake(USER);
  const secret = deps.taskRunner.starts[0]?.agentSecret ?? "";
  return { deps, services, tab, secret };
}

describe("LifecycleService.wake", () => {
  it("starts one task with a fresh secret whose SHA-256 is stored, and tells every tab it is waking", async () => {
    const { deps, tab, secret } = await started();
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect(secret.length).toBeGreaterThanOrEqual(43);
    const row = await deps.taskState.get(USER);
    expect(row.state).toBe("Starting");
    expect(row.agentSecretHash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(row.taskArn).toMatch(/^arn:aws:ecs:/);
    expect(deps.clientPush.to(tab)).toContainEqual({
      type: "agent.status",
      state: "Starting",
      step: "provisioning",
      startedAt: deps.clock.now().toISOString(),
      typicalWakeSeconds: 42,
      message: WAKING_MESSAGE,
    });
  });

  it("uses a different secret for every start", async () => {
    const { deps, services } = await started();
    const first = await deps.taskState.get(USER);
    await services.lifecycle.stop(USER, "test");
    await services.lifecycle.wake(USER);
    const second = await deps.taskState.get(USER);
    expect(deps.taskRunner.starts[0]?.agentSecret).not.toBe(deps.taskRunner.starts[1]?.agentSecret);
    expect(second.agentSecretHash).not.toBe(first.agentSecretHash);
  });

  it("does nothing more while Starting or Running", async () => {
    const { deps, services } = await started();
    expect(await services.lifecycle.wake(USER)).toBe("Starting");
    expect(deps.taskRunner.starts).toHaveLength(1);
  });

  it("returns to Idle with the reason when RunTask fails, tells the user, and the next wake retries", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    const tab = await connectClient(deps, USER);
    deps.taskRunner.failNext = new TaskStartError("NO_CAPACITY", "AWS has no Fargate capacity right now.");
    expect(await services.lifecycle.wake(USER)).toBe("Idle");
    const row = await deps.taskState.get(USER);
    expect(row.lastError).toMatchObject({ code: "NO_CAPACITY" });
    expect(row.agentSecretHash).toBeUndefined();
    expect(deps.clientPush.to(tab).at(-1)).toMatchObject({
      type: "agent.status",
      state: "Idle",
      error: { code: "NO_CAPACITY", message: "AWS has no Fargate capacity right now." },
    });
    expect(await services.lifecycle.wake(USER)).toBe("Starting");
    expect(deps.taskRunner.starts).toHaveLength(2);
    expect((await deps.taskState.get(USER)).lastError).toBeUndefined();
  });

  it("hides unexpected RunTask errors behind a generic, actionable message", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    deps.taskRunner.failNext = new Error("socket hang up at 10.0.0.1");
    await services.lifecycle.wake(USER);
    const { lastError } = await deps.taskState.get(USER);
    expect(lastError?.code).toBe("TASK_START_FAILED");
    expect(lastError?.message).not.toContain("10.0.0.1");
  });

  it("fails a start stuck past the limit, stops its task, and starts again", async () => {
    const { deps, services, tab } = await started();
    const stuck = await deps.taskState.get(USER);
    deps.clock.advance(LIMITS.startTimeoutMs + 1);
    expect(await services.lifecycle.wake(USER)).toBe("Starting");
    expect(deps.taskRunner.stops.map((s) => s.taskArn)).toEqual([stuck.taskArn]);
    expect(deps.taskRunner.starts).toHaveLength(2);
    const events = deps.clientPush.to(tab);
    expect(events).toContainEqual(
      expect.objectContaining({ state: "Idle", error: expect.objectContaining({ code: "START_TIMEOUT" }) }),
    );
    expect(events.at(-1)).toMatchObject({ state: "Starting" });
  });

  it("leaves a start that is within its limit alone", async () => {
    const { deps, services } = await started();
    deps.clock.advance(LIMITS.startTimeoutMs - 1000);
    await services.lifecycle.wake(USER);
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect(deps.taskRunner.stops).toHaveLength(0);
  });
});

describe("LifecycleService.agentConnected", () => {
  it("accepts the task holding this start's secret and marks the agent Running", async () => {
    const { deps, services, tab, secret } = await started();
    const row = await services.lifecycle.agentConnected({ connectionId: "agent-1", userId: USER, secret });
    expect(row).toMatchObject({ state: "Running", agentConnectionId: "agent-1", step: "ready" });
    expect(row.runningAt).toBe(deps.clock.now().toISOString());
    expect(row.heartbeatAt).toBe(deps.clock.now().toISOString());
    expect(await deps.connections.get("agent-1")).toMatchObject({ kind: "agent", userId: USER });
    expect(deps.clientPush.to(tab).at(-1)).toMatchObject({ type: "agent.status", state: "Running" });
  });

  it("rejects a wrong secret, and a secret from another user's start", async () => {
    const { deps, services } = await started();
    await services.lifecycle.wake("user-2");
    const otherSecret = deps.taskRunner.starts[1]?.agentSecret ?? "";
    await expect(
      services.lifecycle.agentConnected({ connectionId: "a", userId: USER, secret: "x".repeat(43) }),
    ).rejects.toBeInstanceOf(AuthError);
    await expect(
      services.lifecycle.agentConnected({ connectionId: "a", userId: USER, secret: otherSecret }),
    ).rejects.toBeInstanceOf(AuthError);
    expect((await deps.taskState.get(USER)).state).toBe("Starting");
    expect(await deps.connections.get("a")).toBeUndefined();
  });

  it("rejects an agent when no start is in progress", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await expect(
      services.lifecycle.agentConnected({ connectionId: "a", userId: USER, secret: "s".repeat(43) }),
    ).rejects.toThrow(/no agent start is in progress/);
  });

  it("lets the same task reconnect and replaces its old connection", async () => {
    const { deps, services, secret } = await started();
    await services.lifecycle.agentConnected({ connectionId: "agent-1", userId: USER, secret });
    await services.lifecycle.agentConnected({ connectionId: "agent-2", userId: USER, secret });
    expect((await deps.taskState.get(USER)).agentConnectionId).toBe("agent-2");
    expect(await deps.connections.get("agent-1")).toBeUndefined();
  });

  it("survives the task writing start-up steps concurrently (version changes)", async () => {
    const { deps, services, secret } = await started();
    const row = await deps.taskState.get(USER);
    await deps.taskState.transition({ userId: USER, expectState: "Starting", set: { step: "connecting" } });
    expect(row.version).toBeLessThan((await deps.taskState.get(USER)).version);
    const running = await services.lifecycle.agentConnected({
      connectionId: "agent-1",
      userId: USER,
      secret,
    });
    expect(running.state).toBe("Running");
  });

  it("compares secrets only against a well-formed stored hash", () => {
    expect(agentSecretMatches("abc", hashAgentSecret("abc"))).toBe(true);
    expect(agentSecretMatches("abc", hashAgentSecret("abd"))).toBe(false);
    expect(agentSecretMatches("abc", undefined)).toBe(false);
    expect(agentSecretMatches("abc", "zz")).toBe(false);
  });
});

describe("LifecycleService.stop and agentDisconnected", () => {
  it("asks a Running agent to shut down over its connection", async () => {
    const { deps, services, secret } = await started();
    await services.lifecycle.agentConnected({ connectionId: "agent-1", userId: USER, secret });
    const event = await services.lifecycle.stop(USER, "stopped by the user");
    expect(deps.agentPush.to("agent-1")).toEqual([{ type: "agent.shutdown", reason: "stopped by the user" }]);
    expect(deps.taskRunner.stops).toHaveLength(0);
    expect(event).toMatchObject({ type: "agent.status", state: "Running", message: "Stopping the agent…" });
  });

  it("falls back to stopping the task when the agent's connection is gone", async () => {
    const { deps, services, secret } = await started();
    const running = await services.lifecycle.agentConnected({
      connectionId: "agent-1",
      userId: USER,
      secret,
    });
    deps.agentPush.gone.add("agent-1");
    await services.lifecycle.stop(USER, "stopped by the user");
    expect(deps.taskRunner.stops).toEqual([{ taskArn: running.taskArn, reason: "stopped by the user" }]);
    expect(await deps.connections.get("agent-1")).toBeUndefined();
  });

  it("stops a Starting task and returns to Idle at once", async () => {
    const { deps, services, tab } = await started();
    const row = await deps.taskState.get(USER);
    const event = await services.lifecycle.stop(USER, "stopped by the user");
    expect(event.state).toBe("Idle");
    expect(deps.taskRunner.stops.map((s) => s.taskArn)).toEqual([row.taskArn]);
    expect(deps.clientPush.to(tab).at(-1)).toMatchObject({ state: "Idle" });
  });

  it("forgets the agent's connection when it closes, so messages wait for the reconnect", async () => {
    const { deps, services, secret } = await started();
    await services.lifecycle.agentConnected({ connectionId: "agent-1", userId: USER, secret });
    await services.lifecycle.agentDisconnected(USER, "some-other-connection");
    expect((await deps.taskState.get(USER)).agentConnectionId).toBe("agent-1");
    await services.lifecycle.agentDisconnected(USER, "agent-1");
    const row = await deps.taskState.get(USER);
    expect(row.state).toBe("Running");
    expect(row.agentConnectionId).toBeUndefined();
  });
});

describe("LifecycleService.wakeAfterStopping", () => {
  async function stopping() {
    const { deps, services, secret } = await started();
    await services.lifecycle.agentConnected({ connectionId: "agent-1", userId: USER, secret });
    await deps.taskState.transition({ userId: USER, expectState: "Running", set: { state: "Stopping" } });
    return { deps, services };
  }

  it("starts a new task once the stopping one reaches Idle", async () => {
    const { deps, services } = await stopping();
    const waiting = services.lifecycle.wakeAfterStopping(USER, { pollMs: 5, waitMs: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(deps.taskRunner.starts).toHaveLength(1);
    await deps.taskState.transition({ userId: USER, expectState: "Stopping", set: { state: "Idle" } });
    expect(await waiting).toBe("Starting");
    expect(deps.taskRunner.starts).toHaveLength(2);
  });

  it("gives up after the wait and leaves the rest to the watchdog", async () => {
    const { deps, services } = await stopping();
    expect(await services.lifecycle.wakeAfterStopping(USER, { pollMs: 5, waitMs: 30 })).toBe("Stopping");
    expect(deps.taskRunner.starts).toHaveLength(1);
  });
});
