import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PairingCode, WAKING_MESSAGE } from "@serverless-openclaw/shared";
import {
  BOT_INFO,
  BOT_TOKEN,
  FakeBotApi,
  type FakeLlm,
  type ManagedProcess,
  startFakeLlm,
  startProcess,
  textUpdate,
  until,
} from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRepoRoot } from "../../src/support/repo-paths";
import { webLogin } from "../support/web-login";

/**
 * The whole Telegram path on one machine, started the way a user starts it: `npm start`'s command
 * (cli.ts) with TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT in its environment, nothing set on the agent
 * by the test. Long polling → pairing → a message while the agent is idle → "Waking up the agent…" →
 * the real container task with real OpenClaw and a fake LLM → the reply streamed into the chat by
 * editing, split at 4096, through the gateway's chat relay at the same Bot API root. Telegram is the fake Bot API on loopback,
 * which holds idle polls for their full timeout as Telegram does. Bounds are generous (OpenClaw boots
 * slowly on a shared CPU) and never asserted as timings.
 */
const WAKE_AND_TURN_MS = 360_000;
const CHAT = 60_606;
const USER = "tg-e2e";
const PASSWORD = "Telegram-e2e-9";

let llm: FakeLlm;
let fake: FakeBotApi;
let cli: ManagedProcess;
let dataDir: string;
let url: string;
const tail = () => `Last output:\n${cli?.tail(80)}`;

const eventually = <T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms: number,
) => until(what, check, { timeoutMs: ms, intervalMs: 100, explain: tail });

beforeAll(async () => {
  llm = await startFakeLlm();
  fake = await new FakeBotApi().start();
  dataDir = await mkdtemp(join(tmpdir(), "telegram-e2e-"));
  const root = findRepoRoot();
  cli = startProcess({
    name: "npm start",
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      join(root, "packages/local/src/cli.ts"),
      ...["--port", "0", "--data-dir", dataDir, "--log-level", "debug"],
      ...["--llm-base-url", llm.baseUrl, "--llm-model", llm.model],
    ],
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dataDir,
      LOCAL_USER: USER,
      LOCAL_PASSWORD: PASSWORD,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
    },
  });
  url = await eventually(
    "local mode's banner",
    () => /Open {4}(http:\/\/127\.0\.0\.1:\d+)/.exec(cli.logs())?.[1],
    120_000,
  );
}, 180_000);

afterAll(async () => {
  // SIGTERM: the CLI stops its agents (they back their state up) before it exits.
  await cli?.stop({ graceMs: 90_000 });
  await fake?.stop();
  await llm?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 180_000);

describe("Telegram in local mode through `npm start` (real container and OpenClaw, fake LLM, fake Bot API)", () => {
  it("names the bot, pairs, wakes the agent and streams its reply through TELEGRAM_API_ROOT", async () => {
    const { idToken: token, config } = await webLogin(url, USER, PASSWORD);
    expect(config.telegramBotUsername).toBe(BOT_INFO.username);
    const res = await fetch(`${config.apiUrl}/channels/telegram/pairing-code`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(201);
    const code = (await res.json()) as PairingCode;

    // The deep link only asks (naming the web account); its button sends /pair CODE, which pairs.
    fake.pushUpdate(textUpdate(`/start ${code.code}`, CHAT));
    await eventually("the pairing question", () => fake.sentTexts(CHAT).length >= 1, 60_000);
    expect(fake.sentTexts(CHAT)[0]).toContain(`/pair ${code.code}`);
    fake.pushUpdate(textUpdate(`/pair ${code.code}`, CHAT));
    await eventually("the pairing reply", () => fake.sentTexts(CHAT).length >= 2, 60_000);
    expect(fake.sentTexts(CHAT)[1]).toMatch(/^Paired with the web account “.+”/);

    const question = textUpdate("[slow:10][long:6000] tell me a long story", CHAT);
    fake.pushUpdate(question);
    await eventually("the waking message", () => fake.sentTexts(CHAT).includes(WAKING_MESSAGE), 60_000);

    const api = async <T>(path: string): Promise<T> => {
      const r = await fetch(`${config.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      return (await r.json()) as T;
    };
    const stored = await eventually(
      "the turn in the web history",
      async () => {
        const { conversations } = await api<{
          conversations: Array<{ conversationId: string; channel?: string }>;
        }>("/conversations");
        const telegram = conversations.find((c) => c.channel === "telegram");
        if (!telegram) return undefined;
        const { messages } = await api<{ messages: Array<{ role: string; text: string }> }>(
          `/conversations/${telegram.conversationId}/messages`,
        );
        return messages.find((m) => m.role === "assistant");
      },
      WAKE_AND_TURN_MS,
    );
    expect(stored.text.length).toBeGreaterThan(4096);

    // The agent task holds no bot token: its reply goes through the local server's chat relay, which
    // reaches this fake only if npm start handed TELEGRAM_API_ROOT to the relay. The chat ends up showing
    // exactly the stored reply, in two messages, after the status messages.
    const replyShown = await eventually(
      "the reply in the chat",
      () => {
        const shown = fake.visibleTexts(CHAT).slice(3); // "This link pairs…", "Paired…", "Waking up…"
        return shown.join("") === stored.text ? shown : undefined;
      },
      60_000,
    );
    expect(replyShown).toHaveLength(2);
    for (const text of replyShown) expect(text.length).toBeLessThanOrEqual(4096);

    // Streamed: the first text was sent and then edited, not sent once at the end.
    expect(fake.callsOf("editMessageText").length).toBeGreaterThan(0);
    expect(fake.callsOf("sendChatAction").some((c) => c.params.action === "typing")).toBe(true);
    expect(llm.chatRequests().some((r) => r.userText.includes("tell me a long story"))).toBe(true);
    // Idle polls were held by the fake and waited out: no poll failed while the agent worked.
    expect(cli.logs()).not.toContain("getUpdates failed");
    expect(fake.polls.filter((p) => p.outcome === "conflict" || p.outcome === "gone")).toEqual([]);
  }, 600_000);
});
