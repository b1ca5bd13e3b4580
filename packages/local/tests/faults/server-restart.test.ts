import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endsByMessage, Harness, turnsIn, type User, until } from "../load/harness";

// The local server (gateway + stores + process runner) restarted in the middle of a turn. Stopping the
// server stops its agents; the turn outlasts the agent's shutdown grace, so it is abandoned and stays
// pending. After the restart nothing may be lost: the reply lands in history once and a reconnecting
// client receives it. Generous bounds, never asserted as timings.
const WAKE_MS = 300_000;
const TURN_MS = 120_000;

let llm: FakeLlm;
let h: Harness;
let user: User;

beforeAll(async () => {
  llm = await startFakeLlm();
  h = await Harness.start({
    llm,
    agentEnv: { INACTIVITY_MS: "3600000", SHUTDOWN_GRACE_MS: "1000" },
    agentGraceMs: 40_000,
    watchdogIntervalMs: 1_500,
  });
  user = await h.firstUser();
});

afterAll(async () => {
  await h?.dispose();
  await llm?.stop();
});

describe("the local server restarted mid-turn", () => {
  it("loses nothing: the abandoned turn is answered after the restart, once, and the client sees it", async () => {
    const tab = await h.connect(user);
    tab.send("restart", "warm", "wake up");
    await tab.waitEnd("warm", WAKE_MS + TURN_MS, h.tail);

    const id = "mid-turn";
    tab.send("restart", id, "[slow:300] [long:200] marker-restart");
    await tab.waitFor("a delta", (e) => e.type === "chat.delta" && e.clientMessageId === id, TURN_MS, h.tail);
    const startsBefore = h.starts.length;
    await h.shutdown();
    expect(tab.of(id, "chat.final")).toHaveLength(0);

    await h.boot();
    // Abandoned, not answered: still pending (an agent needs 15 s or more to boot and take it).
    expect((await h.stack.stores.pending.list(user.userId)).map((m) => m.clientMessageId)).toEqual([id]);
    user = await h.relogin(user);
    const again = await h.connect(user);
    // What the web client sends when its socket opens; the message was acknowledged, so not resent.
    again.socket.send(JSON.stringify({ type: "status.get" }));
    const final = await again.waitEnd(id, WAKE_MS + TURN_MS, h.tail);
    expect(final, JSON.stringify(final)).toMatchObject({ type: "chat.final" });
    expect(String(final.text)).toContain("echo:");
    expect(h.starts.length).toBe(startsBefore + 1);
    expect(endsByMessage(again.events).get(id)).toBe(1);
    const turns = turnsIn(await h.history(user, "restart"));
    expect(turns.get(id)).toEqual(["user", "assistant"]);
    expect(turns.get("warm")).toEqual(["user", "assistant"]);
    // The pending item is deleted just after chat.final goes out: wait for it rather than race it.
    await until(
      "the answered message left the queue",
      async () => (await h.stack.stores.pending.list(user.userId)).length === 0,
      30_000,
    );
  }, 900_000);
});
