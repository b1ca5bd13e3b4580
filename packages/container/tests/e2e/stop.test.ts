import type { FakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskHarness, until } from "../support/harness";

// Stop (agent.cancel) with a real OpenClaw: a stopped turn must not come back in the next LLM request.
const API_KEY = "sk-test-stop-5d4c3b2a1f0e";
let llm: FakeLlm;
let h: TaskHarness;
let tab: string;

beforeAll(async () => {
  h = new TaskHarness();
  await h.start();
  llm = await h.useFakeLlm(API_KEY);
  tab = await h.addClient();
  await h.bootConnected();
}, 300_000);

afterAll(() => h?.stop());

const finals = () => h.push.of("chat.final", tab);
/** The task's log lines about the stopped prompt, for a failure message. */
const stopLogs = () =>
  h.logs
    .filter((l) => l.includes("stopped prompt") || l.includes("checkpoint") || l.includes("turn"))
    .slice(-30)
    .join("\n");

describe("Stop with a real OpenClaw", () => {
  it("Stop cancels: the stopped prompt never reaches the LLM again, and earlier turns stay in context", async () => {
    const errors = () => h.push.of("chat.error", tab);
    h.gateway.deliver(await h.enqueue("the secret fruit is APPLE", "conv-s", "s-1"));
    await until("s-1", () => finals().some((e) => e.clientMessageId === "s-1"));
    // A turn the user stops while the LLM is working on it.
    h.gateway.deliver(await h.enqueue("STOPPED-PROMPT delete everything [hang]", "conv-s", "s-2"));
    await until("the LLM got it", () =>
      llm.chatRequests().some((r) => r.userText.includes("STOPPED-PROMPT")),
    );
    h.gateway.send({ type: "agent.cancel", clientMessageId: "s-2" });
    await until("s-2 stopped", () => errors().some((e) => e.clientMessageId === "s-2"));
    expect(errors().find((e) => e.clientMessageId === "s-2")).toMatchObject({
      code: "CANCELLED",
      message: "You stopped this reply.",
    });

    const sent = llm.chatRequests().length;
    h.gateway.deliver(await h.enqueue("which fruit?", "conv-s", "s-3"));
    await until("s-3", () => finals().some((e) => e.clientMessageId === "s-3"), 400_000).catch((err) => {
      throw new Error(`${err}\n${stopLogs()}`);
    });
    const next = llm.chatRequests().slice(sent);
    expect(next.length).toBeGreaterThan(0);
    const carried = JSON.stringify(next.map((r) => r.messages));
    expect(carried, stopLogs()).not.toContain("STOPPED-PROMPT");
    expect(carried).not.toContain("Queued user message");
    expect(carried).toContain("APPLE");
    expect(await h.allLogs()).toContain("stopped prompt removed from the agent's session");
  }, 600_000);

  it("a message stopped before the agent started on it is skipped, and says so", async () => {
    const errors = () => h.push.of("chat.error", tab);
    // The agent is busy with a slow turn while the next message waits behind it.
    h.gateway.deliver(await h.enqueue("slow one [slow:200]", "conv-q", "q-1"));
    h.gateway.deliver(await h.enqueue("never mind this one", "conv-q", "q-2"));
    h.gateway.send({ type: "agent.cancel", clientMessageId: "q-2" });
    await until("q-2 cancelled", () => errors().some((e) => e.clientMessageId === "q-2"), 300_000);
    expect(errors().find((e) => e.clientMessageId === "q-2")).toMatchObject({
      code: "CANCELLED",
      message: "Cancelled before the agent started on it.",
    });
    expect(llm.chatRequests().some((r) => r.userText.includes("never mind this one"))).toBe(false);
  }, 400_000);
});
