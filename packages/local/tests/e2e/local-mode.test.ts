import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSameAlive } from "../../src/agent/process-tree";
import { createLocalStack, type LocalStack } from "../../src/stack/local-stack";
import { createConsoleLogger } from "../../src/support/local-logger";
import { webLogin } from "../support/web-login";
import { RecordingSocket } from "./ws-client";

// OpenClaw boots in ~15 s on an idle machine, far slower when the CPU is shared: generous bounds,
// never asserted as timings.
const WAKE_TIMEOUT_MS = 240_000;
const TURN_TIMEOUT_MS = 120_000;

let llm: FakeLlm;
let dataDir: string;
const logs: string[] = [];
const printed: string[] = [];
const stacks: LocalStack[] = [];
const spawned = new Map<number, string>();

const logger = createConsoleLogger({
  level: "debug",
  write: (line) => {
    logs.push(line);
    if (process.env.LOCAL_E2E_VERBOSE) process.stderr.write(`${line}\n`);
  },
});
const tail = () => `Last log lines:\n${logs.slice(-60).join("\n")}`;

async function start(): Promise<LocalStack> {
  const stack = await createLocalStack({
    port: 0,
    dataDir,
    llmBaseUrl: llm.baseUrl,
    llmModel: llm.model,
    logger,
    print: (line) => printed.push(line),
    env: {},
  });
  stacks.push(stack);
  return stack;
}

async function stop(stack: LocalStack): Promise<void> {
  for (const [pid, startTime] of stack.runner.spawnedProcesses()) spawned.set(pid, startTime);
  await stack.stop();
  stacks.splice(stacks.indexOf(stack), 1);
}

/** Logs in the way the web UI does, at the Cognito endpoint /config.json names. */
async function login(stack: LocalStack, username: string, password: string): Promise<string> {
  const { idToken, config } = await webLogin(stack.url, username, password);
  expect(config).toMatchObject({ userPoolId: "us-east-1_LocalDev1", wsUrl: stack.wsUrl, selfSignUp: false });
  return idToken;
}

/** Sends a chat message and waits for its final reply; returns every event of that turn. */
async function chat(socket: RecordingSocket, conversationId: string, clientMessageId: string, text: string) {
  socket.send({ type: "chat.send", conversationId, clientMessageId, text });
  const final = await socket.waitFor(
    `chat.final for ${clientMessageId}`,
    (e) => (e.type === "chat.final" || e.type === "chat.error") && e.clientMessageId === clientMessageId,
    WAKE_TIMEOUT_MS + TURN_TIMEOUT_MS,
    tail,
  );
  expect(final, JSON.stringify(final)).toMatchObject({ type: "chat.final" });
  return { final, turn: socket.events.filter((e) => e.clientMessageId === clientMessageId) };
}

beforeAll(async () => {
  llm = await startFakeLlm();
  dataDir = await mkdtemp(join(tmpdir(), "local-e2e-"));
});

afterAll(async () => {
  for (const stack of [...stacks]) await stop(stack);
  await llm?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("local mode, end to end (npm start's code path, real container, real OpenClaw, fake LLM)", () => {
  it("wakes the agent for a message, streams the reply, and keeps history and memory across a restart", async () => {
    // ── first run: the agent is idle, a message wakes it ──
    const first = await start();
    const { username, password } = first.initialLogin;
    expect(password).toBeDefined();
    const token = await login(first, username, password as string);
    const browser = await RecordingSocket.open(`${first.wsUrl}?token=${encodeURIComponent(token)}`);

    const { final, turn } = await chat(browser, "e2e-conversation", "msg-1", "remember the word pineapple");
    expect(turn[0]).toMatchObject({ type: "chat.ack", state: "queued" });
    const statuses = browser.events.filter((e) => e.type === "agent.status");
    expect(statuses[0]).toMatchObject({
      state: "Starting",
      step: "provisioning",
      message: "Waking up the agent…",
    });
    const steps = statuses.map((s) => s.step).filter(Boolean);
    expect(steps).toEqual(expect.arrayContaining(["provisioning", "restoring-state", "starting-openclaw"]));
    const deltas = turn.filter((e) => e.type === "chat.delta");
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.map((d) => d.text).join("")).toBe(final.text);
    expect(final.text).toContain("echo: remember the word pineapple");
    expect(printed.some((line) => line.includes("Starting OpenClaw"))).toBe(true);
    await browser.close();

    // ── Ctrl-C: the agent saves its state, everything stops ──
    await stop(first);
    expect(spawned.size).toBeGreaterThan(1);
    expect([...spawned].filter(([pid, startTime]) => isSameAlive(pid, startTime))).toEqual([]);

    // ── second run on the same data dir ──
    const second = await start();
    expect(second.initialLogin).toMatchObject({ username, password, source: "existing" });
    const token2 = await login(second, username, password as string);
    const history = await fetch(`${second.apiUrl}/conversations/e2e-conversation/messages`, {
      headers: { authorization: `Bearer ${token2}` },
    });
    expect(history.status).toBe(200);
    const page = (await history.json()) as { messages: Array<{ role: string; text: string }> };
    expect(page.messages.map((m) => [m.role, m.text])).toEqual([
      ["user", "remember the word pineapple"],
      ["assistant", final.text],
    ]);

    const browser2 = await RecordingSocket.open(`${second.wsUrl}?token=${encodeURIComponent(token2)}`);
    llm.reset();
    const again = await chat(browser2, "e2e-conversation", "msg-2", "what was the word?");
    // The agent's memory came back from the backup: OpenClaw sent the first turn along to the model.
    expect(again.final.text).toContain("history: remember the word pineapple");
    const lastRequest = llm.chatRequests().at(-1);
    expect(JSON.stringify(lastRequest?.messages)).toContain("remember the word pineapple");
    await browser2.close();

    await stop(second);
    expect([...spawned].filter(([pid, startTime]) => isSameAlive(pid, startTime))).toEqual([]);
  }, 900_000);
});
