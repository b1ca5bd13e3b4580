import type { FakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskHarness, USER_ID, until } from "../support/harness";

// One OpenClaw boot for the whole file (boots take 15+ s). Tests run in order and build on each other.
const API_KEY = "sk-test-4f1c9e0b7a2d48c6b5e3";
let llm: FakeLlm;
let h: TaskHarness;
let tab: string;

beforeAll(async () => {
  h = new TaskHarness();
  await h.start();
  llm = await h.useFakeLlm(API_KEY);
  tab = await h.addClient();
  // Sent while the agent was still asleep: must all be answered, in order, once it is up.
  await h.enqueue("first before boot", "conv-pre", "pre-1");
  await h.enqueue("second before boot", "conv-pre", "pre-2");
  await h.bootConnected();
}, 300_000);

afterAll(() => h?.stop());

const finals = () => h.push.of("chat.final", tab);

describe("agent task with a real OpenClaw", () => {
  it("answers messages that were pending before boot, in order, and deletes them", async () => {
    await until("both pending answered", () => finals().length >= 2);
    expect(finals().map((e) => e.clientMessageId)).toEqual(["pre-1", "pre-2"]);
    expect(finals()[0]?.text).toContain("echo: first before boot");
    // The second turn ran in the same session, so the LLM saw the first one.
    expect(finals()[1]?.text).toContain("first before boot");
    // chat.final goes out before the pending item is deleted: wait for the delete, don't race it.
    await until(
      "the answered messages left the queue",
      async () => (await h.stores.pending.list(USER_ID)).length === 0,
      30_000,
    );
    // Both user messages arrived before the first reply, yet history reads question, answer, question,
    // answer: each reply is keyed right after its own question.
    const page = await h.stores.conversations.page(USER_ID, "conv-pre", { limit: 10 });
    expect(page.messages.map((m) => [m.role, m.clientMessageId])).toEqual([
      ["user", "pre-1"],
      ["assistant", "pre-1"],
      ["user", "pre-2"],
      ["assistant", "pre-2"],
    ]);
  }, 300_000);

  it("runs with the explicit tool policy: the model gets exec, and not the tools that rewrite OpenClaw itself", async () => {
    await until("a chat request reached the model", () => llm.chatRequests().length > 0);
    const body = llm.chatRequests().at(-1)?.body as { tools?: Array<{ function?: { name?: string } }> };
    const offered = (body.tools ?? []).map((t) => t.function?.name);
    expect(offered).toContain("exec");
    // tools.deny in the config the task writes (openclaw-config.ts TOOL_POLICY).
    for (const denied of ["gateway", "plugins", "openclaw"]) expect(offered).not.toContain(denied);
  }, 300_000);

  it("streams a pushed message as deltas to every tab, then a final equal to their concatenation", async () => {
    const second = await h.addClient();
    const m = await h.enqueue("tell me something [slow:30]", "conv-a", "a-1");
    h.gateway.deliver(m);
    await until("final", () => finals().some((e) => e.clientMessageId === "a-1"));
    for (const id of [tab, second]) {
      const deltas = h.push.of("chat.delta", id).filter((e) => e.clientMessageId === "a-1");
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
      const final = h.push.of("chat.final", id).find((e) => e.clientMessageId === "a-1");
      expect(deltas.map((d) => d.text).join("")).toBe(final?.text);
      expect(final?.text).toContain("echo: tell me something");
    }
    // The request to the LLM carried our key; the user's text arrived intact.
    expect(llm.chatRequests().at(-1)?.userText).toContain("tell me something");
  });

  it("carries context across turns of a conversation, but not into another conversation", async () => {
    h.gateway.deliver(await h.enqueue("my name is Ada", "conv-b", "b-1"));
    await until("b-1", () => finals().some((e) => e.clientMessageId === "b-1"));
    h.gateway.deliver(await h.enqueue("what is my name?", "conv-b", "b-2"));
    await until("b-2", () => finals().some((e) => e.clientMessageId === "b-2"));
    const b2 = finals().find((e) => e.clientMessageId === "b-2");
    expect(b2?.text).toContain("my name is Ada");
    h.gateway.deliver(await h.enqueue("fresh start", "conv-c", "c-1"));
    await until("c-1", () => finals().some((e) => e.clientMessageId === "c-1"));
    expect(finals().find((e) => e.clientMessageId === "c-1")?.text).not.toContain("Ada");
  });

  it("never answers a redelivered message twice: the stored reply is re-sent", async () => {
    const m = await h.enqueue("only once please", "conv-d", "d-1");
    h.gateway.deliver(m);
    h.gateway.deliver(m);
    await until("d-1", () => finals().some((e) => e.clientMessageId === "d-1"));
    const llmCalls = llm.chatRequests().filter((r) => r.userText.includes("only once please")).length;
    // Delivered again after it was answered and deleted (a late duplicate push).
    await h.stores.pending.enqueue({ ...m, clientMessageId: "d-1" }).catch(() => undefined);
    h.gateway.deliver(m);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(llm.chatRequests().filter((r) => r.userText.includes("only once please")).length).toBe(llmCalls);
    const page = await h.stores.conversations.page(USER_ID, "conv-d", { limit: 10 });
    expect(page.messages).toHaveLength(2);
  });

  it("reconnects when the gateway drops the connection and keeps answering", async () => {
    const before = h.gateway.connects;
    h.gateway.dropAll();
    await until("reconnected", () => h.gateway.connects > before && h.gateway.connected > 0);
    h.gateway.deliver(await h.enqueue("still there?", "conv-e", "e-1"));
    await until("e-1", () => finals().some((e) => e.clientMessageId === "e-1"));
  });

  it("tells the user to fix the API key when the provider rejects it (stored in history too)", async () => {
    h.gateway.deliver(await h.enqueue("hello [fail:401]", "conv-g", "g-1"));
    await until("g-1 error", () => h.push.of("chat.error", tab).some((e) => e.clientMessageId === "g-1"));
    const err = h.push.of("chat.error", tab).find((e) => e.clientMessageId === "g-1");
    expect(err?.code).toBe("LLM_AUTH_FAILED");
    expect(String(err?.message)).toMatch(/API key.*Settings/);
    const stored = await h.stores.conversations.findReply(USER_ID, "conv-g", "g-1");
    expect(stored?.error?.code).toBe("LLM_AUTH_FAILED");
    // chat.final goes out before the pending item is deleted: wait for the delete, don't race it.
    await until(
      "the answered messages left the queue",
      async () => (await h.stores.pending.list(USER_ID)).length === 0,
      30_000,
    );
  });

  it("writes a heartbeat while Running and never logs the API key", async () => {
    const row = await h.stores.taskState.get(USER_ID);
    expect(row.state).toBe("Running");
    expect(row.heartbeatAt).toBeDefined();
    const logs = await h.allLogs();
    expect(logs.length).toBeGreaterThan(1_000);
    expect(logs).not.toContain(API_KEY);
    // It did reach the LLM, so the key was really in play.
    expect(llm.chatRequests().some((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
  });
});
