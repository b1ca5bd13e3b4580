import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { EmbeddedAgentClient } from "../../src/embedded-agent";
import type { ChatEvent } from "../../src/openclaw-chat";

/** A fake host: what the client writes, and a way to answer as the host program would. */
function fakeHost() {
  const input = new PassThrough();
  const output = new PassThrough();
  const written: Array<Record<string, unknown>> = [];
  input.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) written.push(JSON.parse(line));
  });
  const reply = (message: unknown) =>
    output.write(`${typeof message === "string" ? message : JSON.stringify(message)}\n`);
  const client = new EmbeddedAgentClient(input, output);
  const nextTurn = async () => {
    for (let i = 0; i < 100 && !written.some((w) => w.type === "turn"); i++)
      await new Promise((r) => setTimeout(r, 5));
    return written.find((w) => w.type === "turn") as { id: string; sessionKey: string; text: string };
  };
  return { client, written, reply, output, nextTurn };
}

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("EmbeddedAgentClient", () => {
  it("sends the turn, yields its deltas in order and ends on done; drops lines it cannot trust", async () => {
    const host = fakeHost();
    const events = collect(
      host.client.chat({ sessionKey: "conv-1", text: "hi", signal: new AbortController().signal }),
    );
    const turn = await host.nextTurn();
    expect(turn).toMatchObject({ sessionKey: "conv-1", text: "hi" });
    host.reply({ type: "delta", id: turn.id, text: "he" });
    host.reply("not json");
    host.reply({ type: "delta", id: "someone-else", text: "XX" });
    host.reply({ type: "delta", id: turn.id, text: 42 });
    host.reply({ type: "delta", id: turn.id, text: "llo" });
    host.reply({ type: "done", id: turn.id });
    expect(await events).toEqual([
      { type: "delta", text: "he" },
      { type: "delta", text: "llo" },
    ]);
  });

  it("turns a host error into one error event (the TurnRunner classifies it like a gateway stream error)", async () => {
    const host = fakeHost();
    const events = collect(
      host.client.chat({ sessionKey: "c", text: "x", signal: new AbortController().signal }),
    );
    const turn = await host.nextTurn();
    host.reply({ type: "error", id: turn.id, message: "request failed (authentication failed, HTTP 401)" });
    expect(await events).toEqual([
      { type: "error", message: "request failed (authentication failed, HTTP 401)" },
    ]);
  });

  it("on abort tells the host to cancel that turn and throws the abort reason", async () => {
    const host = fakeHost();
    const controller = new AbortController();
    const events = collect(host.client.chat({ sessionKey: "c", text: "x", signal: controller.signal }));
    const turn = await host.nextTurn();
    controller.abort("cancel");
    await expect(events).rejects.toBe("cancel");
    expect(host.written).toContainEqual({ type: "cancel", id: turn.id });
  });

  it("fails the running turn when the host goes away, and refuses new turns", async () => {
    const host = fakeHost();
    const events = collect(
      host.client.chat({ sessionKey: "c", text: "x", signal: new AbortController().signal }),
    );
    await host.nextTurn();
    host.output.end();
    await expect(events).rejects.toMatchObject({ code: "OPENCLAW_EXITED" });
    await expect(
      collect(host.client.chat({ sessionKey: "c", text: "y", signal: new AbortController().signal })),
    ).rejects.toMatchObject({ code: "OPENCLAW_EXITED" });
  });

  it("reports ready once the host has loaded OpenClaw", async () => {
    const host = fakeHost();
    let started: unknown;
    void host.client.started.then((s) => {
      started = s;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toBeUndefined();
    host.reply({ type: "ready" });
    expect(await host.client.started).toEqual({ ok: true });
  });

  it("reports a host that could not find OpenClaw's internals, or exited before loading them, as not started", async () => {
    const unsupported = fakeHost();
    unsupported.reply({
      type: "unsupported",
      message: "OpenClaw layout changed: no register.agent-turn chunk",
    });
    expect(await unsupported.client.started).toEqual({
      ok: false,
      reason: "unsupported",
      message: "OpenClaw layout changed: no register.agent-turn chunk",
    });
    const exited = fakeHost();
    exited.output.end();
    expect(await exited.client.started).toMatchObject({ ok: false, reason: "exited" });
  });

  it("hands a turn's tool events to the listeners of its session, parsed like the gateway's, whatever session the host names", async () => {
    const host = fakeHost();
    const seen: Record<string, unknown[]> = { "conv-1": [], "conv-2": [] };
    host.client.onTool("conv-1", (e) => seen["conv-1"]?.push(e));
    const stop2 = host.client.onTool("conv-2", (e) => seen["conv-2"]?.push(e));
    const events = collect(
      host.client.chat({ sessionKey: "conv-1", text: "run", signal: new AbortController().signal }),
    );
    const turn = await host.nextTurn();
    host.reply({
      type: "tool",
      id: turn.id,
      phase: "start",
      name: "exec",
      toolCallId: "call-1",
      ts: 1000,
      args: { command: "echo hi" },
      sessionKey: "conv-2",
    });
    host.reply({ type: "tool", id: turn.id, phase: "review", name: "exec", toolCallId: "call-1" });
    host.reply({ type: "tool", id: turn.id, phase: "result", name: 7, toolCallId: "call-1" });
    host.reply({ type: "tool", id: "another-turn", phase: "start", name: "exec", toolCallId: "x" });
    host.reply({
      type: "tool",
      id: turn.id,
      phase: "result",
      name: "exec",
      toolCallId: "call-1",
      ts: 1500,
      result: { content: [{ type: "text", text: "hi" }], details: { exitCode: 0 } },
      isError: false,
    });
    host.reply({ type: "done", id: turn.id });
    await events;
    stop2();
    expect(seen["conv-2"]).toEqual([]);
    expect(seen["conv-1"]).toEqual([
      {
        sessionKey: "conv-1",
        toolCallId: "call-1",
        name: "exec",
        phase: "start",
        ts: 1000,
        args: { command: "echo hi" },
      },
      {
        sessionKey: "conv-1",
        toolCallId: "call-1",
        name: "exec",
        phase: "result",
        ts: 1500,
        result: { content: [{ type: "text", text: "hi" }], details: { exitCode: 0 } },
        isError: false,
      },
    ]);
    // After its turn ended, a late event of that turn goes nowhere.
    host.reply({ type: "tool", id: turn.id, phase: "start", name: "exec", toolCallId: "late", ts: 2000 });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen["conv-1"]).toHaveLength(2);
  });

  it("forget (Stop's rewind) asks the host and resolves whether it rewound; a host error rejects", async () => {
    const host = fakeHost();
    const nextForget = async (n: number) => {
      for (let i = 0; i < 100 && host.written.filter((w) => w.type === "forget").length < n; i++)
        await new Promise((r) => setTimeout(r, 5));
      return host.written.filter((w) => w.type === "forget")[n - 1] as { id: string };
    };
    const first = host.client.forget("conv-1", "stop this");
    const request = await nextForget(1);
    expect(request).toMatchObject({ sessionKey: "conv-1", text: "stop this" });
    host.reply({ type: "forgotten", id: "someone-else", rewound: false });
    host.reply({ type: "forgotten", id: request.id, rewound: true });
    expect(await first).toBe(true);

    const second = host.client.forget("conv-1", "again");
    host.reply({ type: "error", id: (await nextForget(2)).id, message: "OpenClaw layout changed" });
    await expect(second).rejects.toThrow("OpenClaw layout changed");
  });

  it("forget rejects when the host exits before answering", async () => {
    const host = fakeHost();
    const pending = host.client.forget("conv-1", "x");
    host.output.end();
    await expect(pending).rejects.toThrow(/exited during a rewind/);
  });
});
