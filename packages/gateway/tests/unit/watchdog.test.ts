import { LIMITS } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createServices } from "../../src/services";
import { connectClient, makeDeps } from "./fakes";

const USER = "user-1";

async function runningAgent() {
  const deps = makeDeps();
  const services = createServices(deps);
  await services.lifecycle.wake(USER);
  const secret = deps.taskRunner.starts[0]?.agentSecret ?? "";
  const row = await services.lifecycle.agentConnected({ connectionId: "agent-1", userId: USER, secret });
  return { deps, services, taskArn: row.taskArn ?? "" };
}

describe("WatchdogService", () => {
  it("leaves healthy agents alone", async () => {
    const { deps, services } = await runningAgent();
    deps.clock.advance(LIMITS.heartbeatStaleMs - 1000);
    expect(await services.watchdog.run()).toEqual({ checked: 1, actions: [] });
    expect((await deps.taskState.get(USER)).state).toBe("Running");
  });

  it("stops a task whose heartbeat is stale and sets Idle with the reason", async () => {
    const { deps, services, taskArn } = await runningAgent();
    const tab = await connectClient(deps, USER);
    deps.clock.advance(LIMITS.heartbeatStaleMs + 1000);
    const report = await services.watchdog.run();
    expect(report.actions).toEqual([{ userId: USER, action: "heartbeat-stale" }]);
    expect(deps.taskRunner.stops.map((s) => s.taskArn)).toEqual([taskArn]);
    const row = await deps.taskState.get(USER);
    expect(row).toMatchObject({ state: "Idle", lastError: { code: "HEARTBEAT_STALE" } });
    expect(row.agentConnectionId).toBeUndefined();
    expect(deps.clientPush.to(tab).at(-1)).toMatchObject({
      state: "Idle",
      error: { code: "HEARTBEAT_STALE" },
    });
  });

  it("stops a task that ran past the hard limit even while it heart-beats", async () => {
    const { deps, services } = await runningAgent();
    deps.clock.advance(LIMITS.maxTaskRuntimeMs + 1000);
    await deps.taskState.transition({
      userId: USER,
      expectState: "Running",
      set: { heartbeatAt: deps.clock.now().toISOString() },
    });
    const report = await services.watchdog.run();
    expect(report.actions).toEqual([{ userId: USER, action: "max-runtime" }]);
    expect((await deps.taskState.get(USER)).state).toBe("Idle");
  });

  it("repairs a Running row whose task ECS no longer runs, and restarts it when messages wait", async () => {
    const { deps, services, taskArn } = await runningAgent();
    deps.taskRunner.runningArns.delete(taskArn); // e.g. a Spot interruption that never reached our code
    await deps.pending.enqueue({
      userId: USER,
      id: `${deps.clock.now().toISOString()}#x`,
      clientMessageId: "m1",
      conversationId: "c1",
      text: "hi",
      channel: "web",
      replyTo: { channel: "web" },
      receivedAt: deps.clock.now().toISOString(),
    });
    const report = await services.watchdog.run();
    expect(report.actions).toEqual([
      { userId: USER, action: "not-running" },
      { userId: USER, action: "restarted" },
    ]);
    expect(deps.taskRunner.starts).toHaveLength(2);
    expect((await deps.taskState.get(USER)).state).toBe("Starting");
  });

  it("repairs without restarting when nothing waits", async () => {
    const { deps, services, taskArn } = await runningAgent();
    deps.taskRunner.runningArns.delete(taskArn);
    await services.watchdog.run();
    expect(await deps.taskState.get(USER)).toMatchObject({ state: "Idle", lastError: { code: "TASK_GONE" } });
    expect(deps.taskRunner.starts).toHaveLength(1);
  });

  it("fails a start stuck past the limit", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await services.lifecycle.wake(USER);
    deps.clock.advance(LIMITS.startTimeoutMs + 1000);
    const report = await services.watchdog.run();
    expect(report.actions).toEqual([{ userId: USER, action: "start-timeout" }]);
    expect(await deps.taskState.get(USER)).toMatchObject({
      state: "Idle",
      lastError: { code: "START_TIMEOUT" },
    });
    expect(deps.taskRunner.stops).toHaveLength(1);
  });

  it("gives a fresh start time to appear in ECS before repairing it", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await services.lifecycle.wake(USER);
    deps.taskRunner.runningArns.clear();
    expect((await services.watchdog.run()).actions).toEqual([]);
    deps.clock.advance(120_000);
    expect((await services.watchdog.run()).actions).toEqual([{ userId: USER, action: "not-running" }]);
  });

  it("still applies the time limits when ECS cannot be asked", async () => {
    const { deps, services } = await runningAgent();
    deps.taskRunner.running = async () => {
      throw new Error("ThrottlingException");
    };
    deps.clock.advance(LIMITS.heartbeatStaleMs + 1000);
    expect((await services.watchdog.run()).actions).toEqual([{ userId: USER, action: "heartbeat-stale" }]);
  });
});
