import { KEYS } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createAgentSocketHandler, createWebSocketHandler } from "../../src/handlers";
import { createServices } from "../../src/services";
import { makeDeps } from "../unit/fakes";
import { wsEvent } from "./events";

// A user without an AI provider: the gateway answers at once instead of booting an agent that could
// only say so (issue 23).
async function setup(config: { localMode?: boolean } = {}) {
  const deps = makeDeps({ config: { skipLlmSetupCheck: false, ...config } });
  const ws = createWebSocketHandler(deps);
  await ws(wsEvent("$connect", "tab1=", { query: { token: "valid:alice" } }));
  await ws(wsEvent("$connect", "tab2=", { query: { token: "valid:alice" } }));
  const send = (msg: unknown) => ws(wsEvent("$default", "tab1=", { body: JSON.stringify(msg) }));
  return { deps, send };
}

const chat = { type: "chat.send", conversationId: "c1", clientMessageId: "m1", text: "hello" };

describe("no AI provider configured", () => {
  it("answers a message at once in every tab, stores the turn, leaves nothing pending and starts no task", async () => {
    const { deps, send } = await setup();
    await send(chat);
    expect(deps.taskRunner.starts).toHaveLength(0);
    expect(await deps.pending.list("alice")).toHaveLength(0);
    for (const tab of ["tab1=", "tab2="]) {
      const error = deps.clientPush.to(tab).find((e) => e.type === "chat.error");
      expect(error).toMatchObject({ clientMessageId: "m1", code: "NO_PROVIDER", retryable: false });
    }
    const message = String(
      (deps.clientPush.to("tab1=").find((e) => e.type === "chat.error") as { message: string }).message,
    );
    // Every option, as plain text (the web shows it as is).
    for (const option of ["Claude (Anthropic)", "GPT (OpenAI)", "DeepSeek", "OpenAI-compatible", "Ollama"])
      expect(message).toContain(option);
    expect(message).toContain("http://127.0.0.1:11434/v1");
    expect(message).not.toContain("`");
    expect(message).not.toContain("ANTHROPIC_API_KEY"); // a deployment has no environment option
    const page = await deps.conversations.page("alice", "c1", { limit: 50 });
    expect(page.messages.map((m) => [m.role, m.error?.code])).toEqual([
      ["user", undefined],
      ["assistant", "NO_PROVIDER"],
    ]);
  });

  it("answers a resend of the same message as a duplicate without a second turn", async () => {
    const { deps, send } = await setup();
    await send(chat);
    await send(chat);
    expect(deps.clientPush.to("tab1=")).toContainEqual(
      expect.objectContaining({ type: "chat.ack", state: "duplicate" }),
    );
    expect(deps.taskRunner.starts).toHaveLength(0);
    expect((await deps.conversations.page("alice", "c1", { limit: 50 })).messages).toHaveLength(2);
  });

  it("names the local-mode environment options in local mode", async () => {
    const { deps, send } = await setup({ localMode: true });
    await send(chat);
    const error = deps.clientPush.to("tab1=").find((e) => e.type === "chat.error") as { message: string };
    expect(error.message).toContain("ANTHROPIC_API_KEY");
    expect(error.message).toContain("--llm-base-url");
  });

  it("does not pre-warm: agent.wake and status.get start nothing", async () => {
    const { deps, send } = await setup();
    await send({ type: "agent.wake" });
    await send({ type: "status.get" });
    expect(deps.taskRunner.starts).toHaveLength(0);
    expect(deps.clientPush.to("tab1=").at(-1)).toMatchObject({ type: "agent.status", state: "Idle" });
  });

  it("asks for the key when a hosted provider has none, and starts once the settings are complete", async () => {
    const { deps, send } = await setup();
    const services = createServices(deps);
    await services.settings.put("alice", { provider: "anthropic" });
    await send(chat);
    expect(deps.clientPush.to("tab1=").find((e) => e.type === "chat.error")).toMatchObject({
      code: "NO_API_KEY",
    });
    await services.settings.put("alice", { apiKey: "sk-ant-test-0123456789" });
    await send({ ...chat, clientMessageId: "m2" });
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect(await deps.pending.list("alice")).toHaveLength(1);
  });

  it("an OpenAI-compatible base URL without a key is enough", async () => {
    const { deps, send } = await setup();
    await createServices(deps).settings.put("alice", {
      provider: "openai-compatible",
      baseUrl: "http://127.0.0.1:11434/v1",
    });
    await send({ type: "agent.wake" });
    expect(deps.taskRunner.starts).toHaveLength(1);
  });
});

describe("the wake estimate", () => {
  it("is the configured default before any wake, then the median of this deployment's measured wakes", async () => {
    const deps = makeDeps({ config: { typicalWakeSeconds: 60 } });
    const ws = createWebSocketHandler(deps);
    const agent = createAgentSocketHandler(deps);
    await ws(wsEvent("$connect", "tab1=", { query: { token: "valid:alice" } }));
    const send = (msg: unknown) => ws(wsEvent("$default", "tab1=", { body: JSON.stringify(msg) }));
    const lastStatus = () =>
      deps.clientPush
        .to("tab1=")
        .filter((e) => e.type === "agent.status")
        .at(-1) as { state: string; typicalWakeSeconds?: number };

    const wake = async (seconds: number, n: number) => {
      await send({ type: "agent.wake" });
      const start = deps.taskRunner.starts.at(-1);
      deps.clock.advance(seconds * 1000);
      await agent(
        wsEvent("$connect", `agent${n}=`, { query: { userId: "alice", secret: start?.agentSecret ?? "" } }),
      );
      await deps.taskState.transition({
        userId: "alice",
        expectState: "Running",
        set: { state: "Idle", taskArn: null, agentConnectionId: null, agentSecretHash: null },
      });
    };

    await send({ type: "agent.wake" });
    expect(lastStatus()).toMatchObject({ state: "Starting", typicalWakeSeconds: 60 });
    await deps.taskState.transition({ userId: "alice", expectState: "Starting", set: { state: "Idle" } });

    await wake(12, 1);
    await wake(30, 2);
    await wake(14, 3);
    expect(await deps.settings.get(KEYS.settings.deploymentPartition, KEYS.settings.wakeSeconds)).toEqual([
      12, 30, 14,
    ]);
    deps.clock.advance(120_000); // past the estimate's cache
    await send({ type: "agent.wake" });
    expect(lastStatus()).toMatchObject({ state: "Starting", typicalWakeSeconds: 14 });
  });
});
