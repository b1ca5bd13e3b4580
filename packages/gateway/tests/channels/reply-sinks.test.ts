import { DiscordReplySink, SlackReplySink } from "@serverless-openclaw/container/sinks";
import type { PendingMessage, ReplyTarget } from "@serverless-openclaw/shared";
import { SECRET_NAMES } from "@serverless-openclaw/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { MemorySecretStore } from "../../src/adapters/local/memory-secret-store";
import { registerDiscordCommands } from "../../src/channels/discord-commands";
import { SLACK_MAX_CHARS, SlackWeb } from "../../src/channels/slack-api";
import { FakeChatApis } from "./fake-chat-apis";
import { DISCORD_APP_ID, SLACK_BOT_TOKEN } from "./harness";
import { inProcessRelay, pendingFor } from "./relay-harness";

/** The user's pending messages, as the relay looks them up. */
const queued: PendingMessage[] = [];
function message(replyTo: ReplyTarget): PendingMessage {
  const m = pendingFor(replyTo);
  queued.push(m);
  return m;
}
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Discord and Slack reply sinks", () => {
  let apis: FakeChatApis;
  let secrets: MemorySecretStore;
  beforeAll(async () => {
    apis = await new FakeChatApis().start();
  });
  afterAll(async () => apis?.stop());
  beforeEach(async () => {
    apis.reset();
    secrets = new MemorySecretStore();
    await secrets.put(SECRET_NAMES.slackBotToken, SLACK_BOT_TOKEN);
  });
  /** The relay as the task reaches it; the bot tokens stay in the gateway's secrets. */
  const relay = () =>
    inProcessRelay({ secrets, queued, discordApiBaseUrl: apis.discordBase, slackApiBaseUrl: apis.slackBase });

  const discordTarget = (token: string): ReplyTarget => ({
    channel: "discord",
    applicationId: DISCORD_APP_ID,
    interactionToken: token,
    channelId: "1300000000000000001",
  });

  it("Discord: edits the original response as the reply grows and ends on the final text", async () => {
    const sink = new DiscordReplySink({
      relay: relay(),
      logger,
      baseUrl: apis.discordBase,
      minEditIntervalMs: 100,
    });
    const m = message(discordTarget("tok-stream"));
    await sink.started(m);
    await sink.delta(m, "Hello", 0, "Hello");
    await sleep(50);
    await sink.delta(m, ", world", 1, "Hello, world");
    await sleep(200);
    await sink.final(m, "Hello, world!", "msg-1", "2026-11-25T12:00:01.000Z");
    expect(apis.discordTexts("tok-stream")).toEqual(["Hello, world!"]);
    const patches = apis.calls.filter((c) => c.path.endsWith("/messages/@original"));
    expect(patches.length).toBeGreaterThanOrEqual(2);
    expect(patches[0]?.body).toMatchObject({ content: "Hello", allowed_mentions: { parse: [] } });
    // A late delta after the final opens nothing new.
    await sink.delta(m, "x", 2, "Hello, world!x");
    await sleep(150);
    expect(apis.discordTexts("tok-stream")).toEqual(["Hello, world!"]);
  });

  it("Discord: splits a long reply at 2000 characters into follow-ups, and waits out a 429", async () => {
    const sink = new DiscordReplySink({
      relay: relay(),
      logger,
      baseUrl: apis.discordBase,
      minEditIntervalMs: 10,
    });
    const m = message(discordTarget("tok-long"));
    const text = Array.from({ length: 90 }, (_, i) => `line ${i} ${"word ".repeat(10)}`).join("\n");
    apis.rateLimitNext("discord", 0.2);
    await sink.final(m, text, "msg-2", "2026-11-25T12:00:01.000Z");
    const shown = apis.discordTexts("tok-long");
    expect(shown.length).toBe(Math.ceil(text.length / 2000));
    for (const piece of shown) expect(piece.length).toBeLessThanOrEqual(2000);
    expect(shown.join("")).toBe(text);
    expect(
      apis.calls.filter((c) => c.method === "POST" && c.path === `/webhooks/${DISCORD_APP_ID}/tok-long`),
    ).toHaveLength(shown.length - 1);
  });

  it("Discord: after the interaction token expired, replies in the channel with the bot token", async () => {
    await secrets.put(SECRET_NAMES.discordBotToken, "bot-token-1");
    const sink = new DiscordReplySink({
      relay: relay(),
      logger,
      baseUrl: apis.discordBase,
      minEditIntervalMs: 10,
    });
    apis.expiredTokens.add("tok-old");
    await sink.final(message(discordTarget("tok-old")), "late answer", "msg-3", "2026-11-25T12:00:01.000Z");
    expect(apis.slackTexts("channel:1300000000000000001")).toEqual(["late answer"]);
    expect(apis.calls.at(-1)?.authorization).toBe("Bot bot-token-1");
  });

  it("Slack: posts one message, updates it as the reply grows, splits long replies in the thread", async () => {
    const sink = new SlackReplySink({ relay: relay(), logger, minEditIntervalMs: 100 });
    const m = message({ channel: "slack", channelId: "C0001", threadTs: "1790000001.000100" });
    await sink.started(m);
    await sink.delta(m, "Hi", 0, "Hi");
    await sleep(50);
    await sink.delta(m, " there", 1, "Hi there");
    await sleep(200);
    await sink.final(m, "Hi there.", "msg-4", "2026-11-25T12:00:01.000Z");
    expect(apis.slackTexts("C0001")).toEqual(["Hi there."]);
    expect(apis.calls.filter((c) => c.path === "/chat.postMessage")).toHaveLength(1);
    expect(apis.calls[0]?.body).toMatchObject({ thread_ts: "1790000001.000100" });
    expect(apis.calls.filter((c) => c.path === "/chat.update").length).toBeGreaterThanOrEqual(1);

    apis.reset();
    apis.rateLimitNext("slack", 0.1);
    const long = "x".repeat(9000);
    await sink.final(
      message({ channel: "slack", channelId: "D0002" }),
      long,
      "msg-5",
      "2026-11-25T12:00:01.000Z",
    );
    expect(apis.slackTexts("D0002").join("")).toBe(long);
    expect(apis.slackTexts("D0002")).toHaveLength(3);
  });

  it("Slack: the agent's text goes out escaped: no @channel ping, no disguised link, pieces within the limit", async () => {
    const sink = new SlackReplySink({ relay: relay(), logger, minEditIntervalMs: 10 });
    const hostile = "<!channel> <!here> see <https://evil.example|https://bank.example> & <@U0ADMIN>";
    await sink.final(
      message({ channel: "slack", channelId: "C0009" }),
      hostile,
      "m-e",
      "2026-11-25T12:00:01.000Z",
    );
    const [wire] = apis.slackTexts("C0009");
    expect(wire).toBe(
      "&lt;!channel&gt; &lt;!here&gt; see &lt;https://evil.example|https://bank.example&gt; &amp; &lt;@U0ADMIN&gt;",
    );

    // Escaping makes `&` five characters on the wire: a reply of them still fits Slack's limit.
    const amps = "&".repeat(SLACK_MAX_CHARS);
    await sink.final(
      message({ channel: "slack", channelId: "C0010" }),
      amps,
      "m-f",
      "2026-11-25T12:00:01.000Z",
    );
    const pieces = apis.slackTexts("C0010");
    expect(pieces).toHaveLength(5);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(SLACK_MAX_CHARS);
    expect(pieces.join("")).toBe("&amp;".repeat(SLACK_MAX_CHARS));
  });

  it("shows tool calls as compact lines edited into the reply, never as messages of their own, and ends on the plain text", async () => {
    const sink = new SlackReplySink({ relay: relay(), logger, minEditIntervalMs: 50 });
    const m = message({ channel: "slack", channelId: "C0019" });
    await sink.started(m);
    await sink.delta(m, "Let me look.", 0, "Let me look.");
    const call = {
      id: "call_1",
      name: "exec",
      summary: "ls -la `x`",
      status: "running" as const,
      startedAt: "2026-11-25T12:00:00.500Z",
      at: 12,
    };
    await sink.activity(m, call);
    // The edit goes out after the sink's edit interval: wait for it, however busy the machine is.
    await vi.waitFor(
      () => expect(apis.slackTexts("C0019")).toEqual(["Let me look.\n\n⚙ exec `ls -la 'x'` …"]),
      { timeout: 15_000, interval: 20 },
    );
    for (let i = 0; i < 5; i++)
      await sink.activity(m, {
        ...call,
        id: `call_${i + 2}`,
        summary: `echo ${i}`,
        status: "done",
        durationMs: 5,
      });
    await sink.activity(m, { ...call, status: "failed", durationMs: 20 });
    // Only the latest three calls show, in the one message being edited.
    await vi.waitFor(
      () =>
        expect(apis.slackTexts("C0019")).toEqual([
          "Let me look.\n\n⚙ exec `echo 2` ✓\n⚙ exec `echo 3` ✓\n⚙ exec `echo 4` ✓",
        ]),
      { timeout: 15_000, interval: 20 },
    );
    await sink.final(m, "Let me look. Done.", "msg-9", "2026-11-25T12:00:01.000Z");
    expect(apis.slackTexts("C0019")).toEqual(["Let me look. Done."]);
    expect(apis.calls.filter((c) => c.path === "/chat.postMessage")).toHaveLength(1);
  });

  it("Slack: an error replaces the conversation's status message", async () => {
    const sink = new SlackReplySink({ relay: relay(), logger, minEditIntervalMs: 10 });
    const web = new SlackWeb({ token: SLACK_BOT_TOKEN, baseUrl: apis.slackBase });
    const status = await web.postMessage({ channel: "D0003", text: "Waking up the agent…" });
    const m = message({ channel: "slack", channelId: "D0003", messageTs: status });
    await sink.error(m, "LLM_ERROR", "The model provider refused the request.", false);
    expect(apis.slackTexts("D0003")).toEqual(["⚠️ The model provider refused the request."]);
  });

  it("registers /ask and every channel command with one bulk PUT", async () => {
    const names = await registerDiscordCommands({
      applicationId: DISCORD_APP_ID,
      botToken: "bot-token-1",
      baseUrl: apis.discordBase,
    });
    expect(names).toEqual([
      "ask",
      "new",
      "status",
      "stop",
      "schedule",
      "schedules",
      "pair",
      "unpair",
      "help",
    ]);
    expect(apis.registered.map((c) => c.name)).toEqual(names);
    expect(apis.registered.find((c) => c.name === "pair")).toMatchObject({
      options: [{ name: "code", type: 3, required: true }],
    });
    await expect(
      registerDiscordCommands({ applicationId: DISCORD_APP_ID, baseUrl: apis.discordBase }),
    ).rejects.toThrow(/bot token/);
  });

  it("sinks ignore messages of other channels", async () => {
    const d = new DiscordReplySink({ relay: relay(), logger, baseUrl: apis.discordBase });
    const s = new SlackReplySink({ relay: relay(), logger });
    const web = message({ channel: "web" });
    await d.final(web, "x", "m", "2026-11-25T12:00:01.000Z");
    await s.final(web, "x", "m", "2026-11-25T12:00:01.000Z");
    expect(apis.calls).toEqual([]);
  });
});
