import type { PendingMessage, RelayHandle, RelayResult, ReplyTarget } from "@serverless-openclaw/shared";
import { SECRET_NAMES } from "@serverless-openclaw/shared";
import { BOT_TOKEN, FakeBotApi } from "@serverless-openclaw/testkit/fake-bot-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MemorySecretStore } from "../../src/adapters/local/memory-secret-store";
import { ChatRelayError } from "../../src/services/chat-relay";
import { FakeChatApis } from "./fake-chat-apis";
import { SLACK_BOT_TOKEN } from "./harness";
import { inProcessRelay, pendingFor } from "./relay-harness";

const pending = (userId: string, replyTo: ReplyTarget): PendingMessage => pendingFor(replyTo, { userId });

function handle(result: RelayResult): RelayHandle {
  if (!result.message) throw new Error("a send answered without the message");
  return result.message;
}

async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChatRelayError);
  return (error as ChatRelayError).failure.code;
}

describe("chat relay (the gateway sends a task's bot replies)", () => {
  let telegram: FakeBotApi;
  let apis: FakeChatApis;
  const secrets = new MemorySecretStore();
  const queued: PendingMessage[] = [];
  // Alice's relay: the scope the gateway bound her agent link to.
  const alice = () =>
    inProcessRelay({
      secrets,
      queued,
      userId: "alice",
      telegramApiRoot: telegram.apiRoot,
      discordApiBaseUrl: apis.discordBase,
      slackApiBaseUrl: apis.slackBase,
    });
  const ALICE_CHAT = 1001;
  const BOB_CHAT = 2002;

  beforeAll(async () => {
    telegram = await new FakeBotApi().start();
    apis = await new FakeChatApis().start();
    await secrets.put(SECRET_NAMES.telegramBotToken, BOT_TOKEN);
    await secrets.put(SECRET_NAMES.slackBotToken, SLACK_BOT_TOKEN);
    await secrets.put(SECRET_NAMES.discordBotToken, "bot-token-1");
  });
  afterAll(async () => {
    await telegram?.stop();
    await apis?.stop();
  });
  beforeEach(() => {
    queued.length = 0;
    telegram.calls.length = 0;
    apis.reset();
  });

  it("sends to the chat of the user's own pending message, whatever else the task knows", async () => {
    const mine = pending("alice", { channel: "telegram", chatId: ALICE_CHAT });
    queued.push(mine);
    const sent = await alice().call(mine.id, { op: "telegram.send", text: "hello", html: false });
    expect(sent.message?.id).toBeTruthy();
    await alice().call(mine.id, { op: "telegram.edit", message: handle(sent), text: "hello!", html: false });
    await alice().call(mine.id, { op: "telegram.typing" });
    expect(telegram.calls.map((c) => (c.params as { chat_id: number }).chat_id)).toEqual([
      ALICE_CHAT,
      ALICE_CHAT,
      ALICE_CHAT,
    ]);
    expect(telegram.visibleTexts(ALICE_CHAT)).toEqual(["hello!"]);
  });

  it("refuses another user's pending message, an unknown one, and one no longer pending", async () => {
    const bobs = pending("bob", { channel: "telegram", chatId: BOB_CHAT });
    const gone = pending("alice", { channel: "telegram", chatId: ALICE_CHAT });
    queued.push(bobs);
    expect(await refusal(alice().call(bobs.id, { op: "telegram.send", text: "pwned", html: false }))).toBe(
      "NOT_PENDING",
    );
    expect(await refusal(alice().call("made-up", { op: "telegram.typing" }))).toBe("NOT_PENDING");
    expect(await refusal(alice().call(gone.id, { op: "telegram.send", text: "late", html: false }))).toBe(
      "NOT_PENDING",
    );
    expect(telegram.calls).toEqual([]);
  });

  it("edits only messages it sent for this very pending message (no forged or borrowed handles)", async () => {
    const first = pending("alice", { channel: "telegram", chatId: ALICE_CHAT });
    const second = pending("alice", { channel: "telegram", chatId: ALICE_CHAT });
    queued.push(first, second);
    const sent = await alice().call(first.id, { op: "telegram.send", text: "one", html: false });
    const own = handle(sent);
    const forged = { id: String(Number(own.id) + 1), proof: own.proof };
    expect(
      await refusal(alice().call(first.id, { op: "telegram.edit", message: forged, text: "x", html: false })),
    ).toBe("NOT_YOURS");
    // The same handle under another pending message (even the user's own) is not valid either.
    expect(
      await refusal(alice().call(second.id, { op: "telegram.edit", message: own, text: "x", html: false })),
    ).toBe("NOT_YOURS");
    expect(telegram.visibleTexts(ALICE_CHAT).at(-1)).toBe("one");
    expect(telegram.visibleTexts(ALICE_CHAT)).not.toContain("x");
  });

  it("refuses a call for another platform than the message came from", async () => {
    const mine = pending("alice", { channel: "telegram", chatId: ALICE_CHAT });
    queued.push(mine);
    expect(await refusal(alice().call(mine.id, { op: "slack.send", text: "x", first: false }))).toBe(
      "WRONG_CHANNEL",
    );
    expect(apis.calls).toEqual([]);
  });

  it("Slack and Discord go to the message's own channel and thread; a platform error comes back as such", async () => {
    const slack = pending("alice", { channel: "slack", channelId: "C0042", threadTs: "1790000001.000100" });
    const discord = pending("alice", {
      channel: "discord",
      applicationId: "123",
      interactionToken: "tok",
      channelId: "1300000000000000009",
    });
    queued.push(slack, discord);
    const posted = await alice().call(slack.id, { op: "slack.send", text: "hi <!channel>", first: true });
    await alice().call(slack.id, { op: "slack.edit", message: handle(posted), text: "hi all" });
    expect(apis.slackTexts("C0042")).toEqual(["hi all"]);
    await alice().call(discord.id, { op: "discord.send", text: "from the bot" });
    expect(apis.slackTexts("channel:1300000000000000009")).toEqual(["from the bot"]);
    expect(apis.calls.at(-1)?.authorization).toBe("Bot bot-token-1");

    telegram.failNext("sendMessage", { error_code: 400, description: "Bad Request: can't parse entities" });
    const tg = pending("alice", { channel: "telegram", chatId: ALICE_CHAT });
    queued.push(tg);
    const error = await alice()
      .call(tg.id, { op: "telegram.send", text: "<b>", html: true })
      .catch((e: unknown) => e);
    expect((error as ChatRelayError).failure).toMatchObject({
      code: "PLATFORM_ERROR",
      status: 400,
      description: "Bad Request: can't parse entities",
    });
    expect(JSON.stringify((error as ChatRelayError).failure)).not.toContain(BOT_TOKEN);
  });
});
