import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsoleLogger } from "@serverless-openclaw/local/local-logger";
import { createLocalStack, type LocalStack } from "@serverless-openclaw/local/local-stack";
import { type PairingCode, WAKING_MESSAGE } from "@serverless-openclaw/shared";
import { type FakeLlm, startFakeLlm, until } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TELEGRAM_TEXT } from "../../../src/services/telegram-messages";
import { BOT_TOKEN, FakeBotApi } from "../fake-bot-api";
import { textUpdate } from "../harness";

/**
 * The whole Telegram path on one machine: long polling (local mode's stand-in for the webhook) →
 * pairing → a message while the agent is idle → "Waking up the agent…" → the real container task with
 * real OpenClaw and a fake LLM → the reply streamed into the chat by editing, split at 4096.
 * Telegram itself is the fake Bot API server on loopback. Bounds are generous (OpenClaw boots slowly on
 * a shared CPU) and never asserted as timings.
 */
const WAKE_AND_TURN_MS = 360_000;
const CHAT = 60_606;

let llm: FakeLlm;
let fake: FakeBotApi;
let stack: LocalStack;
let dataDir: string;
const logs: string[] = [];
const tail = () => `Last log lines:\n${logs.slice(-60).join("\n")}`;

/** Waits for `check` (testkit's until), with the last log lines in the error. */
const eventually = <T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms: number,
) => until(what, check, { timeoutMs: ms, intervalMs: 100, explain: tail });

beforeAll(async () => {
  llm = await startFakeLlm();
  fake = await new FakeBotApi().start();
  dataDir = await mkdtemp(join(tmpdir(), "telegram-e2e-"));
  stack = await createLocalStack({
    port: 0,
    dataDir,
    llmBaseUrl: llm.baseUrl,
    llmModel: llm.model,
    logger: createConsoleLogger({ level: "debug", write: (line) => void logs.push(line) }),
    print: () => {},
    env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot },
    agentEnv: { TELEGRAM_API_ROOT: fake.apiRoot },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  await llm?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("Telegram in local mode, end to end (real container and OpenClaw, fake LLM, fake Bot API)", () => {
  it("pairs, wakes the agent and streams the reply into the chat", async () => {
    const { username, password } = stack.initialLogin;
    const auth = await stack.login(username, password as string);
    const res = await fetch(`${stack.apiUrl}/telegram/pairing-code`, {
      method: "POST",
      headers: { authorization: `Bearer ${auth.IdToken}` },
    });
    expect(res.status).toBe(201);
    const code = (await res.json()) as PairingCode;

    fake.pushUpdate(textUpdate(`/start ${code.code}`, CHAT));
    await eventually("the pairing reply", () => fake.sentTexts(CHAT).includes(TELEGRAM_TEXT.paired), 30_000);

    const question = textUpdate("[slow:10][long:6000] tell me a long story", CHAT);
    fake.pushUpdate(question);
    await eventually("the waking message", () => fake.sentTexts(CHAT).includes(WAKING_MESSAGE), 30_000);

    const userId = stack.identity.users.get(username)?.sub ?? "";
    const stored = await eventually(
      "the stored turn",
      async () => {
        const metas = await stack.stores.conversations.listMeta(userId);
        const telegram = metas.find((m) => m.channel === "telegram");
        if (!telegram) return undefined;
        const page = await stack.stores.conversations.page(userId, telegram.conversationId, { limit: 10 });
        return page.messages.find((m) => m.role === "assistant");
      },
      WAKE_AND_TURN_MS,
    );
    expect(stored.text.length).toBeGreaterThan(4096);

    // The chat ends up showing exactly the stored reply, in two messages, after the status messages.
    const replyShown = await eventually(
      "the final edit",
      () => {
        const shown = fake.visibleTexts(CHAT).slice(2); // "Paired…", "Waking up the agent…"
        return shown.join("") === stored.text ? shown : undefined;
      },
      30_000,
    );
    expect(replyShown).toHaveLength(2);
    for (const text of replyShown) expect(text.length).toBeLessThanOrEqual(4096);

    const replyCalls = fake.calls.filter(
      (c) => (c.method === "sendMessage" || c.method === "editMessageText") && c.params.chat_id === CHAT,
    );
    const waking = replyCalls.findIndex((c) => c.params.text === WAKING_MESSAGE);
    expect(waking).toBeGreaterThan(0);
    // Streamed: the first text was sent and then edited, not sent once at the end.
    expect(fake.callsOf("editMessageText").length).toBeGreaterThan(0);
    expect(fake.callsOf("sendChatAction").some((c) => c.params.action === "typing")).toBe(true);
    expect(llm.chatRequests().some((r) => r.userText.includes("tell me a long story"))).toBe(true);
  }, 600_000);
});
