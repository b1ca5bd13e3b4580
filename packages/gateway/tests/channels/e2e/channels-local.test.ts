import { createHmac, generateKeyPairSync, sign } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsoleLogger } from "@serverless-openclaw/local/local-logger";
import { createLocalStack, type LocalStack } from "@serverless-openclaw/local/local-stack";
import { type PairingCode, WAKING_MESSAGE } from "@serverless-openclaw/shared";
import { type FakeLlm, startFakeLlm, until } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeChatApis } from "../fake-chat-apis";
import { askInteraction, DISCORD_APP_ID, SLACK_BOT_TOKEN, slackCommand, slackDm } from "../harness";

/**
 * Discord and Slack on one machine, with one agent boot: local mode serves the interactions and events
 * endpoints; a Discord /ask and a Slack DM sent while the agent sleeps wake it (once), the real container
 * task runs real OpenClaw against a fake LLM, and each reply arrives exactly once at its fake platform
 * API on loopback (edited into Discord's original response; posted and updated in the Slack DM).
 * Bounds are generous (OpenClaw boots slowly on a shared CPU) and never asserted as timings.
 */
const WAKE_AND_TURN_MS = 360_000;
const SLACK_SECRET = "e2e-signing-secret-0123456789abcdef";
const DISCORD_USER = "1000000000000000101";
const SLACK_USER = "U0E2E0001";

let llm: FakeLlm;
let apis: FakeChatApis;
let stack: LocalStack;
let dataDir: string;
const keys = generateKeyPairSync("ed25519");
const publicHex = keys.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
const logs: string[] = [];
const tail = () => `Last log lines:\n${logs.slice(-60).join("\n")}`;

/** Waits for `check` (testkit's until), with the last log lines in the error. */
const eventually = <T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms: number,
) => until(what, check, { timeoutMs: ms, intervalMs: 100, explain: tail });

async function discord(body: unknown): Promise<{ type: number; data?: { content?: string } }> {
  const text = JSON.stringify(body);
  const ts = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${stack.apiUrl}/discord/interactions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-signature-ed25519": sign(null, Buffer.from(ts + text), keys.privateKey).toString("hex"),
      "x-signature-timestamp": ts,
    },
    body: text,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { type: number; data?: { content?: string } };
}

async function slack(path: "events" | "commands", body: string): Promise<Response> {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${ts}:${body}`).digest("hex")}`;
  return fetch(`${stack.apiUrl}/slack/${path}`, {
    method: "POST",
    headers: {
      "content-type": path === "events" ? "application/json" : "application/x-www-form-urlencoded",
      "x-slack-signature": signature,
      "x-slack-request-timestamp": ts,
    },
    body,
  });
}

beforeAll(async () => {
  llm = await startFakeLlm();
  apis = await new FakeChatApis().start();
  dataDir = await mkdtemp(join(tmpdir(), "channels-e2e-"));
  stack = await createLocalStack({
    port: 0,
    dataDir,
    llmBaseUrl: llm.baseUrl,
    llmModel: llm.model,
    logger: createConsoleLogger({ level: "debug", write: (line) => void logs.push(line) }),
    print: () => {},
    env: {
      DISCORD_PUBLIC_KEY: publicHex,
      DISCORD_APPLICATION_ID: DISCORD_APP_ID,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN,
      SLACK_API_BASE_URL: apis.slackBase,
      // The gateway's chat relay sends the agent's bot messages; the agent calls only the interaction webhooks.
      DISCORD_API_BASE_URL: apis.discordBase,
    },
    agentEnv: { DISCORD_API_BASE_URL: apis.discordBase },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await apis?.stop();
  await llm?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("Discord and Slack in local mode, end to end (real container and OpenClaw, fake LLM, fake APIs)", () => {
  it("pairs both, wakes the agent once, and each reply arrives exactly once", async () => {
    const { username, password } = stack.initialLogin;
    const auth = await stack.login(username, password as string);
    const code = async (channel: string) => {
      const res = await fetch(`${stack.apiUrl}/channels/${channel}/pairing-code`, {
        method: "POST",
        headers: { authorization: `Bearer ${auth.IdToken}` },
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as PairingCode).code;
    };

    const paired = await discord(askInteraction(DISCORD_USER, await code("discord"), "pair", "code"));
    expect(paired.data?.content).toMatch(
      /^Paired with the web account|is already paired with the web account/,
    );
    const slackPaired = await slack("commands", slackCommand(SLACK_USER, `pair ${await code("slack")}`));
    expect(((await slackPaired.json()) as { text: string }).text).toMatch(
      /^Paired with the web account|is already paired with the web account/,
    );

    // Both arrive while the agent sleeps: one start serves both.
    const ask = askInteraction(DISCORD_USER, "hello from discord");
    const asked = await discord(ask);
    expect(asked).toMatchObject({ type: 4, data: { content: WAKING_MESSAGE } });
    const dm = slackDm(SLACK_USER, "hello from slack");
    expect((await slack("events", JSON.stringify(dm))).status).toBe(200);

    const userId = stack.identity.users.get(username)?.sub ?? "";
    const replyOf = (channel: "discord" | "slack") =>
      eventually(
        `the stored ${channel} turn`,
        async () => {
          const metas = await stack.stores.conversations.listMeta(userId);
          const meta = metas.find((m) => m.channel === channel);
          if (!meta) return undefined;
          const page = await stack.stores.conversations.page(userId, meta.conversationId, { limit: 10 });
          return page.messages.find((m) => m.role === "assistant");
        },
        WAKE_AND_TURN_MS,
      );
    const discordReply = await replyOf("discord");
    const slackReply = await replyOf("slack");

    // Discord: the "Waking up…" response was edited into the reply; nothing else was posted.
    await eventually(
      "the Discord reply",
      () => apis.discordTexts(ask.token).join("") === discordReply.text || undefined,
      30_000,
    );
    expect(apis.discordTexts(ask.token)).toEqual([discordReply.text]);
    expect(apis.calls.filter((c) => c.platform === "discord" && c.method === "POST")).toEqual([]);

    // Slack: the waking notice, then exactly one reply message, updated to the stored text.
    await eventually(
      "the Slack reply",
      () => apis.slackTexts("D0001").at(-1) === slackReply.text || undefined,
      30_000,
    );
    expect(apis.slackTexts("D0001")).toEqual([WAKING_MESSAGE, slackReply.text]);
    const questions = llm.chatRequests().filter((r) => /hello from (discord|slack)/.test(r.userText));
    expect(questions.length).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
