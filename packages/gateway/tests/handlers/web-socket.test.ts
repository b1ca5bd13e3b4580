import { describe, expect, it } from "vitest";
import { createAgentSocketHandler, createWebSocketHandler } from "../../src/handlers";
import { makeDeps, recordWrites } from "../unit/fakes";
import { wsEvent } from "./events";

function setup() {
  const deps = makeDeps();
  return { deps, ws: createWebSocketHandler(deps), agent: createAgentSocketHandler(deps) };
}

async function connected(userId = "alice", connectionId = "tab1=") {
  const s = setup();
  expect(
    (await s.ws(wsEvent("$connect", connectionId, { query: { token: `valid:${userId}` } }))).statusCode,
  ).toBe(200);
  const send = (msg: unknown) => s.ws(wsEvent("$default", connectionId, { body: JSON.stringify(msg) }));
  return { ...s, send, connectionId };
}

const chat = (n: number, conversationId = "c1") => ({
  type: "chat.send",
  conversationId,
  clientMessageId: `m${n}`,
  text: `message ${n}`,
});

describe("client WebSocket handler", () => {
  it("stores the connection on $connect with a TTL and removes it on $disconnect", async () => {
    const { deps, ws, connectionId } = await connected();
    const stored = await deps.connections.get(connectionId);
    expect(stored).toMatchObject({ userId: "alice", kind: "client" });
    expect(stored?.expiresAt).toBeGreaterThan(deps.clock.now().getTime() / 1000 + 3600);
    await ws(wsEvent("$disconnect", connectionId));
    expect(await deps.connections.get(connectionId)).toBeUndefined();
  });

  it("answers status.get with the agent's status", async () => {
    const { deps, send, connectionId } = await connected();
    await send({ type: "status.get" });
    expect(deps.clientPush.to(connectionId)).toEqual([
      expect.objectContaining({ type: "agent.status", state: "Idle" }),
    ]);
  });

  it("acks chat.send, wakes the agent and pushes the waking status", async () => {
    const { deps, send, connectionId } = await connected();
    expect((await send(chat(1))).statusCode).toBe(200);
    const events = deps.clientPush.to(connectionId);
    expect(events).toContainEqual({
      type: "chat.ack",
      clientMessageId: "m1",
      conversationId: "c1",
      state: "queued",
    });
    expect(events).toContainEqual(expect.objectContaining({ type: "agent.status", state: "Starting" }));
    expect(deps.taskRunner.starts).toHaveLength(1);
    await send(chat(1));
    expect(deps.clientPush.to(connectionId).at(-1)).toMatchObject({ type: "chat.ack", state: "duplicate" });
  });

  it("accepts a base64 body as API Gateway may send it", async () => {
    const { deps, ws, connectionId } = await connected();
    const body = Buffer.from(JSON.stringify({ type: "ping" })).toString("base64");
    await ws(wsEvent("$default", connectionId, { body, isBase64Encoded: true }));
    expect(deps.clientPush.to(connectionId)).toEqual([{ type: "pong" }]);
  });

  it("answers bad input with an error event that says what is wrong, and writes nothing", async () => {
    const { deps, connectionId } = await connected();
    const { stores, writes } = recordWrites({
      connections: deps.connections,
      pending: deps.pending,
      conversations: deps.conversations,
      taskState: deps.taskState,
    });
    const handler = createWebSocketHandler({ ...deps, ...stores });
    const cases: Array<[string, RegExp]> = [
      ["{not json", /not valid JSON/],
      [JSON.stringify({ type: "chat.sned" }), /type must be one of/],
      [JSON.stringify({ ...chat(1), text: "   " }), /text: text must not be empty/],
      [JSON.stringify({ ...chat(1), conversationId: "a#b" }), /conversationId/],
      [JSON.stringify({ ...chat(1), extra: 1 }), /extra/],
    ];
    for (const [body, message] of cases) {
      expect((await handler(wsEvent("$default", connectionId, { body }))).statusCode).toBe(400);
      expect(deps.clientPush.to(connectionId).at(-1)).toMatchObject({
        type: "error",
        code: "BAD_REQUEST",
        message,
      });
    }
    expect(writes).toEqual([]);
  });

  it("refuses a 100,000-character message with the 16,000-character limit, tied to the message, and stores nothing", async () => {
    for (const length of [100_000, 16_001]) {
      const { deps, send, connectionId } = await connected();
      const result = await send({ ...chat(1), text: "x".repeat(length) });
      expect(result.statusCode).toBe(400);
      expect(deps.clientPush.to(connectionId)).toEqual([
        {
          type: "chat.error",
          clientMessageId: "m1",
          conversationId: "c1",
          code: "MESSAGE_TOO_LONG",
          message: `Messages can be at most 16,000 characters; this one has ${length.toLocaleString("en-US")}. Shorten it or send it in parts.`,
          retryable: false,
        },
      ]);
      expect(await deps.pending.list("alice")).toEqual([]);
      expect(deps.taskRunner.starts).toHaveLength(0);
    }
  });

  it("refuses messages on a connection that never authenticated", async () => {
    const { deps, ws } = setup();
    const result = await ws(wsEvent("$default", "stranger=", { body: JSON.stringify(chat(1)) }));
    expect(result.statusCode).toBe(403);
    expect(deps.clientPush.to("stranger=")).toEqual([expect.objectContaining({ code: "NOT_CONNECTED" })]);
    expect(await deps.pending.list("alice")).toEqual([]);
  });

  it("returns history pages, only of the caller's own conversations", async () => {
    const { deps, send, connectionId } = await connected();
    await send(chat(1));
    const base = { conversationId: "c1", clientMessageId: "m1", channel: "web" as const };
    await deps.conversations.putTurn(
      "bob",
      { ...base, messageId: "u", role: "user", text: "bob's secret", createdAt: "2026-11-25T09:00:00.000Z" },
      { ...base, messageId: "a", role: "assistant", text: "ok", createdAt: "2026-11-25T09:00:01.000Z" },
    );
    await send({ type: "history.get", conversationId: "c1", limit: 10 });
    expect(deps.clientPush.to(connectionId).at(-1)).toEqual({
      type: "history.page",
      conversationId: "c1",
      messages: [],
    });
  });

  it("cancels a queued message and tells the client", async () => {
    const { deps, send, connectionId } = await connected();
    await send(chat(1));
    await send({ type: "chat.cancel", clientMessageId: "m1" });
    expect(deps.clientPush.to(connectionId).at(-1)).toMatchObject({ type: "chat.error", code: "CANCELLED" });
    expect(await deps.pending.list("alice")).toEqual([]);
  });

  it("wakes the agent on agent.wake and replies with the status", async () => {
    const { deps, send, connectionId } = await connected();
    await send({ type: "agent.wake" });
    expect(deps.clientPush.to(connectionId).at(-1)).toMatchObject({
      type: "agent.status",
      state: "Starting",
    });
  });

  it("reports an internal failure without details and without a 5xx body leaking anything", async () => {
    const { deps, connectionId } = await connected();
    const failing = {
      ...deps.pending,
      enqueue: async () => Promise.reject(new Error("DynamoDB exploded at 10.1.2.3")),
    };
    const handler = createWebSocketHandler({ ...deps, pending: failing });
    const result = await handler(wsEvent("$default", connectionId, { body: JSON.stringify(chat(9)) }));
    expect(result.statusCode).toBe(500);
    expect(result.body).toBeUndefined();
    expect(JSON.stringify(deps.clientPush.to(connectionId).at(-1))).not.toContain("10.1.2.3");
  });
});

describe("agent WebSocket handler", () => {
  async function starting() {
    const s = await connected();
    await s.send(chat(1));
    const secret = s.deps.taskRunner.starts[0]?.agentSecret ?? "";
    return { ...s, secret };
  }

  it("accepts the task with its start's secret and delivers later messages to it", async () => {
    const { deps, agent, send, secret } = await starting();
    const result = await agent(wsEvent("$connect", "agent1=", { query: { userId: "alice", secret } }));
    expect(result.statusCode).toBe(200);
    expect((await deps.taskState.get("alice")).state).toBe("Running");
    await send(chat(2));
    expect(deps.agentPush.to("agent1=")).toEqual([
      expect.objectContaining({
        type: "agent.deliver",
        message: expect.objectContaining({ clientMessageId: "m2" }),
      }),
    ]);
  });

  it("rejects a wrong secret, another user's id, and missing parameters", async () => {
    const { deps, agent, secret } = await starting();
    const tries = [
      { userId: "alice", secret: "wrong-secret-wrong-secret-wrong-secret-123" },
      { userId: "mallory", secret },
      { userId: "alice" },
      {},
    ];
    for (const query of tries) {
      expect(
        (await agent(wsEvent("$connect", "agentX=", { query: query as Record<string, string> }))).statusCode,
      ).toBe(401);
    }
    expect((await deps.taskState.get("alice")).state).toBe("Starting");
    expect(await deps.connections.get("agentX=")).toBeUndefined();
  });

  it("takes agent.ping only from agent connections, and forgets the agent on $disconnect", async () => {
    const { deps, agent, secret, connectionId } = await starting();
    await agent(wsEvent("$connect", "agent1=", { query: { userId: "alice", secret } }));
    const ping = JSON.stringify({ type: "agent.ping" });
    expect((await agent(wsEvent("$default", "agent1=", { body: ping }))).statusCode).toBe(200);
    expect((await agent(wsEvent("$default", connectionId, { body: ping }))).statusCode).toBe(403);
    expect((await agent(wsEvent("$default", "agent1=", { body: "{}" }))).statusCode).toBe(400);
    await agent(wsEvent("$disconnect", "agent1="));
    expect((await deps.taskState.get("alice")).agentConnectionId).toBeUndefined();
    expect(await deps.connections.get("agent1=")).toBeUndefined();
  });
});

describe("a message during Stopping", () => {
  it("is acknowledged and then waits for the old task to stop before starting a new one", async () => {
    const { deps, send, connectionId } = await connected();
    await send(chat(1));
    await deps.taskState.transition({ userId: "alice", expectState: "Starting", set: { state: "Stopping" } });
    setTimeout(() => {
      void deps.taskState.transition({ userId: "alice", expectState: "Stopping", set: { state: "Idle" } });
    }, 50);
    await send(chat(2));
    expect(deps.clientPush.to(connectionId)).toContainEqual(
      expect.objectContaining({ type: "chat.ack", clientMessageId: "m2", state: "queued" }),
    );
    expect(deps.taskRunner.starts).toHaveLength(2);
    expect((await deps.taskState.get("alice")).state).toBe("Starting");
  });
});
