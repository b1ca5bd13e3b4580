import type { ServerEvent, StoredMessage } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { activeTurn, type ChatState, chatReducer } from "../../src/chat/chat-store";

const c = "conv1";
const at = "2026-11-25T12:00:00.000Z";
const send = (id: string, agentRunning = false) =>
  ({
    type: "local-send",
    conversationId: c,
    clientMessageId: id,
    text: `q ${id}`,
    createdAt: at,
    agentRunning,
  }) as const;
const server = (event: ServerEvent) => ({ type: "server", event }) as const;
const run = (...actions: Parameters<typeof chatReducer>[1][]) => actions.reduce<ChatState>(chatReducer, {});
const view = (s: ChatState) => s[c]?.items.map((i) => [i.role, i.status, i.text]) ?? [];

describe("chatReducer", () => {
  it("shows a stored failed reply's error once after a reload, and keeps Retry when sending again may work", () => {
    const stored = (code: string, text: string, message: string, retryable?: boolean): StoredMessage => ({
      conversationId: c,
      messageId: `${code}-reply`,
      clientMessageId: code,
      role: "assistant",
      text,
      channel: "web",
      createdAt: at,
      error: { code, message, ...(retryable === undefined ? {} : { retryable }) },
    });
    const s = run({
      type: "history",
      older: false,
      page: {
        conversationId: c,
        messages: [
          stored("NO_PROVIDER", "Open Settings.", "Open Settings.", false),
          stored(
            "LLM_ERROR",
            "Half a reply\n\nThe AI provider returned an error: boom",
            "The AI provider returned an error: boom",
            true,
          ),
          stored("CANCELLED", "You stopped this reply.", "You stopped this reply."),
        ],
      },
    });
    const items = s[c]?.items ?? [];
    expect(items.map((i) => [i.text, i.error?.message, i.error?.retryable])).toEqual([
      ["", "Open Settings.", false],
      ["Half a reply", "The AI provider returned an error: boom", true],
      ["", "You stopped this reply.", false],
    ]);
  });

  it("shows the agent thinking once it starts, then each tool call in place, and keeps them with the final reply", () => {
    const call = {
      id: "call_1",
      name: "exec",
      summary: "ls",
      status: "running" as const,
      startedAt: at,
      at: 3,
    };
    const s = run(send("m1"), server({ type: "chat.started", clientMessageId: "m1", conversationId: c }));
    expect(view(s)).toEqual([
      ["user", "delivered", "q m1"],
      ["assistant", "streaming", ""],
    ]);
    const withCall = [
      server({ type: "chat.delta", clientMessageId: "m1", conversationId: c, seq: 0, text: "Hm." }),
      server({ type: "chat.activity", clientMessageId: "m1", conversationId: c, activity: call }),
      server({
        type: "chat.activity",
        clientMessageId: "m1",
        conversationId: c,
        activity: { ...call, status: "done" as const, durationMs: 40, at: 99 },
      }),
    ];
    const live = withCall.reduce(chatReducer, s);
    expect(live[c]?.items[1]?.activity).toEqual([{ ...call, status: "done", durationMs: 40 }]);
    const final = chatReducer(
      live,
      server({
        type: "chat.final",
        clientMessageId: "m1",
        conversationId: c,
        messageId: "m1-reply",
        text: "Hm. Done.",
        createdAt: at,
      }),
    );
    expect(final[c]?.items[1]?.activity).toHaveLength(1);
    // A late "started" does not bring a finished turn back.
    const late = chatReducer(
      final,
      server({ type: "chat.started", clientMessageId: "m1", conversationId: c }),
    );
    expect(view(late)).toEqual([
      ["user", "done", "q m1"],
      ["assistant", "done", "Hm. Done."],
    ]);
  });

  it("shows a message sent while the agent sleeps as queued at once", () => {
    expect(view(run(send("m1")))).toEqual([["user", "queued", "q m1"]]);
    expect(view(run(send("m1", true)))).toEqual([["user", "sending", "q m1"]]);
  });

  it("replaces a partial reply when a new agent re-streams it from seq 0 (no splicing)", () => {
    const delta = (stream: string, seq: number, text: string) =>
      server({ type: "chat.delta", clientMessageId: "m1", conversationId: c, seq, text, stream });
    const s = run(
      send("m1", true),
      delta("dead", 0, "The answer "),
      delta("dead", 1, "is forty"),
      // The agent crashed; the next one answers the same message again, from the start.
      delta("new", 0, "The answer "),
      delta("new", 1, "is 42"),
      delta("new", 2, ", certainly."),
    );
    expect(view(s)[1]).toEqual(["assistant", "streaming", "The answer is 42, certainly."]);
  });

  it("streams deltas into one reply and replaces it with the final text", () => {
    const s = run(
      send("m1", true),
      server({ type: "chat.ack", clientMessageId: "m1", conversationId: c, state: "delivered" }),
      server({ type: "chat.delta", clientMessageId: "m1", conversationId: c, seq: 0, text: "Hel" }),
      server({ type: "chat.delta", clientMessageId: "m1", conversationId: c, seq: 1, text: "lo" }),
    );
    expect(view(s)).toEqual([
      ["user", "delivered", "q m1"],
      ["assistant", "streaming", "Hello"],
    ]);
    expect(activeTurn(s[c])?.role).toBe("assistant");
    const done = chatReducer(
      s,
      server({
        type: "chat.final",
        clientMessageId: "m1",
        conversationId: c,
        messageId: "a1",
        text: "Hello!",
        createdAt: at,
      }),
    );
    expect(view(done)).toEqual([
      ["user", "done", "q m1"],
      ["assistant", "done", "Hello!"],
    ]);
    expect(activeTurn(done[c])).toBeUndefined();
  });

  it("a duplicate ack does not change a queued message", () => {
    const s = run(
      send("m1"),
      server({ type: "chat.ack", clientMessageId: "m1", conversationId: c, state: "duplicate" }),
    );
    expect(view(s)).toEqual([["user", "queued", "q m1"]]);
  });

  it("puts a reply right after its question even when later messages were sent", () => {
    const s = run(
      send("m1"),
      send("m2"),
      server({
        type: "chat.final",
        clientMessageId: "m1",
        conversationId: c,
        messageId: "a1",
        text: "A1",
        createdAt: at,
      }),
    );
    expect(view(s).map((r) => r[2])).toEqual(["q m1", "A1", "q m2"]);
  });

  it("records an error with whether a retry may help", () => {
    const s = run(
      send("m1"),
      server({
        type: "chat.error",
        clientMessageId: "m1",
        conversationId: c,
        code: "LLM",
        message: "Rate limited",
        retryable: true,
      }),
    );
    const reply = s[c]?.items[1];
    expect(reply).toMatchObject({
      role: "assistant",
      status: "error",
      error: { message: "Rate limited", retryable: true },
    });
    expect(s[c]?.items[0]?.status).toBe("error");
  });

  it("a stopped turn stays stopped when late deltas arrive", () => {
    const s = run(
      send("m1", true),
      server({ type: "chat.delta", clientMessageId: "m1", conversationId: c, seq: 0, text: "a" }),
      { type: "local-stop", conversationId: c, clientMessageId: "m1" },
      server({ type: "chat.delta", clientMessageId: "m1", conversationId: c, seq: 1, text: "b" }),
    );
    expect(view(s)).toEqual([
      ["user", "stopped", "q m1"],
      ["assistant", "stopped", "ab"],
    ]);
  });

  const stored = (id: string, role: "user" | "assistant", text: string): StoredMessage => ({
    conversationId: c,
    messageId: `${role}-${id}`,
    clientMessageId: id,
    role,
    text,
    channel: "web",
    createdAt: at,
  });

  it("merges history pages without duplicating messages shown live", () => {
    const live = run(send("m3", true));
    const withNewest = chatReducer(live, {
      type: "history",
      older: false,
      page: {
        conversationId: c,
        messages: [stored("m2", "user", "q2"), stored("m2", "assistant", "a2")],
        nextCursor: "cur1",
      },
    });
    expect(view(withNewest).map((r) => r[2])).toEqual(["q2", "a2", "q m3"]);
    expect(withNewest[c]).toMatchObject({ loaded: true, cursor: "cur1" });
    const withOlder = chatReducer(withNewest, {
      type: "history",
      older: true,
      page: { conversationId: c, messages: [stored("m1", "user", "q1"), stored("m2", "user", "q2")] },
    });
    expect(view(withOlder).map((r) => r[2])).toEqual(["q1", "q2", "a2", "q m3"]);
    expect(withOlder[c]?.cursor).toBeUndefined();
  });

  it("the stored version wins over a finished live one when the newest page reloads", () => {
    const s = run(
      send("m1", true),
      server({
        type: "chat.final",
        clientMessageId: "m1",
        conversationId: c,
        messageId: "a1",
        text: "live",
        createdAt: at,
      }),
      {
        type: "history",
        older: false,
        page: {
          conversationId: c,
          messages: [stored("m1", "user", "q m1"), stored("m1", "assistant", "stored")],
        },
      },
    );
    expect(view(s)).toEqual([
      ["user", "done", "q m1"],
      ["assistant", "done", "stored"],
    ]);
  });
});
