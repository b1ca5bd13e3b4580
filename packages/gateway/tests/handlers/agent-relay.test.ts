import type { AgentRelayResult, PendingMessage } from "@serverless-openclaw/shared";
import { BOT_TOKEN, FakeBotApi } from "@serverless-openclaw/testkit/fake-bot-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentSocketHandler, createWebSocketHandler } from "../../src/handlers";
import { makeDeps } from "../unit/fakes";
import { wsEvent } from "./events";

const ALICE_CHAT = 1001;
const BOB_CHAT = 2002;

function telegramMessage(userId: string, n: number, chatId: number): PendingMessage {
  return {
    userId,
    id: `2026-11-25T12:00:0${n}.000Z#${userId}`,
    clientMessageId: `tg-${userId}-${n}`,
    conversationId: `tg-${userId}`,
    text: "hi",
    channel: "telegram",
    replyTo: { channel: "telegram", chatId },
    receivedAt: `2026-11-25T12:00:0${n}.000Z`,
  };
}

describe("agent WebSocket: the chat relay", () => {
  let fake: FakeBotApi;
  beforeAll(async () => {
    fake = await new FakeBotApi().start();
  });
  afterAll(async () => fake?.stop());

  /** Alice's agent connected with her start's secret; Bob and Alice each have a Telegram message pending. */
  async function setup() {
    const deps = makeDeps({ config: { telegramApiRoot: fake.apiRoot } });
    await deps.secrets.put("telegram/bot-token", BOT_TOKEN);
    const ws = createWebSocketHandler(deps);
    const agent = createAgentSocketHandler(deps);
    await ws(wsEvent("$connect", "tab=", { query: { token: "valid:alice" } }));
    await ws(
      wsEvent("$default", "tab=", {
        body: JSON.stringify({ type: "chat.send", conversationId: "c1", clientMessageId: "m1", text: "hi" }),
      }),
    );
    const secret = deps.taskRunner.starts[0]?.agentSecret ?? "";
    expect(
      (await agent(wsEvent("$connect", "agent1=", { query: { userId: "alice", secret } }))).statusCode,
    ).toBe(200);
    const alices = telegramMessage("alice", 1, ALICE_CHAT);
    const bobs = telegramMessage("bob", 2, BOB_CHAT);
    for (const m of [alices, bobs]) await deps.pending.enqueue(m);
    const relay = async (frame: object) => {
      const result = await agent(wsEvent("$default", "agent1=", { body: JSON.stringify(frame) }));
      expect(result.statusCode).toBe(200);
      return deps.agentPush.to("agent1=").at(-1) as AgentRelayResult;
    };
    return { deps, agent, relay, alices, bobs };
  }

  it("sends to the chat of the agent's own user's pending message and answers on the same connection", async () => {
    const { relay, alices } = await setup();
    fake.calls.length = 0;
    const answer = await relay({
      type: "agent.relay",
      id: "r1",
      pendingId: alices.id,
      call: { op: "telegram.send", text: "hello Alice", html: false },
    });
    expect(answer).toMatchObject({
      type: "agent.relay-result",
      id: "r1",
      result: { message: { id: expect.any(String) } },
    });
    expect(fake.calls.map((c) => c.params)).toEqual([
      expect.objectContaining({ chat_id: ALICE_CHAT, text: "hello Alice" }),
    ]);
  });

  it("refuses another user's pending message: nothing reaches that chat", async () => {
    const { relay, bobs } = await setup();
    fake.calls.length = 0;
    const answer = await relay({
      type: "agent.relay",
      id: "r2",
      pendingId: bobs.id,
      call: { op: "telegram.send", text: "pwned", html: false },
    });
    expect(answer).toMatchObject({ type: "agent.relay-result", id: "r2", error: { code: "NOT_PENDING" } });
    expect(fake.calls).toEqual([]);
  });

  it("takes relay frames only from agent connections, and rejects a chat id in the frame", async () => {
    const { deps, agent, alices } = await setup();
    fake.calls.length = 0;
    const frame = {
      type: "agent.relay",
      id: "r3",
      pendingId: alices.id,
      call: { op: "telegram.send", text: "x", html: false },
    };
    expect((await agent(wsEvent("$default", "tab=", { body: JSON.stringify(frame) }))).statusCode).toBe(403);
    const withChat = { ...frame, call: { ...frame.call, chatId: BOB_CHAT } };
    expect((await agent(wsEvent("$default", "agent1=", { body: JSON.stringify(withChat) }))).statusCode).toBe(
      400,
    );
    expect(fake.calls).toEqual([]);
    expect(deps.agentPush.to("tab=")).toEqual([]);
  });
});
