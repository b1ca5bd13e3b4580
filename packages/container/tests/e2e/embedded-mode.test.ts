import type { FakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskHarness, USER_ID, until } from "../support/harness";

// OPENCLAW_MODE=embedded: OpenClaw's embedded agent in a host process, no gateway. Two boots of the
// same user: embedded, then the gateway on the restored state, which must carry the same sessions.
const API_KEY = "sk-embedded-5b4a3c2d1e0f9a8b";
let llm: FakeLlm;
let h: TaskHarness;

// One exec call and its reply, run in each mode: the chat's tool activity must be the same.
const TOOL_TEXT = 'run it [tool:exec:{"command":"echo activity-ok; exit 3"}]';
/** What a user sees of a call, without its id and times (OpenClaw's own per call). */
const seen = (a: unknown) => {
  const { name, summary, status, preview } = a as Record<string, unknown>;
  return { name, summary, status, preview };
};
async function toolTurn(tab: string, id: string, conversationId: string) {
  h.gateway.deliver(await h.enqueue(TOOL_TEXT, conversationId, id));
  await until(
    `${id} answered`,
    () => h.push.of("chat.final", tab).some((e) => e.clientMessageId === id),
    400_000,
  );
  const live = h.push
    .of("chat.activity", tab)
    .filter((e) => e.clientMessageId === id)
    .map((e) => e.activity as Record<string, unknown>);
  const final = h.push.of("chat.final", tab).find((e) => e.clientMessageId === id);
  return { live, final, stored: (final?.activity ?? []) as Array<Record<string, unknown>> };
}
let embeddedActivity: Awaited<ReturnType<typeof toolTurn>> | undefined;

beforeAll(async () => {
  h = new TaskHarness();
  await h.start();
  llm = await h.useFakeLlm(API_KEY);
});

// A test that failed midway left its task running: the harness stops it before its work dir goes.
afterAll(() => h?.stop());

describe("agent task with OpenClaw's embedded agent (no gateway)", () => {
  it("answers pending messages in order, streamed, in one session per conversation; Stop ends a turn and rewinds it out of the session", async () => {
    const tab = await h.addClient();
    await h.enqueue("my name is Ada", "conv-x", "x-1");
    await h.enqueue("what is my name? [slow:20]", "conv-x", "x-2");
    // Stopped by the user below: its prompt must not reach the LLM again in this conversation.
    await h.enqueue("wait forever [hang]", "conv-x", "x-h");
    // A turn timeout longer than the test: only the cancel may end the hanging turn (on a busy
    // machine OpenClaw's first turns can eat most of the default 180 s).
    const run = await h.boot(
      { shutdownGraceMs: 5_000, turnTimeoutMs: 900_000 },
      { openClawMode: "embedded" },
    );
    const finals = () => h.push.of("chat.final", tab);
    await until("both answered", () => finals().length >= 2, 400_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${(await h.allLogs()).split("\n").slice(-60).join("\n")}`);
    });
    expect(finals().map((e) => e.clientMessageId)).toEqual(["x-1", "x-2"]);
    expect(finals()[0]?.text).toContain("echo: my name is Ada");
    // Same session: the LLM saw the first turn when answering the second.
    expect(finals()[1]?.text).toContain("my name is Ada");
    const deltas = h.push.of("chat.delta", tab).filter((e) => e.clientMessageId === "x-2");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.text).join("")).toBe(finals()[1]?.text);

    await until(
      "the hanging turn reached the LLM",
      () => llm.chatRequests().some((r) => r.userText.includes("wait forever")),
      400_000,
    );
    h.gateway.send({ type: "agent.cancel", clientMessageId: "x-h" });
    await until("x-h cancelled", () => h.push.of("chat.error", tab).some((e) => e.clientMessageId === "x-h"));
    expect(h.push.of("chat.error", tab).find((e) => e.clientMessageId === "x-h")?.code).toBe("CANCELLED");
    await until("queue empty", async () => (await h.stores.pending.list(USER_ID)).length === 0, 30_000);

    // Stop's rewind without a gateway: the next turn of the conversation carries the earlier turns,
    // not the stopped prompt (OpenClaw would otherwise hand it over as a "queued user message").
    const sent = llm.chatRequests().length;
    h.gateway.deliver(await h.enqueue("and now?", "conv-x", "x-4"));
    await until("x-4 answered", () => finals().some((e) => e.clientMessageId === "x-4"), 400_000);
    const next = JSON.stringify(
      llm
        .chatRequests()
        .slice(sent)
        .map((r) => r.messages),
    );
    expect(next).toContain("my name is Ada");
    expect(next).not.toContain("wait forever");
    expect(next).not.toContain("Queued user message");
    const logs = await h.allLogs();
    expect(logs).toMatch(/stopped prompt removed from the agent's session[^\n]*"rewound":true/);
    expect(logs).toContain('"mode":"embedded"');
    expect(logs).not.toContain(API_KEY);
    expect(llm.chatRequests().some((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);

    // Live tool activity without a gateway: the exec call shows running, then failed (exit 3) with
    // its output, before the text written after it, and stays with the stored reply.
    embeddedActivity = await toolTurn(tab, "t-1", "conv-t");
    const { live, final, stored } = embeddedActivity;
    expect(live.map((a) => a.status)).toEqual(["running", "failed"]);
    expect(seen(live[0])).toMatchObject({ name: "exec", summary: "echo activity-ok; exit 3" });
    expect(String(live[1]?.preview)).toContain("activity-ok");
    expect(live[1]?.durationMs).toEqual(expect.any(Number));
    expect(live[0]?.at).toBe(0);
    expect(stored.map(seen)).toEqual([seen(live[1])]);
    expect(String(final?.text)).toContain("activity-ok");
    const stuck = (await h.stores.conversations.page(USER_ID, "conv-t", { limit: 10 })).messages;
    expect(stuck.find((m) => m.role === "assistant")?.activity?.map(seen)).toEqual([seen(live[1])]);

    void run.task.stop("signal");
    expect(await run.exit).toBe(0);
  }, 500_000);

  it("leaves state the gateway continues: the next task (gateway) answers in the same session", async () => {
    const tab = await h.addClient();
    await h.enqueue("and my name again?", "conv-x", "x-3");
    const run = await h.boot({ openClawReadyTimeoutMs: 380_000 }, { openClawMode: "gateway" });
    await until(
      "x-3 answered",
      () => h.push.of("chat.final", tab).some((e) => e.clientMessageId === "x-3"),
      400_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${(await h.allLogs()).split("\n").slice(-60).join("\n")}`);
    });
    const reply = h.push.of("chat.final", tab).find((e) => e.clientMessageId === "x-3");
    expect(reply?.text).toContain("my name is Ada");
    expect(await h.allLogs()).toContain('"mode":"gateway"');

    // The same call through the gateway's session.tool events: what the chat shows is the same.
    const gateway = await toolTurn(tab, "t-2", "conv-t2");
    expect(embeddedActivity).toBeDefined();
    expect(gateway.live.map(seen)).toEqual(embeddedActivity?.live.map(seen));
    expect(gateway.stored.map(seen)).toEqual(embeddedActivity?.stored.map(seen));
    void run.task.stop("signal");
    expect(await run.exit).toBe(0);
  }, 500_000);

  it("answers an LLM error with an error reply the user can act on (embedded again, on the gateway's state)", async () => {
    const tab = await h.addClient();
    await h.enqueue("hello [fail:401]", "conv-y", "y-1");
    // OpenClaw's start-up work happens inside an embedded first turn, so it counts against the turn
    // timeout; on a busy machine that can exceed the default 180 s.
    const run = await h.boot({ turnTimeoutMs: 900_000 }, { openClawMode: "embedded" });
    await until(
      "y-1 error",
      () => h.push.of("chat.error", tab).some((e) => e.clientMessageId === "y-1"),
      400_000,
    );
    const err = h.push.of("chat.error", tab).find((e) => e.clientMessageId === "y-1");
    expect(err?.code).toBe("LLM_AUTH_FAILED");
    expect(String(err?.message)).toMatch(/API key.*Settings/);
    void run.task.stop("signal");
    expect(await run.exit).toBe(0);
  }, 500_000);
});
