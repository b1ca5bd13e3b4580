import { INTERRUPTED_ERROR } from "@serverless-openclaw/shared";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatClient, endsByMessage, Harness, turnsIn, type User, until } from "../load/harness";

// One stack, one user, as few OpenClaw boots as the scenarios allow (each costs 15–60 s here); the
// scenarios run in order and each leaves the agent usable for the next. Timeouts are generous bounds
// for a shared 2-core machine, never asserted as timings.
const WAKE_MS = 300_000;
const TURN_MS = 240_000;
// Long enough for a normal turn on a loaded machine; the hang scenario waits this out once.
const TURN_TIMEOUT_MS = 120_000;

let llm: FakeLlm;
let h: Harness;
let user: User;
let tab: ChatClient;

/** Requests the fake LLM received whose latest user text contains `marker`. */
const llmTurns = (marker: string) => llm.chatRequests().filter((r) => r.userText.includes(marker)).length;

async function expectOnceInHistory(conversationId: string, clientMessageId: string) {
  const turns = turnsIn(await h.history(user, conversationId));
  expect(turns.get(clientMessageId)).toEqual(["user", "assistant"]);
}

beforeAll(async () => {
  llm = await startFakeLlm();
  h = await Harness.start({
    llm,
    agentEnv: {
      TURN_TIMEOUT_MS: String(TURN_TIMEOUT_MS),
      INACTIVITY_MS: "3600000",
      SHUTDOWN_GRACE_MS: "20000",
    },
    agentGraceMs: 40_000,
    // The watchdog notices a vanished task (SIGKILL) on its next round; EventBridge runs it every 5 min.
    watchdogIntervalMs: 1_500,
  });
  user = await h.firstUser();
  tab = await h.connect(user);
});

afterAll(async () => {
  await h?.dispose();
  await llm?.stop();
});

describe("faults, on the whole local stack (real container, real OpenClaw, fake LLM)", () => {
  it("50 parallel first messages on an idle agent start exactly one task and get 50 replies, each once", async () => {
    const tabs = [tab, ...(await Promise.all([1, 2, 3, 4].map(() => h.connect(user))))];
    const ids = Array.from({ length: 50 }, (_, i) => `first-${i}`);
    await Promise.all(
      ids.map(async (id, i) => tabs[i % tabs.length]?.send(`burst-${i % 5}`, id, `hello ${id}`)),
    );
    // Replies are pushed to each tab independently: wait until every tab has every ending.
    for (const t of tabs) for (const id of ids) await t.waitEnd(id, WAKE_MS + TURN_MS, h.tail);
    expect(h.startsFor(user.userId)).toBe(1);
    for (const t of tabs) {
      // Every tab of the user sees every reply, each once.
      const ends = endsByMessage(t.events);
      expect(ids.filter((id) => ends.get(id) !== 1)).toEqual([]);
      expect(ids.every((id) => t.of(id, "chat.final").length === 1)).toBe(true);
      expect(t.of(ids[0] as string, "chat.ack").length).toBeLessThanOrEqual(1);
    }
    for (let c = 0; c < 5; c++) {
      const turns = turnsIn(await h.history(user, `burst-${c}`));
      const mine = ids.filter((_, i) => i % 5 === c);
      expect([...turns.keys()].sort()).toEqual([...mine].sort());
      for (const id of mine) expect(turns.get(id)).toEqual(["user", "assistant"]);
    }
    for (const t of tabs.slice(1)) await t.close();
  }, 1_200_000);

  it("a burst of 20 identical retries is one turn", async () => {
    const id = "retry-burst";
    for (let i = 0; i < 20; i++) tab.send("faults", id, "retried [slow:50] marker-retry");
    await tab.waitEnd(id, TURN_MS, h.tail);
    // A later message ends after everything before it (one turn at a time), so no late second turn hides.
    tab.send("faults", "after-retry", "after the retries");
    await tab.waitEnd("after-retry", TURN_MS, h.tail);
    const acks = tab.of(id, "chat.ack").map((e) => e.state);
    expect(acks).toHaveLength(20);
    expect(acks.filter((s) => s !== "duplicate")).toHaveLength(1);
    expect(tab.of(id, "chat.final")).toHaveLength(1);
    expect(llmTurns("marker-retry")).toBe(1);
    await expectOnceInHistory("faults", id);
  }, 600_000);

  it("an LLM failing with 500 gives a clear chat.error, and the agent answers the next message", async () => {
    // Fault markers stay in their own conversation: OpenClaw may carry a failed prompt into the
    // session's next request, and the fake LLM would obey the marker again.
    tab.send("fail-500", "llm-500", "this one fails [fail:500]");
    const end = await tab.waitEnd("llm-500", TURN_MS, h.tail);
    // OpenClaw retries a 500 (with backoff) before it gives up; on a loaded machine that can outlast the
    // test's 120 s turn timeout, so either clear error is the right answer: never a final, never silence.
    expect(end).toMatchObject({ type: "chat.error", retryable: true });
    expect(["LLM_ERROR", "TURN_TIMEOUT"]).toContain(end.code);
    expect(String(end.message)).toMatch(/AI provider returned an error|did not finish within/);
    expect(llm.chatRequests().filter((r) => r.userText.includes("this one fails")).length).toBeGreaterThan(0);
    tab.send("faults", "after-500", "are you still there");
    expect(await tab.waitEnd("after-500", TURN_MS, h.tail)).toMatchObject({ type: "chat.final" });
    expect(endsByMessage(tab.events).get("llm-500")).toBe(1);
  }, 600_000);

  it("an LLM that hangs hits the turn timeout with a clear error, and the agent answers the next message", async () => {
    tab.send("hang", "llm-hang", "this one hangs [hang]");
    const end = await tab.waitEnd("llm-hang", TURN_MS, h.tail);
    expect(end).toMatchObject({ type: "chat.error", code: "TURN_TIMEOUT", retryable: true });
    expect(String(end.message)).toContain(`${TURN_TIMEOUT_MS / 1000} s`);
    tab.send("faults", "after-hang", "and now?");
    const next = await tab.waitEnd("after-hang", TURN_MS, h.tail);
    expect(next, JSON.stringify(next)).toMatchObject({ type: "chat.final" });
    const history = await h.history(user, "hang");
    expect(history.find((m) => m.clientMessageId === "llm-hang" && m.role === "assistant")?.error?.code).toBe(
      "TURN_TIMEOUT",
    );
  }, 600_000);

  it("a WebSocket dropped mid-stream and reconnected: the resend is a duplicate, one final, one turn", async () => {
    const id = "dropped";
    const text = "[slow:150] [long:240] marker-drop";
    const first = await h.connect(user);
    first.send("drop", id, text);
    await first.waitFor(
      "a delta",
      (e) => e.type === "chat.delta" && e.clientMessageId === id,
      TURN_MS,
      h.tail,
    );
    first.drop();
    const second = await h.connect(user);
    second.send("drop", id, text);
    const ack = await second.waitFor(
      "the ack",
      (e) => e.type === "chat.ack" && e.clientMessageId === id,
      TURN_MS,
    );
    expect(ack.state).toBe("duplicate");
    const final = await second.waitEnd(id, TURN_MS, h.tail);
    expect(final.type).toBe("chat.final");
    expect(first.of(id, "chat.final")).toHaveLength(0);
    expect(second.of(id, "chat.final")).toHaveLength(1);
    expect(llmTurns("marker-drop")).toBe(1);
    await expectOnceInHistory("drop", id);
    await second.close();
  }, 600_000);

  it("SIGTERM mid-turn (Spot interruption): the same agent finishes the turn within its grace, once", async () => {
    const id = "sigterm";
    const startsBefore = h.startsFor(user.userId);
    tab.send("sigterm", id, "[slow:150] [long:120] marker-sigterm");
    await tab.waitFor("a delta", (e) => e.type === "chat.delta" && e.clientMessageId === id, TURN_MS, h.tail);
    // What ECS does on a Spot interruption or StopTask: SIGTERM to the task, SIGKILL after the grace.
    await h.stack.runner.stop(await h.taskArn(user.userId), "spot interruption");
    const final = await tab.waitEnd(id, TURN_MS, h.tail);
    expect(final.type).toBe("chat.final");
    expect(h.startsFor(user.userId)).toBe(startsBefore);
    await until(
      "the agent to be Idle",
      async () => (await h.stack.stores.taskState.get(user.userId)).state === "Idle",
      TURN_MS,
    );
    expect(llmTurns("marker-sigterm")).toBe(1);
    expect(tab.of(id, "chat.final")).toHaveLength(1);
    await expectOnceInHistory("sigterm", id);
  }, 600_000);

  it("SIGTERM when the turn cannot finish within the grace: a new agent answers it without another message, once", async () => {
    const id = "interrupted";
    // The first request for this text hangs past the task's 20 s grace; the next agent's is answered.
    tab.send("interrupted", id, "[hang:1] marker-interrupted");
    await until("the LLM to get the turn", async () => llmTurns("marker-interrupted") === 1, TURN_MS);
    const startsBefore = h.startsFor(user.userId);
    await h.stack.runner.stop(await h.taskArn(user.userId), "spot interruption");
    // Nobody sends anything else: the stopped task's event restarts the agent for the waiting message.
    const final = await tab.waitEnd(id, WAKE_MS + TURN_MS, h.tail);
    expect(final, JSON.stringify(final)).toMatchObject({ type: "chat.final" });
    expect(h.startsFor(user.userId)).toBe(startsBefore + 1);
    expect(llmTurns("marker-interrupted")).toBe(2);
    expect(tab.of(id, "chat.final")).toHaveLength(1);
    expect(tab.of(id, "chat.error")).toHaveLength(0);
    await expectOnceInHistory("interrupted", id);
    // The user saw why the agent restarted.
    expect(tab.events.some((e) => e.type === "agent.status" && e.message === INTERRUPTED_ERROR.message)).toBe(
      true,
    );
  }, 1_200_000);

  it("SIGKILL mid-turn: the next agent answers the message, once", async () => {
    const wake = "before-sigkill";
    tab.send("faults", wake, "wake up again");
    await tab.waitEnd(wake, WAKE_MS + TURN_MS, h.tail);
    const startsBefore = h.startsFor(user.userId);

    const id = "sigkill";
    tab.send("sigkill", id, "[slow:200] [long:200] marker-sigkill");
    await tab.waitFor("a delta", (e) => e.type === "chat.delta" && e.clientMessageId === id, TURN_MS, h.tail);
    const pid = h.agentPid(await h.taskArn(user.userId));
    process.kill(-pid, "SIGKILL");
    const final = await tab.waitEnd(id, WAKE_MS + TURN_MS, h.tail);
    expect(final, JSON.stringify(final)).toMatchObject({ type: "chat.final" });
    expect(h.startsFor(user.userId)).toBe(startsBefore + 1);
    expect(tab.of(id, "chat.final")).toHaveLength(1);
    // The killed agent's request and the next agent's: the turn itself is stored once.
    expect(llmTurns("marker-sigkill")).toBe(2);
    await expectOnceInHistory("sigkill", id);
    // The status the user saw says what happened.
    expect(tab.events.some((e) => e.type === "agent.status" && JSON.stringify(e).includes("TASK_GONE"))).toBe(
      true,
    );
    expect(
      tab.events.some(
        (e) =>
          e.type === "agent.status" && e.message === "The agent stopped unexpectedly; restarting to answer.",
      ),
    ).toBe(true);
  }, 1_200_000);
});
