import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeLlm, startFakeLlm } from "../src/fake-llm";
import { sseData } from "../src/sse";

type Json = Record<string, unknown>;

describe("startFakeLlm", () => {
  let llm: FakeLlm;

  const post = (body: Json, init: RequestInit = {}) =>
    fetch(`${llm.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer k" },
      body: JSON.stringify({ model: "fake-model", ...body }),
      ...init,
    });

  const streamed = async (body: Json) => {
    const response = await post({ ...body, stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events: Json[] = [];
    if (response.body) for await (const data of sseData(response.body)) events.push(JSON.parse(data));
    return events;
  };

  const contentOf = (events: Json[]) =>
    events
      .flatMap((e) => (e.choices as { delta?: { content?: string } }[]).map((c) => c.delta?.content ?? ""))
      .join("");

  beforeAll(async () => {
    llm = await startFakeLlm();
  });
  beforeEach(() => llm.reset());
  afterAll(async () => {
    await llm?.stop();
  });

  it("echoes the latest user text without streaming, with a digest of earlier user texts", async () => {
    const response = await post({
      messages: [
        { role: "system", content: "be nice" },
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: [{ type: "text", text: "second question" }] },
      ],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[]; usage: Json };
    expect(body.choices[0]?.message.content).toBe(
      "echo: second question (turns: 2, history: first question)",
    );
    expect(body.usage.total_tokens).toBeGreaterThan(0);
  });

  it("streams the reply as several deltas, then usage, then [DONE]", async () => {
    const events = await streamed({ messages: [{ role: "user", content: "stream this please" }] });
    const deltas = events.filter((e) => (e.choices as unknown[]).length > 0);
    expect(deltas.length).toBeGreaterThan(3);
    expect(contentOf(events)).toBe("echo: stream this please (turns: 1, history: none)");
    const last = events.at(-1) as { choices: unknown[]; usage?: Json };
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("reads the user's text the way OpenClaw sends it", async () => {
    const events = await streamed({
      messages: [
        { role: "system", content: "prompt" },
        { role: "user", content: "[Wed 2026-11-25 11:50 UTC] hi there\n\nRuntime: agent=main | session=x" },
        {
          role: "user",
          content: [
            {
              type: "text",
              text: "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nstuff\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>",
            },
          ],
        },
      ],
    });
    expect(contentOf(events)).toBe("echo: hi there (turns: 1, history: none)");
    expect(llm.chatRequests()[0]?.userText).toBe("hi there");
  });

  it.each([401, 429, 500])("fails with HTTP %i on [fail:%i] in OpenAI's error format", async (status) => {
    const response = await post({ messages: [{ role: "user", content: `please [fail:${status}]` }] });
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toContain("scripted failure");
  });

  it("uses enqueued behaviours once each, before the text's markers", async () => {
    llm.enqueue({ kind: "fail", status: 500 }, { kind: "reply", text: "scripted" });
    const messages = [{ role: "user", content: "plain" }];
    expect((await post({ messages })).status).toBe(500);
    const second = (await (await post({ messages })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(second.choices[0]?.message.content).toBe("scripted");
    const third = (await (await post({ messages })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(third.choices[0]?.message.content).toContain("echo: plain");
  });

  it("hangs on [hang] until the client gives up, and records that it did", async () => {
    const controller = new AbortController();
    const pending = post({ messages: [{ role: "user", content: "[hang]" }] }, { signal: controller.signal });
    await vi.waitFor(() => expect(llm.chatRequests()).toHaveLength(1));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(llm.chatRequests()[0]?.clientClosedEarly).toBe(true));
  });

  it("hangs on [hang:<n>] only for the first n requests with that text, then answers", async () => {
    const controller = new AbortController();
    const body = { messages: [{ role: "user", content: "retry me [hang:1]" }] };
    const pending = post(body, { signal: controller.signal });
    await vi.waitFor(() => expect(llm.chatRequests()).toHaveLength(1));
    controller.abort();
    await expect(pending).rejects.toThrow();
    const second = (await (await post(body)).json()) as { choices: { message: { content: string } }[] };
    expect(second.choices[0]?.message.content).toContain("retry me");
    expect(llm.chatRequests()[1]?.behaviour).toEqual({ kind: "reply" });
  });

  it("keeps streaming slowly on [slow:<ms>] and notices a client that leaves mid-stream", async () => {
    const response = await post({
      messages: [{ role: "user", content: "a b c d e f g h [slow:50]" }],
      stream: true,
    });
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(first?.done).toBe(false);
    await reader?.cancel();
    await vi.waitFor(() => expect(llm.chatRequests()[0]?.clientClosedEarly).toBe(true));
  });

  it("sends a reply of exactly <chars> characters on [long:<chars>]", async () => {
    const events = await streamed({ messages: [{ role: "user", content: "essay [long:20000]" }] });
    const text = contentOf(events);
    expect(text).toHaveLength(20_000);
    expect(text.startsWith("echo: essay [long:20000]")).toBe(true);
  });

  it("calls the scripted tool, then answers with the tool's result", async () => {
    const user = { role: "user", content: 'list files [tool:ls:{"path":"."}]' };
    const events = await streamed({ messages: [user] });
    const calls = events.flatMap((e) =>
      (
        e.choices as {
          delta: { tool_calls?: { id?: string; function: { name?: string; arguments: string } }[] };
        }[]
      ).flatMap((c) => c.delta.tool_calls ?? []),
    );
    const id = calls[0]?.id ?? "";
    expect(calls[0]?.function.name).toBe("ls");
    expect(calls.map((c) => c.function.arguments).join("")).toBe('{"path":"."}');
    expect(
      events.some((e) => (e.choices as { finish_reason: string }[])[0]?.finish_reason === "tool_calls"),
    ).toBe(true);

    const followUp = await streamed({
      messages: [
        user,
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id, type: "function", function: { name: "ls", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: id, content: "AGENTS.md\nSOUL.md" },
      ],
    });
    expect(contentOf(followUp)).toBe("Tool output: AGENTS.md\nSOUL.md");
  });

  it("lists its model and records every request", async () => {
    const response = await fetch(`${llm.baseUrl}/models`);
    const body = (await response.json()) as { data: { id: string }[] };
    expect(body.data.map((m) => m.id)).toEqual(["fake-model"]);
    expect(llm.requests().map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/models"]);
  });

  it("rejects a malformed chat request with 400", async () => {
    const response = await post({ messages: "nope" });
    expect(response.status).toBe(400);
  });
});

describe("startFakeLlm with an API key", () => {
  it("answers 401 to a wrong key and 200 to the right one", async () => {
    const llm = await startFakeLlm({ apiKey: "sk-right" });
    try {
      const call = (key: string) =>
        fetch(`${llm.baseUrl}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
        });
      expect((await call("sk-wrong")).status).toBe(401);
      expect((await call("sk-right")).status).toBe(200);
    } finally {
      await llm.stop();
    }
  });
});
