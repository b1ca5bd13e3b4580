import { describe, expect, it } from "vitest";
import { forgetStoppedPrompt, type GatewayCall } from "../../src/stopped-prompt";

const user = (id: string, content: unknown) => ({ role: "user", content, __openclaw: { id } });
const assistant = (text: string) => ({ role: "assistant", content: [{ type: "text", text }] });

/** A gateway whose chat.history answers come from `histories` in turn; records every call. */
function fakeGateway(histories: Array<{ messages: unknown[]; status?: string }>) {
  const calls: Array<[string, Record<string, unknown>]> = [];
  let i = 0;
  const call: GatewayCall = async (method, params) => {
    calls.push([method, params]);
    if (method === "chat.history") {
      const h = histories[Math.min(i++, histories.length - 1)];
      return { messages: h?.messages ?? [], sessionInfo: { status: h?.status } };
    }
    return { ok: true };
  };
  return { call, calls };
}

describe("forgetStoppedPrompt", () => {
  it("waits for the aborted run to end, then rewinds the session to just before the stopped prompt", async () => {
    const messages = [user("u1", "the fruit is APPLE"), assistant("ok"), user("u2", "STOP ME [hang]")];
    const { call, calls } = fakeGateway([
      { messages: messages.slice(0, 2), status: "running" }, // not recorded yet
      { messages, status: "running" },
      { messages, status: "killed" },
    ]);
    expect(await forgetStoppedPrompt(call, "conv-1", "STOP ME [hang]", { pollMs: 1 })).toBe(true);
    expect(calls.filter(([m]) => m === "chat.history")).toHaveLength(3);
    expect(calls.at(-1)).toEqual(["sessions.rewind", { sessionKey: "conv-1", entryId: "u2" }]);
  });

  it("matches a prompt stored as content parts", async () => {
    const { call, calls } = fakeGateway([
      { messages: [user("u9", [{ type: "text", text: "do the thing" }])], status: "done" },
    ]);
    expect(await forgetStoppedPrompt(call, "c", "do the thing", { pollMs: 1 })).toBe(true);
    expect(calls.at(-1)?.[1]).toEqual({ sessionKey: "c", entryId: "u9" });
  });

  it("rewinds nothing when the latest user message is another one (the stopped prompt was never recorded)", async () => {
    const { call, calls } = fakeGateway([
      { messages: [user("u1", "an earlier question"), assistant("answer")], status: "done" },
    ]);
    expect(await forgetStoppedPrompt(call, "c", "stopped text", { waitMs: 20, pollMs: 5 })).toBe(false);
    expect(calls.some(([m]) => m === "sessions.rewind")).toBe(false);
  });
});
