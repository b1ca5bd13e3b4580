import { LIMITS } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createServices } from "../../src/services";
import { titleFrom } from "../../src/services/chat";
import { connectClient, makeDeps } from "./fakes";

const USER = "user-1";

function input(n: number | string, text = "hello there") {
  return {
    userId: USER,
    conversationId: "conv-1",
    clientMessageId: `m-${n}`,
    text,
    channel: "web" as const,
    replyTo: { channel: "web" as const },
  };
}

async function runningAgent() {
  const deps = makeDeps();
  const services = createServices(deps);
  await services.lifecycle.wake(USER);
  const secret = deps.taskRunner.starts[0]?.agentSecret ?? "";
  await services.lifecycle.agentConnected({ connectionId: "agent-1", userId: USER, secret });
  return { deps, services };
}

describe("ChatService.send", () => {
  it("queues the message and wakes an idle agent", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    const result = await services.chat.send(input(1));
    expect(result).toEqual({ ack: "queued", agentState: "Starting" });
    const pending = await deps.pending.list(USER);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      clientMessageId: "m-1",
      text: "hello there",
      replyTo: { channel: "web" },
    });
    expect(deps.taskRunner.starts).toHaveLength(1);
  });

  it("starts exactly one task when 50 messages race on an idle agent", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => services.chat.send(input(i))));
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect(results.every((r) => r.ack === "queued")).toBe(true);
    expect(await deps.pending.list(USER)).toHaveLength(50);
    expect((await deps.taskState.get(USER)).state).toBe("Starting");
  });

  it("answers a repeated clientMessageId as a duplicate without storing it twice", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await services.chat.send(input(1));
    expect(await services.chat.send(input(1, "different text"))).toEqual({
      ack: "duplicate",
      agentState: "Starting",
    });
    expect(await deps.pending.list(USER)).toHaveLength(1);
  });

  it("hands the message straight to a connected Running agent", async () => {
    const { deps, services } = await runningAgent();
    expect(await services.chat.send(input(1))).toEqual({ ack: "delivered", agentState: "Running" });
    const [pushed] = deps.agentPush.to("agent-1");
    expect(pushed).toMatchObject({
      type: "agent.deliver",
      message: { clientMessageId: "m-1", userId: USER },
    });
    // Still pending until the agent has stored the turn.
    expect(await deps.pending.list(USER)).toHaveLength(1);
  });

  it("leaves the message pending when the agent's connection is gone, and drops the stale record", async () => {
    const { deps, services } = await runningAgent();
    deps.agentPush.gone.add("agent-1");
    expect(await services.chat.send(input(1))).toEqual({ ack: "queued", agentState: "Running" });
    expect(await deps.pending.list(USER)).toHaveLength(1);
    expect(await deps.connections.get("agent-1")).toBeUndefined();
    expect(deps.taskRunner.starts).toHaveLength(1);
  });

  it("creates the conversation titled by its first message, then only bumps updatedAt", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await services.chat.send(input(1, "  What is\n the   weather?  "));
    const created = await deps.conversations.getMeta(USER, "conv-1");
    expect(created).toMatchObject({ title: "What is the weather?", channel: "web" });
    deps.clock.advance(1000);
    await services.chat.send(input(2, "second message"));
    const updated = await deps.conversations.getMeta(USER, "conv-1");
    expect(updated?.title).toBe("What is the weather?");
    expect(updated?.updatedAt).toBe(deps.clock.now().toISOString());
    expect(updated?.createdAt).toBe(created?.createdAt);
  });

  it("keeps the title of the message that created the conversation when two first messages race, and a rename made meanwhile", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await Promise.all([services.chat.send(input(1, "first")), services.chat.send(input(2, "second"))]);
    expect((await deps.conversations.getMeta(USER, "conv-1"))?.title).toBe("first");
    // A rename at the moment a message arrives is not overwritten by the message's bookkeeping.
    await Promise.all([
      services.conversations.rename(USER, "conv-1", "Trip"),
      services.chat.send(input(3, "third")),
    ]);
    expect((await deps.conversations.getMeta(USER, "conv-1"))?.title).toBe("Trip");
  });

  it("keeps the arrival order of messages taken in the same millisecond", async () => {
    const deps = makeDeps(); // its clock stands still
    const services = createServices(deps);
    for (let n = 1; n <= 20; n++) await services.chat.send(input(n, `message ${n}`));
    const queued = await deps.pending.list(USER);
    expect(queued.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i + 1}`));
    expect(new Set(queued.map((m) => m.receivedAt)).size).toBe(20);
  });

  it("titles a conversation created empty by its first message", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await services.conversations.create(USER, { conversationId: "conv-1" });
    await services.chat.send(input(1, "Plan my trip"));
    expect((await deps.conversations.getMeta(USER, "conv-1"))?.title).toBe("Plan my trip");
  });

  it("cuts long titles to the limit", () => {
    const title = titleFrom("word ".repeat(100));
    expect(title.length).toBeLessThanOrEqual(LIMITS.maxTitleChars);
    expect(title.endsWith("…")).toBe(true);
  });
});

describe("a message that lands while the agent is Stopping", () => {
  // The stopping task has drained its queue and will not take the message; without a new start the
  // message waits until the user writes again, which on a chat app may be never.
  for (const channel of ["telegram", "discord", "slack", "web"] as const) {
    it(`from ${channel}: starts a new agent once the old one is down`, async () => {
      const { deps, services } = await runningAgent();
      await deps.taskState.transition({ userId: USER, expectState: "Running", set: { state: "Stopping" } });
      setTimeout(() => {
        void deps.taskState.transition({ userId: USER, expectState: "Stopping", set: { state: "Idle" } });
      }, 50);
      const result = await services.chat.send({ ...input(1), channel, replyTo: replyTo(channel) });
      expect(result).toEqual({ ack: "queued", agentState: "Starting" });
      expect(deps.taskRunner.starts).toHaveLength(2);
      expect(await deps.pending.list(USER)).toHaveLength(1);
    });
  }

  it("is acknowledged before the wait for the stop, once", async () => {
    const { deps, services } = await runningAgent();
    await deps.taskState.transition({ userId: USER, expectState: "Running", set: { state: "Stopping" } });
    const acks: Array<{ ack: string; agentState: string; stateThen: string }> = [];
    setTimeout(() => {
      void deps.taskState.transition({ userId: USER, expectState: "Stopping", set: { state: "Idle" } });
    }, 50);
    await services.chat.send(input(1), {
      acknowledged: async (r) => {
        acks.push({ ...r, stateThen: (await deps.taskState.get(USER)).state });
      },
    });
    expect(acks).toEqual([{ ack: "queued", agentState: "Stopping", stateThen: "Stopping" }]);
  });

  it("gives up waiting after a bound and leaves the message pending for the next wake", async () => {
    const { deps, services } = await runningAgent();
    await deps.taskState.transition({ userId: USER, expectState: "Running", set: { state: "Stopping" } });
    const result = await services.chat.send(input(1), { stoppingWaitMs: 30 });
    expect(result).toEqual({ ack: "queued", agentState: "Stopping" });
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect(await deps.pending.list(USER)).toHaveLength(1);
  });
});

function replyTo(channel: "telegram" | "discord" | "slack" | "web") {
  switch (channel) {
    case "telegram":
      return { channel, chatId: 42 } as const;
    case "discord":
      return { channel, applicationId: "123456789012345678", interactionToken: "token-1" } as const;
    case "slack":
      return { channel, channelId: "D0123456789" } as const;
    default:
      return { channel } as const;
  }
}

describe("ChatService.cancel", () => {
  it("leaves the message to a running agent, which alone knows whether it started on it", async () => {
    const { deps, services } = await runningAgent();
    await services.chat.send(input(1));
    await services.chat.send(input(2));
    // Nothing answered here: the agent aborts the turn (or skips the message) and says which.
    expect(await services.chat.cancel(USER, "m-1")).toEqual([]);
    expect((await deps.pending.list(USER)).map((m) => m.clientMessageId)).toEqual(["m-1", "m-2"]);
    expect(deps.agentPush.to("agent-1").at(-1)).toEqual({ type: "agent.cancel", clientMessageId: "m-1" });
  });

  it("drops the message from the queue when no agent runs, or the running one cannot be told", async () => {
    const idle = makeDeps();
    const idleServices = createServices(idle);
    await idleServices.chat.send(input(1));
    expect((await idleServices.chat.cancel(USER, "m-1")).map((m) => m.clientMessageId)).toEqual(["m-1"]);
    expect(await idle.pending.list(USER)).toEqual([]);

    const { deps, services } = await runningAgent();
    await services.chat.send(input(1));
    deps.agentPush.gone.add("agent-1");
    expect((await services.chat.cancel(USER, "m-1")).map((m) => m.clientMessageId)).toEqual(["m-1"]);
    expect(await deps.pending.list(USER)).toEqual([]);
  });

  it("only touches the caller's own queue", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await services.chat.send(input(1));
    expect(await services.chat.cancel("someone-else", "m-1")).toEqual([]);
    expect(await deps.pending.list(USER)).toHaveLength(1);
  });
});

describe("status pushes", () => {
  it("reach every tab of the user and no one else's", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await connectClient(deps, USER, "tab-a");
    await connectClient(deps, USER, "tab-b");
    await connectClient(deps, "user-2", "tab-other");
    await services.chat.send(input(1));
    expect(deps.clientPush.to("tab-a")).toHaveLength(1);
    expect(deps.clientPush.to("tab-b")).toHaveLength(1);
    expect(deps.clientPush.to("tab-other")).toHaveLength(0);
  });

  it("delete a tab's record when API Gateway says it is gone", async () => {
    const deps = makeDeps();
    const services = createServices(deps);
    await connectClient(deps, USER, "tab-a");
    deps.clientPush.gone.add("tab-a");
    await services.chat.send(input(1));
    expect(await deps.connections.get("tab-a")).toBeUndefined();
  });
});
