import { createMemoryStores } from "@serverless-openclaw/gateway/local";
import {
  KEYS,
  type PendingMessage,
  Redactor,
  type StoredMessage,
  type ToolActivity,
} from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createJsonLogger } from "../../src/logger";
import type { ChatEvent } from "../../src/openclaw-chat";
import type { OpenClawToolEvent } from "../../src/openclaw-events";
import type { ReplySink } from "../../src/sinks/reply-sink";
import { type ChatFn, TurnRunner } from "../../src/turns";

const USER = "u-1";
const APPEND_ONLY = "Assistant output cannot be represented as an append-only response stream.";
let n = 0;
function pending(text: string, conversationId = "c-1"): PendingMessage {
  n += 1;
  const receivedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  return {
    userId: USER,
    id: KEYS.pending.message(receivedAt, `id-${n}`),
    clientMessageId: `cm-${n}`,
    conversationId,
    text,
    channel: "web",
    replyTo: { channel: "web" },
    receivedAt,
  };
}

class RecordingSink implements ReplySink {
  events: Array<{ kind: string; id: string; text?: string; code?: string; seq?: number }> = [];
  async started(m: PendingMessage) {
    this.events.push({ kind: "started", id: m.clientMessageId });
  }
  async delta(m: PendingMessage, chunk: string, seq: number) {
    this.events.push({ kind: "delta", id: m.clientMessageId, text: chunk, seq });
  }
  async activity(m: PendingMessage, a: ToolActivity) {
    this.events.push({
      kind: "activity",
      id: m.clientMessageId,
      text: `${a.name}:${a.summary}:${a.status}:${a.at}`,
    });
  }
  async final(m: PendingMessage, text: string) {
    this.events.push({ kind: "final", id: m.clientMessageId, text });
  }
  async error(m: PendingMessage, code: string, message: string) {
    this.events.push({ kind: "error", id: m.clientMessageId, code, text: message });
  }
  of(kind: string) {
    return this.events.filter((e) => e.kind === kind);
  }
}

type ToolListener = (event: OpenClawToolEvent) => void;

/** A chat function scripted per text: words streamed, an error event, or a wait on the signal. */
function scriptedChat(calls: string[], tools: Map<string, ToolListener> = new Map()): ChatFn {
  return (req) =>
    (async function* (): AsyncGenerator<ChatEvent> {
      calls.push(req.text);
      if (req.text.includes("[openclaw-refuses]")) {
        yield { type: "delta", text: "Tool result: all fine" };
        yield { type: "error", message: APPEND_ONLY, errorType: "api_error" };
        return;
      }
      if (req.text.includes("[openclaw-fails]")) {
        yield { type: "error", message: APPEND_ONLY, errorType: "api_error" };
        return;
      }
      if (req.text.includes("[tool]")) {
        const emit = (e: Omit<OpenClawToolEvent, "sessionKey" | "toolCallId" | "name">) =>
          tools.get(req.sessionKey)?.({
            sessionKey: `agent:main:${req.sessionKey}`,
            toolCallId: "call_1",
            name: "exec",
            ...e,
          });
        yield { type: "delta", text: "Looking. " };
        emit({ phase: "start", ts: 1_000, args: { command: "ls -la" } });
        emit({ phase: "update", ts: 1_100 });
        emit({
          phase: "result",
          ts: 1_250,
          result: { content: [{ type: "text", text: "a.txt" }], details: { exitCode: 0 } },
        });
        yield { type: "delta", text: "Found a.txt." };
        return;
      }
      if (req.text.includes("[error]")) {
        yield { type: "error", message: "401 Incorrect API key provided", errorType: "authentication_error" };
        return;
      }
      if (req.text.includes("[hang]")) {
        await new Promise((_, reject) =>
          req.signal.addEventListener("abort", () => reject(new Error("aborted"))),
        );
      }
      for (const word of `reply to ${req.text}`.split(" ")) yield { type: "delta", text: `${word} ` };
    })();
}

function setup(
  options: {
    turnTimeoutMs?: number;
    problem?: boolean;
    afterTurn?: ConstructorParameters<typeof TurnRunner>[0]["afterTurn"];
    replyInState?: ConstructorParameters<typeof TurnRunner>[0]["replyInState"];
    answered?: ConstructorParameters<typeof TurnRunner>[0]["answered"];
  } = {},
) {
  const stores = createMemoryStores();
  const sink = new RecordingSink();
  const calls: string[] = [];
  const tools = new Map<string, ToolListener>();
  const runner = new TurnRunner({
    userId: USER,
    pending: stores.pending,
    conversations: stores.conversations,
    sinksFor: () => [sink],
    chat: scriptedChat(calls, tools),
    toolEvents: (key, listener) => {
      tools.set(key, listener);
      return () => tools.delete(key);
    },
    llmProblem: () =>
      options.problem ? { code: "NO_PROVIDER", message: "Open Settings", retryable: false } : undefined,
    logger: createJsonLogger({ redactor: new Redactor(), write: () => undefined }),
    turnTimeoutMs: options.turnTimeoutMs,
    coalesceMs: 5,
    ...(options.afterTurn ? { afterTurn: options.afterTurn } : {}),
    ...(options.replyInState ? { replyInState: options.replyInState } : {}),
    ...(options.answered ? { answered: options.answered } : {}),
  });
  const add = async (m: PendingMessage) => {
    await stores.pending.enqueue(m);
    return m;
  };
  return { stores, sink, calls, runner, add };
}

describe("TurnRunner", () => {
  it("sends each tool call in order with the text around it, and stores the calls with the reply", async () => {
    const { sink, runner, add, stores } = setup();
    const m = await add(pending("look [tool]"));
    runner.enqueue(m);
    await runner.whenIdle();
    expect(sink.events.map((e) => `${e.kind}${e.text ? ` ${e.text}` : ""}`)).toEqual([
      "started",
      "delta Looking. ",
      "activity exec:ls -la:running:9",
      "activity exec:ls -la:done:9",
      "delta Found a.txt.",
      "final Looking. Found a.txt.",
    ]);
    const reply = await stores.conversations.findReply(USER, m.conversationId, m.clientMessageId);
    expect(reply?.activity).toEqual([
      {
        id: "call_1",
        name: "exec",
        summary: "ls -la",
        status: "done",
        startedAt: new Date(1_000).toISOString(),
        durationMs: 250,
        preview: "a.txt",
        at: 9,
      },
    ]);
  });

  it("keeps a streamed reply that OpenClaw then refused as append-only: the user read it, so it is the answer", async () => {
    const { sink, runner, add, stores } = setup();
    const m = await add(pending("[openclaw-refuses]"));
    runner.enqueue(m);
    await runner.whenIdle();
    expect(sink.of("error")).toEqual([]);
    expect(sink.of("final").map((e) => e.text)).toEqual(["Tool result: all fine"]);
    const reply = await stores.conversations.findReply(USER, m.conversationId, m.clientMessageId);
    expect(reply).toMatchObject({ text: "Tool result: all fine" });
    expect(reply?.error).toBeUndefined();
  });

  it("reports a failure of OpenClaw itself as such, never as the AI provider's", async () => {
    const { sink, runner, add } = setup();
    runner.enqueue(await add(pending("[openclaw-fails]")));
    await runner.whenIdle();
    const [error] = sink.of("error");
    expect(error?.code).toBe("OPENCLAW_ERROR");
    expect(error?.text).toContain("The agent (OpenClaw) failed");
    expect(error?.text).not.toContain("AI provider");
  });

  it("answers in arrival order even when a newer message is pushed while the pending list is read", async () => {
    const { sink, runner, add, stores } = setup();
    const ms = [await add(pending("a")), await add(pending("b")), await add(pending("c"))];
    const drained = runner.drain();
    runner.enqueue(ms[2] as PendingMessage);
    await drained;
    await runner.whenIdle();
    expect(sink.of("final").map((e) => e.id)).toEqual(ms.map((m) => m.clientMessageId));
    expect(await stores.pending.list(USER)).toEqual([]);
  });

  it("queues drained messages strictly oldest first", async () => {
    const { sink, runner, add } = setup();
    const ms = [await add(pending("one")), await add(pending("two")), await add(pending("three"))];
    await runner.drain();
    await runner.whenIdle();
    expect(sink.of("final").map((e) => e.id)).toEqual(ms.map((m) => m.clientMessageId));
  });

  it("streams deltas whose concatenation is the final text, then stores the turn and deletes the pending item", async () => {
    const { sink, runner, add, stores } = setup();
    const m = await add(pending("hello world"));
    runner.enqueue(m);
    await runner.whenIdle();
    const deltas = sink.of("delta");
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
    expect(deltas.map((d) => d.text).join("")).toBe(sink.of("final")[0]?.text);
    const reply = await stores.conversations.findReply(USER, "c-1", m.clientMessageId);
    expect(reply?.text).toBe("reply to hello world ");
    expect(await stores.pending.list(USER)).toEqual([]);
  });

  it("answers a message only once, however often it is delivered", async () => {
    const { sink, runner, add, calls } = setup();
    const m = await add(pending("once"));
    runner.enqueue(m);
    runner.enqueue(m);
    await runner.whenIdle();
    runner.enqueue(m);
    await runner.whenIdle();
    expect(calls).toEqual(["once"]);
    expect(sink.of("final")).toHaveLength(1);
  });

  it("re-sends the stored reply when a new task finds the turn already stored", async () => {
    const first = setup();
    const m = await first.add(pending("stored before"));
    first.runner.enqueue(m);
    await first.runner.whenIdle();
    // The previous task crashed after putTurn but before deleting the pending item.
    await first.stores.pending.enqueue({ ...m, clientMessageId: `${m.clientMessageId}` });
    const sink = new RecordingSink();
    const calls: string[] = [];
    const again = new TurnRunner({
      userId: USER,
      pending: first.stores.pending,
      conversations: first.stores.conversations,
      sinksFor: () => [sink],
      chat: scriptedChat(calls),
      llmProblem: () => undefined,
      logger: createJsonLogger({ redactor: new Redactor(), write: () => undefined }),
    });
    again.enqueue(m);
    await again.whenIdle();
    expect(calls).toEqual([]);
    expect(sink.of("final").map((e) => e.text)).toEqual(["reply to stored before "]);
  });

  it("turns an LLM auth failure into a stored error reply telling the user to fix the key", async () => {
    const { sink, runner, add, stores } = setup();
    const m = await add(pending("[error]"));
    runner.enqueue(m);
    await runner.whenIdle();
    expect(sink.of("error")[0]?.code).toBe("LLM_AUTH_FAILED");
    expect(sink.of("error")[0]?.text).toMatch(/API key in Settings/);
    expect((await stores.conversations.findReply(USER, "c-1", m.clientMessageId))?.error?.code).toBe(
      "LLM_AUTH_FAILED",
    );
    expect(await stores.pending.list(USER)).toEqual([]);
  });

  it("answers with the configuration problem without calling the LLM", async () => {
    const { sink, runner, add, calls } = setup({ problem: true });
    runner.enqueue(await add(pending("hi")));
    await runner.whenIdle();
    expect(calls).toEqual([]);
    expect(sink.of("error")[0]?.code).toBe("NO_PROVIDER");
  });

  it("times a turn out with a clear error", async () => {
    const { sink, runner, add } = setup({ turnTimeoutMs: 50 });
    runner.enqueue(await add(pending("[hang]")));
    await runner.whenIdle();
    expect(sink.of("error")[0]?.code).toBe("TURN_TIMEOUT");
  });

  it("cancels the running turn on agent.cancel", async () => {
    const { sink, runner, add, stores } = setup();
    const m = await add(pending("[hang]"));
    runner.enqueue(m);
    await new Promise((r) => setTimeout(r, 20));
    runner.cancel(m.clientMessageId);
    await runner.whenIdle();
    expect(sink.of("error")[0]?.code).toBe("CANCELLED");
    expect(await stores.pending.list(USER)).toEqual([]);
  });

  it("abandons the running turn at shutdown without storing, answering or deleting it", async () => {
    const { sink, runner, add, stores } = setup();
    const m = await add(pending("[hang]"));
    runner.enqueue(m);
    await new Promise((r) => setTimeout(r, 20));
    expect(await runner.shutdown(30)).toBe("abandoned");
    expect(sink.of("final")).toEqual([]);
    expect(sink.of("error")).toEqual([]);
    expect(await stores.conversations.findReply(USER, "c-1", m.clientMessageId)).toBeUndefined();
    expect((await stores.pending.list(USER)).map((p) => p.id)).toEqual([m.id]);
  });

  it("makes a reply final only once its turn's checkpoint is saved, and starts the next turn once it is captured", async () => {
    const saves: Array<{ id: string; save: () => void }> = [];
    const { sink, runner, add, stores } = setup({
      afterTurn: async (message) => {
        let save = () => {};
        const saved = new Promise<void>((r) => {
          save = r;
        });
        saves.push({ id: message.clientMessageId, save });
        return { saved };
      },
    });
    const a = await add(pending("first"));
    const b = await add(pending("second"));
    runner.enqueue(a);
    runner.enqueue(b);
    await until(() => saves.length === 2);
    // Both turns ran (the second did not wait for the first's upload), neither is final yet: a crash
    // now leaves both pending, so the next task answers them again from the last saved state.
    expect(sink.of("final")).toEqual([]);
    expect(sink.of("started").map((e) => e.id)).toEqual([a.clientMessageId, b.clientMessageId]);
    expect((await stores.pending.list(USER)).map((p) => p.id)).toEqual([a.id, b.id]);
    expect(await stores.conversations.findReply(USER, "c-1", a.clientMessageId)).toBeUndefined();
    expect(runner.busy).toBe(true);

    // Saved out of order: the replies still become final in the order of the turns.
    saves[1]?.save();
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.of("final")).toEqual([]);
    saves[0]?.save();
    await runner.whenIdle();
    expect(sink.of("final").map((e) => e.id)).toEqual([a.clientMessageId, b.clientMessageId]);
    expect(await stores.pending.list(USER)).toEqual([]);
  });

  it("hands each turn's reply to afterTurn, and reports a message answered once its turn is stored", async () => {
    const seen: Array<{ id: string; text?: string; code?: string }> = [];
    const answered: string[] = [];
    const { runner, add } = setup({
      afterTurn: async (message, { reply }) => {
        seen.push({ id: message.clientMessageId, text: reply?.text, code: reply?.error?.code });
        return { saved: Promise.resolve() };
      },
      answered: (m) => answered.push(m.clientMessageId),
    });
    const ok = await add(pending("hello"));
    const failed = await add(pending("[error]"));
    runner.enqueue(ok);
    runner.enqueue(failed);
    await runner.whenIdle();
    expect(seen[0]).toEqual({ id: ok.clientMessageId, text: "reply to hello ", code: undefined });
    expect(seen[1]?.code).toEqual(expect.any(String));
    expect(answered).toEqual([ok.clientMessageId, failed.clientMessageId]);
  });

  // A task died after its checkpoint was saved but before the turn was stored: the restored state has
  // answered the message, which is still pending. Running the agent again would act on it twice.
  it("sends the reply the restored state already holds without running the agent on it again", async () => {
    const m = pending("write the file once");
    const inState: StoredMessage = {
      conversationId: m.conversationId,
      messageId: `${m.clientMessageId}-reply`,
      clientMessageId: m.clientMessageId,
      role: "assistant",
      text: "Done: wrote the file.",
      channel: "web",
      createdAt: new Date(Date.parse(m.receivedAt) + 1_000).toISOString(),
    };
    const afterTurn: string[] = [];
    const { sink, calls, runner, add, stores } = setup({
      replyInState: (message) => (message.id === m.id ? inState : undefined),
      afterTurn: async (message) => {
        afterTurn.push(message.clientMessageId);
        return { saved: Promise.resolve() };
      },
    });
    await add(m);
    const next = await add(pending("and now?"));
    runner.enqueue(m);
    runner.enqueue(next);
    await runner.whenIdle();
    // The agent ran only on the next message; the restored one got its recorded reply, once.
    expect(calls).toEqual(["and now?"]);
    expect(afterTurn).toEqual([next.clientMessageId]);
    expect(sink.of("final").map((e) => [e.id, e.text])).toEqual([
      [m.clientMessageId, "Done: wrote the file."],
      [next.clientMessageId, "reply to and now? "],
    ]);
    expect(sink.of("started").map((e) => e.id)).toEqual([next.clientMessageId]);
    expect((await stores.conversations.findReply(USER, "c-1", m.clientMessageId))?.text).toBe(
      "Done: wrote the file.",
    );
    expect(await stores.pending.list(USER)).toEqual([]);
  });

  it("still answers when the checkpoint fails (the reply must go out)", async () => {
    const { sink, runner, add, stores } = setup({
      afterTurn: async () => ({ saved: Promise.reject(new Error("S3 down")) }),
    });
    const m = await add(pending("hello"));
    runner.enqueue(m);
    await runner.whenIdle();
    expect(sink.of("final").map((e) => e.id)).toEqual([m.clientMessageId]);
    expect(await stores.pending.list(USER)).toEqual([]);
  });

  it("makes answered replies final before shutdown resolves", async () => {
    let save = () => {};
    const { sink, runner, add } = setup({
      afterTurn: async () => ({
        saved: new Promise<void>((r) => {
          save = r;
        }),
      }),
    });
    const m = await add(pending("hello"));
    runner.enqueue(m);
    await until(() => sink.of("delta").length > 0 && runner.busy);
    await new Promise((r) => setTimeout(r, 20));
    const stopping = runner.shutdown(1_000);
    setTimeout(() => save(), 30);
    await stopping;
    expect(sink.of("final").map((e) => e.id)).toEqual([m.clientMessageId]);
  });
});

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
