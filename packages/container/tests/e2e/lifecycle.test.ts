import { INTERRUPTED_ERROR } from "@serverless-openclaw/shared";
import type { FakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readManifest } from "../../src/state-manifest";
import { TaskHarness, USER_ID, until } from "../support/harness";

// Three boots of a real OpenClaw in sequence, as three ECS tasks of the same user would run.
const API_KEY = "sk-lifecycle-9d8c7b6a5f4e3d2c";
let llm: FakeLlm;
let h: TaskHarness;

beforeAll(async () => {
  h = new TaskHarness();
  await h.start();
  llm = await h.useFakeLlm(API_KEY);
});

afterAll(() => h?.stop());

const statuses = () => h.push.of("agent.status");

describe("agent task lifecycle", () => {
  it("boots with visible steps, answers, then stops when idle: Stopping → Idle, state backed up, exit 0", async () => {
    const tab = await h.addClient();
    await h.enqueue("remember the word PAPAYA", "conv-l", "l-1");
    const run = await h.boot({ inactivityMs: 3_000 });
    const code = await run.exit;
    expect(code).toBe(0);
    expect(h.push.of("chat.final", tab).map((e) => e.clientMessageId)).toEqual(["l-1"]);
    const steps = statuses()
      .filter((s) => s.state === "Starting")
      .map((s) => s.step);
    expect(steps).toEqual(["restoring-state", "writing-config", "starting-openclaw", "connecting"]);
    expect(
      statuses()
        .slice(-2)
        .map((s) => s.state),
    ).toEqual(["Stopping", "Idle"]);
    const row = await h.stores.taskState.get(USER_ID);
    expect(row.state).toBe("Idle");
    expect(row.agentSecretHash).toBeUndefined();
    const saved = await readManifest(h.stores.blobs, USER_ID);
    expect(saved?.layers.reduce((n, l) => n + l.bytes, 0)).toBeGreaterThan(1_000);
  }, 400_000);

  it("restores state on the next boot (the LLM sees the earlier turn); SIGTERM mid-turn leaves it pending", async () => {
    const tab = await h.addClient();
    await h.enqueue("which word did I ask you to remember?", "conv-l", "l-2");
    const run = await h.boot({ shutdownGraceMs: 1_500 });
    await until(
      "l-2 answered",
      () => h.push.of("chat.final", tab).some((e) => e.clientMessageId === "l-2"),
      300_000,
    );
    const reply = h.push.of("chat.final", tab).find((e) => e.clientMessageId === "l-2");
    expect(reply?.text).toContain("PAPAYA");

    // A turn the LLM never finishes, interrupted by SIGTERM (Spot interruption).
    llm.enqueue({ kind: "hang" });
    const stuck = await h.enqueue("a question that is interrupted", "conv-m", "m-1");
    h.gateway.deliver(stuck);
    await until("the LLM got it", () => llm.chatRequests().some((r) => r.userText.includes("interrupted")));
    expect(await run.task.stop("signal")).toBe(0);

    expect((await h.stores.pending.list(USER_ID)).map((m) => m.id)).toEqual([stuck.id]);
    // No final and no error for the interrupted turn: only what a running turn sends (started, text so far).
    const inFlight = new Set(["chat.started", "chat.delta", "chat.activity"]);
    expect(
      h.push.events.filter((e) => e.event.clientMessageId === "m-1" && !inFlight.has(String(e.event.type))),
    ).toEqual([]);
    expect(await h.stores.conversations.findReply(USER_ID, "conv-m", "m-1")).toBeUndefined();
    // Idle, marked so the gateway's task-stopped handler starts a new task for the waiting message.
    expect(await h.stores.taskState.get(USER_ID)).toMatchObject({
      state: "Idle",
      lastError: { code: INTERRUPTED_ERROR.code },
    });
  }, 400_000);

  it("the next boot answers the interrupted message exactly once, then stops by itself when settings change", async () => {
    const tab = await h.addClient();
    const run = await h.boot();
    await until(
      "m-1 answered",
      () => h.push.of("chat.final", tab).some((e) => e.clientMessageId === "m-1"),
      300_000,
    );
    // The user saved new settings: the task stops once idle, so the next start reads them.
    h.gateway.send({ type: "agent.settings-changed" });
    expect(await run.exit).toBe(0);
    expect(statuses().at(-1)).toMatchObject({
      state: "Idle",
      message: expect.stringContaining("Settings applied"),
      // An open page restarts the agent on this (web chat-app.tsx).
      idleReason: "settings-changed",
    });
    expect((await h.stores.taskState.get(USER_ID)).lastError).toBeUndefined();
    // Every tab got the answer once; the LLM was asked again only by this boot (the hung call was the first).
    const perTab = new Map<string, number>();
    for (const e of h.push.events) {
      if (e.event.type === "chat.final" && e.event.clientMessageId === "m-1") {
        perTab.set(e.connectionId, (perTab.get(e.connectionId) ?? 0) + 1);
      }
    }
    expect([...perTab.values()]).toEqual([...perTab.keys()].map(() => 1));
    expect(perTab.has(tab)).toBe(true);
    const page = await h.stores.conversations.page(USER_ID, "conv-m", { limit: 10 });
    expect(page.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    // chat.final goes out before the pending item is deleted: wait for the delete, don't race it.
    await until(
      "the answered messages left the queue",
      async () => (await h.stores.pending.list(USER_ID)).length === 0,
      30_000,
    );
  }, 400_000);

  it("never wrote the API key to any log of the three runs", async () => {
    const logs = await h.allLogs();
    expect(logs).toContain("openclaw");
    expect(logs).not.toContain(API_KEY);
  });
});
