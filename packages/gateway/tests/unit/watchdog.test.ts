import { CRASH_RESTARTING_ERROR, INTERRUPTED_ERROR, LIMITS } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createWatchdogHandler } from "../../src/handlers/watchdog";
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

  it("counts every stop or repair also as Watchdog.kill, the one metric its alarm watches", async () => {
    const { deps } = await runningAgent();
    const counted: string[] = [];
    deps.metrics = { count: (name: string) => void counted.push(name) };
    const again = createServices(deps);
    deps.clock.advance(LIMITS.heartbeatStaleMs + 1000);
    await again.watchdog.run();
    expect(counted).toEqual(expect.arrayContaining(["Watchdog.heartbeat-stale", "Watchdog.kill"]));
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

describe("the watchdog on ECS's task-stopped event", () => {
  const stoppedEvent = (taskArn: string, userId = USER, stopCode = "EssentialContainerExited") => ({
    version: "0",
    source: "aws.ecs",
    "detail-type": "ECS Task State Change",
    detail: { taskArn, startedBy: userId, lastStatus: "STOPPED", stopCode, clusterArn: "arn:cluster" },
  });

  async function withPending(deps: ReturnType<typeof makeDeps>, clientMessageId = "m1") {
    await deps.pending.enqueue({
      userId: USER,
      id: `${deps.clock.now().toISOString()}#${clientMessageId}`,
      clientMessageId,
      conversationId: "c1",
      text: "hi",
      channel: "telegram",
      replyTo: { channel: "telegram", chatId: 42 },
      receivedAt: deps.clock.now().toISOString(),
    });
  }

  /** What the agent task does when SIGTERM leaves a message unanswered: Stopping, then Idle with the mark. */
  async function interruptedStop(deps: ReturnType<typeof makeDeps>) {
    const row = await deps.taskState.get(USER);
    await deps.taskState.transition({ userId: USER, expectState: "Running", set: { state: "Stopping" } });
    await deps.taskState.transition({
      userId: USER,
      expectState: "Stopping",
      set: {
        state: "Idle",
        taskArn: null,
        agentConnectionId: null,
        lastError: { ...INTERRUPTED_ERROR, at: deps.clock.now().toISOString() },
      },
    });
    return row.taskArn ?? "";
  }

  it("restarts at once for a message an interrupted task left unanswered (a Telegram user sends nothing else)", async () => {
    const { deps, services } = await runningAgent();
    const handler = createWatchdogHandler(deps, services);
    await withPending(deps);
    const taskArn = await interruptedStop(deps);
    expect(await handler(stoppedEvent(taskArn, USER, "SpotInterruption"))).toEqual({
      stopped: ["restarted"],
    });
    expect(deps.taskRunner.starts).toHaveLength(2);
    expect(await deps.taskState.get(USER)).toMatchObject({ state: "Starting" });
  });

  it("repairs a task that died without reaching Idle and restarts it for the waiting message", async () => {
    const { deps, services, taskArn } = await runningAgent();
    await withPending(deps);
    const handler = createWatchdogHandler(deps, services);
    expect(await handler(stoppedEvent(taskArn))).toEqual({ stopped: ["not-running", "restarted"] });
    expect(deps.taskRunner.starts).toHaveLength(2);
  });

  it("tells the user the agent stopped unexpectedly and is restarting to answer, for the whole boot", async () => {
    const { deps, services, taskArn } = await runningAgent();
    const tab = await connectClient(deps, USER);
    await withPending(deps);
    await createWatchdogHandler(deps, services)(stoppedEvent(taskArn));
    const statuses = deps.clientPush.to(tab).filter((e) => e.type === "agent.status");
    expect(statuses.map((s) => [s.state, s.message])).toEqual([
      ["Idle", CRASH_RESTARTING_ERROR.message],
      ["Starting", CRASH_RESTARTING_ERROR.message],
    ]);
    // No notice contradicts the restart.
    expect(JSON.stringify(statuses)).not.toContain("Send a message");
    // The boot's later steps keep saying why it started.
    const row = await deps.taskState.get(USER);
    expect(await services.lifecycle.status(USER)).toMatchObject({ state: "Starting", step: row.step });
    expect((await services.lifecycle.status(USER)).message).toContain(CRASH_RESTARTING_ERROR.message);
  });

  it("after a crash with nothing to answer, says the next message starts it again", async () => {
    const { deps, services, taskArn } = await runningAgent();
    const tab = await connectClient(deps, USER);
    await createWatchdogHandler(deps, services)(stoppedEvent(taskArn));
    expect(deps.clientPush.to(tab).at(-1)).toMatchObject({
      state: "Idle",
      message: "The agent stopped unexpectedly. It starts again with your next message.",
    });
    expect(deps.taskRunner.starts).toHaveLength(1);
  });

  it("does nothing for a clean stop, an old task of the user, or a task with nothing left to answer", async () => {
    const { deps, services, taskArn } = await runningAgent();
    const handler = createWatchdogHandler(deps, services);
    // An older task of this user (the row belongs to the current one): nothing to repair.
    await withPending(deps);
    expect(await handler(stoppedEvent("arn:aws:ecs:task/old"))).toEqual({ stopped: [] });
    expect((await deps.taskState.get(USER)).state).toBe("Running");
    // The current task went Idle by itself (idle timeout, or a stop the user asked for): no restart,
    // even though a message waits; it is answered at the next wake.
    await deps.taskState.transition({ userId: USER, expectState: "Running", set: { state: "Stopping" } });
    await deps.taskState.transition({ userId: USER, expectState: "Stopping", set: { state: "Idle" } });
    expect(await handler(stoppedEvent(taskArn, USER, "UserInitiated"))).toEqual({ stopped: [] });
    expect(deps.taskRunner.starts).toHaveLength(1);
  });

  it("stops restarting after 3 in an hour, so a message that kills every agent does not bill forever", async () => {
    const { deps, services } = await runningAgent();
    const handler = createWatchdogHandler(deps, services);
    await withPending(deps);
    const tab = await connectClient(deps, USER);
    const results: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const secret = deps.taskRunner.starts.at(-1)?.agentSecret ?? "";
      if (i > 0)
        await services.lifecycle.agentConnected({ connectionId: `agent-${i}`, userId: USER, secret });
      results.push(await handler(stoppedEvent(await interruptedStop(deps))));
    }
    expect(results).toEqual([
      { stopped: ["restarted"] },
      { stopped: ["restarted"] },
      { stopped: ["restarted"] },
      { stopped: ["restart-limited"] },
    ]);
    expect(deps.taskRunner.starts).toHaveLength(4);
    // The row no longer says the agent restarts (INTERRUPTED), and the open page is told why it waits.
    expect(await deps.taskState.get(USER)).toMatchObject({
      state: "Idle",
      lastError: { code: "RESTART_LIMITED" },
    });
    expect(deps.clientPush.to(tab).at(-1)).toMatchObject({
      state: "Idle",
      error: { code: "RESTART_LIMITED", message: expect.stringContaining("send another message") },
    });
    // The user's next message starts it; an hour after the first restart the budget is back.
    deps.clock.advance(60 * 60_000 + 1000);
    await services.lifecycle.wake(USER);
    const secret = deps.taskRunner.starts.at(-1)?.agentSecret ?? "";
    await services.lifecycle.agentConnected({ connectionId: "agent-5", userId: USER, secret });
    expect(await handler(stoppedEvent(await interruptedStop(deps)))).toEqual({ stopped: ["restarted"] });
  });

  it("treats a stopped-task event with a missing field as a scheduled round", async () => {
    const { deps, services } = await runningAgent();
    const handler = createWatchdogHandler(deps, services);
    const malformed = stoppedEvent("arn:x") as { detail: Record<string, unknown> };
    delete malformed.detail.startedBy;
    expect(await handler(malformed)).toEqual({ checked: 1, actions: [] });
  });
});
