import { KEYS, LIMITS, WAKING_MESSAGE } from "@serverless-openclaw/shared";
import { BOT_INFO } from "@serverless-openclaw/testkit/fake-bot-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TELEGRAM_TEXT } from "../../src/channels/telegram-messages";
import {
  startTelegramHarness,
  type TelegramHarness,
  telegramEvent,
  textUpdate,
  WEBHOOK_SECRET,
} from "./telegram-harness";

const USER = "6f1c2d3e-0000-4000-8000-00000000a11c";

describe("Telegram webhook", () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await startTelegramHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  const pendingOf = (userId = USER) => h.stores.pending.list(userId);
  const pair = async (telegramUserId = 4242) => {
    const { code } = await h.pairing.createCode(USER);
    expect((await h.post(textUpdate(`/pair ${code}`, telegramUserId))).statusCode).toBe(200);
    h.writes.length = 0;
    h.fake.calls.length = 0;
  };

  describe("secret token", () => {
    for (const [name, secret] of [
      ["missing", null],
      ["forged (same length)", WEBHOOK_SECRET.replace(/.$/, "X")],
      ["forged (other length)", "nope"],
      ["empty", ""],
    ] as const) {
      it(`rejects a ${name} secret with 401 and no store write or Bot API call`, async () => {
        const res = await h.post(textUpdate("hello"), secret);
        expect(res.statusCode).toBe(401);
        expect(JSON.parse(res.body ?? "{}").error.code).toBe("TELEGRAM_SECRET_INVALID");
        expect(h.writes).toEqual([]);
        expect(h.fake.calls).toEqual([]);
        expect(h.runner.starts).toEqual([]);
      });
    }

    it("accepts the header in any letter case", async () => {
      const event = telegramEvent(textUpdate("/help"), null);
      event.headers = { "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET };
      expect((await h.handler(event)).statusCode).toBe(200);
      expect(h.fake.callsOf("sendMessage")).toHaveLength(1);
    });

    it("answers 401 when no webhook secret is stored at all", async () => {
      const fresh = await startTelegramHarness();
      await fresh.stores.secrets.delete("telegram/webhook-secret");
      expect((await fresh.post(textUpdate("hi"), "")).statusCode).toBe(401);
      expect(fresh.writes).toEqual([]);
      await fresh.stop();
    });
  });

  it("refuses an unpaired user with one short explanation, starting nothing", async () => {
    const res = await h.post(textUpdate("please do my taxes", 777));
    expect(res.statusCode).toBe(200);
    expect(h.fake.sentTexts(777)).toEqual([TELEGRAM_TEXT.notPaired]);
    expect(h.runner.starts).toEqual([]);
    expect(await h.pairing.lookup("777")).toBeUndefined();
    // The only write is the update's dedupe marker: no pending message, no task state, no conversation.
    expect(h.writes).toEqual(["settings.putIfAbsent"]);
    for (const command of ["/status", "/stop", "/new", "/unpair"]) {
      await h.post(textUpdate(command, 777));
    }
    expect(h.runner.starts).toEqual([]);
    expect(h.fake.sentTexts(777).slice(1)).toEqual(Array(4).fill(TELEGRAM_TEXT.notPaired));
    expect(h.writes.every((w) => w === "settings.putIfAbsent")).toBe(true);
  });

  it("pairs with /pair CODE, then routes text to the agent and says it is waking", async () => {
    const code = await h.pairing.createCode(USER);
    expect(code.code).toMatch(new RegExp(`^[A-HJKMNP-Z2-9]{${LIMITS.pairingCodeLength}}$`));
    expect(code.deepLink).toBe(`https://t.me/${BOT_INFO.username}?start=${code.code}`);

    await h.post(textUpdate(`/pair ${code.code.toLowerCase()}`, 4242));
    expect(h.fake.sentTexts(4242)).toEqual([TELEGRAM_TEXT.paired(undefined)]);
    expect(await h.pairing.lookup("4242")).toBe(USER);
    expect(await h.pairing.list(USER)).toEqual([
      expect.objectContaining({ channel: "telegram", externalUserId: "4242", userId: USER, username: "ada" }),
    ]);

    const update = textUpdate("What's the weather?", 4242);
    expect((await h.post(update)).statusCode).toBe(200);
    expect(h.runner.starts).toHaveLength(1);
    expect(h.runner.starts[0]?.userId).toBe(USER);
    const pending = await pendingOf();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      clientMessageId: `tg-${update.update_id}`,
      text: "What's the weather?",
      channel: "telegram",
      replyTo: { channel: "telegram", chatId: 4242, messageId: update.message.message_id },
    });
    expect(h.fake.sentTexts(4242).at(-1)).toBe(WAKING_MESSAGE);
    // The conversation shows in the web history as a Telegram conversation.
    const metas = await h.stores.conversations.listMeta(USER);
    expect(metas).toEqual([
      expect.objectContaining({ conversationId: pending[0]?.conversationId, channel: "telegram" }),
    ]);
  });

  it("the deep link /start CODE pairs nothing: it names the web account and offers /pair CODE", async () => {
    const { code } = await h.pairing.createCode(USER, "ada@example.com");
    await h.post(textUpdate(`/start ${code}`, 5151));
    expect(await h.pairing.lookup("5151")).toBeUndefined();
    const [asked] = h.fake.callsOf("sendMessage");
    expect(asked?.params.text).toBe(TELEGRAM_TEXT.confirmPair("ada@example.com", `/pair ${code}`));
    expect(asked?.params.text).toContain("“ada@example.com”");
    expect(asked?.params.reply_markup).toEqual({
      keyboard: [[{ text: `/pair ${code}` }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
    // Tapping the button sends the command: now it pairs, says with whom, and removes the keyboard.
    await h.post(textUpdate(`/pair ${code}`, 5151));
    expect(await h.pairing.lookup("5151")).toBe(USER);
    const paired = h.fake.callsOf("sendMessage").at(-1);
    expect(paired?.params.text).toBe(TELEGRAM_TEXT.paired("ada@example.com"));
    expect(paired?.params.reply_markup).toEqual({ remove_keyboard: true });
  });

  it("refuses an expired code", async () => {
    const { code } = await h.pairing.createCode(USER);
    h.clock.advance(LIMITS.pairingCodeTtlSeconds * 1000 + 1000);
    await h.post(textUpdate(`/pair ${code}`, 4242));
    expect(h.fake.sentTexts(4242)).toEqual([TELEGRAM_TEXT.pairUnknown]);
    expect(await h.pairing.lookup("4242")).toBeUndefined();
  });

  it("refuses a code that was already used, and a code replaced by a newer one", async () => {
    const first = await h.pairing.createCode(USER);
    await h.post(textUpdate(`/pair ${first.code}`, 4242));
    await h.post(textUpdate(`/pair ${first.code}`, 9999));
    expect(h.fake.sentTexts(9999)).toEqual([TELEGRAM_TEXT.pairUnknown]);
    expect(await h.pairing.lookup("9999")).toBeUndefined();

    const older = await h.pairing.createCode(USER);
    await h.pairing.createCode(USER);
    await h.post(textUpdate(`/pair ${older.code}`, 9999));
    expect(await h.pairing.lookup("9999")).toBeUndefined();
  });

  it("explains malformed codes and a bare /pair", async () => {
    await h.post(textUpdate("/pair", 4242));
    await h.post(textUpdate("/pair 0OIL", 4242));
    expect(h.fake.sentTexts(4242)).toEqual([TELEGRAM_TEXT.pairUsage, TELEGRAM_TEXT.pairMalformed]);
  });

  it("handles a retried update once", async () => {
    await pair();
    const update = textUpdate("hello once", 4242);
    for (let i = 0; i < 3; i++) expect((await h.post(update)).statusCode).toBe(200);
    expect(h.runner.starts).toHaveLength(1);
    expect(await pendingOf()).toHaveLength(1);
    expect(h.fake.sentTexts(4242)).toEqual([WAKING_MESSAGE]);
  });

  it("releases the update when the Bot API fails, so Telegram's retry is handled", async () => {
    h.fake.failNext("sendMessage", { error_code: 500, description: "Internal Server Error" });
    const update = textUpdate("hi", 31337);
    expect((await h.post(update)).statusCode).toBe(500);
    expect((await h.post(update)).statusCode).toBe(200);
    expect(h.fake.sentTexts(31337)).toEqual([TELEGRAM_TEXT.notPaired, TELEGRAM_TEXT.notPaired]);
    expect((await h.post(update)).statusCode).toBe(200);
    expect(h.fake.callsOf("sendMessage")).toHaveLength(2);
  });

  it("/new starts a new conversation; later messages go there", async () => {
    await pair();
    await h.post(textUpdate("first", 4242));
    await h.post(textUpdate("/new", 4242));
    await h.post(textUpdate("second", 4242));
    const [a, b] = await pendingOf();
    expect(a?.conversationId).toMatch(/^tg-/);
    expect(b?.conversationId).toMatch(/^tg-/);
    expect(a?.conversationId).not.toBe(b?.conversationId);
    expect(h.fake.sentTexts(4242)).toContain(TELEGRAM_TEXT.newConversation);
  });

  it("a message that lands while the agent is stopping wakes a new one once the old one is down", async () => {
    await pair();
    await h.post(textUpdate("first", 4242));
    // The task has drained its queue and is backing up on its way out: it will not take the next message.
    await h.stores.taskState.transition({
      userId: USER,
      expectState: "Starting",
      set: { state: "Stopping" },
    });
    setTimeout(() => {
      void h.stores.taskState.transition({ userId: USER, expectState: "Stopping", set: { state: "Idle" } });
    }, 50);
    expect((await h.post(textUpdate("are you there?", 4242))).statusCode).toBe(200);
    expect(h.runner.starts).toHaveLength(2);
    expect((await h.stores.taskState.get(USER)).state).toBe("Starting");
    expect(h.fake.sentTexts(4242)).toEqual([WAKING_MESSAGE, WAKING_MESSAGE]);
    expect((await pendingOf()).map((m) => m.text)).toEqual(["first", "are you there?"]);
  });

  it("/status and /stop report and drive the lifecycle", async () => {
    await pair();
    await h.post(textUpdate("/status", 4242));
    await h.post(textUpdate("/stop", 4242));
    await h.post(textUpdate("wake up", 4242));
    expect((await h.stores.taskState.get(USER)).state).toBe("Starting");
    await h.post(textUpdate("/status", 4242));
    await h.post(textUpdate("/stop", 4242));
    expect((await h.stores.taskState.get(USER)).state).toBe("Idle");
    expect(h.fake.sentTexts(4242)).toEqual([
      expect.stringContaining("asleep"),
      TELEGRAM_TEXT.notRunning,
      WAKING_MESSAGE,
      expect.stringContaining("starting"),
      TELEGRAM_TEXT.stopping,
    ]);
  });

  it("/unpair unlinks the account; the next message is refused", async () => {
    await pair();
    await h.post(textUpdate("/unpair", 4242));
    expect(await h.pairing.lookup("4242")).toBeUndefined();
    expect(await h.pairing.list(USER)).toEqual([]);
    await h.post(textUpdate("still there?", 4242));
    expect(h.fake.sentTexts(4242)).toEqual([TELEGRAM_TEXT.unpaired, TELEGRAM_TEXT.notPaired]);
    expect(h.runner.starts).toEqual([]);
  });

  it("never moves a paired account to another user's code, by link or by /pair; the owner is told", async () => {
    const { code: own } = await h.pairing.createCode(USER, "victim@example.com");
    await h.post(textUpdate(`/pair ${own}`, 4242));
    const attacker = "6f1c2d3e-0000-4000-8000-0000000000b2";
    const { code } = await h.pairing.createCode(attacker, "mallory@example.com");
    h.fake.calls.length = 0;

    await h.post(textUpdate(`/start ${code}`, 4242)); // the victim taps the attacker's t.me link
    await h.post(textUpdate(`/pair ${code}`, 4242)); // or is talked into typing it
    const refusal = TELEGRAM_TEXT.pairedElsewhere("victim@example.com", "mallory@example.com");
    expect(h.fake.sentTexts(4242)).toEqual([refusal, refusal]);
    expect(refusal).toContain("/unpair");
    expect(h.fake.callsOf("sendMessage")[0]?.params.reply_markup).toBeUndefined();
    expect(await h.pairing.lookup("4242")).toBe(USER);
    expect((await h.pairing.list(USER)).map((p) => p.externalUserId)).toEqual(["4242"]);
    expect(await h.pairing.list(attacker)).toEqual([]);
    expect(await h.pairing.notices(USER)).toMatchObject([
      {
        channel: "telegram",
        externalUserId: "4242",
        kind: "move-refused",
        otherAccount: "mallory@example.com",
      },
    ]);
    expect(await h.pairing.notices(attacker)).toEqual([]);

    // Only after /unpair from the account itself can it pair elsewhere; the owner is told of that too.
    await h.post(textUpdate("/unpair", 4242));
    expect(await h.pairing.notices(USER)).toMatchObject([
      { externalUserId: "4242", kind: "unpaired-from-channel", username: "ada" },
    ]);
    await h.post(textUpdate(`/pair ${code}`, 4242)); // the refused code was left unused
    expect(await h.pairing.lookup("4242")).toBe(attacker);
    expect(h.fake.sentTexts(4242).at(-1)).toBe(TELEGRAM_TEXT.paired("mallory@example.com"));
  });

  it("a second code of the same user says it is already paired and changes nothing", async () => {
    await pair();
    const { code } = await h.pairing.createCode(USER, "ada@example.com");
    await h.post(textUpdate(`/start ${code}`, 4242));
    await h.post(textUpdate(`/pair ${code}`, 4242));
    expect(h.fake.sentTexts(4242)).toEqual([
      TELEGRAM_TEXT.alreadyPaired("ada@example.com"),
      TELEGRAM_TEXT.alreadyPaired("ada@example.com"),
    ]);
    expect(await h.pairing.lookup("4242")).toBe(USER);
    expect(await h.pairing.notices(USER)).toEqual([]);
  });

  it("unpairing from the web app removes the reverse lookup too", async () => {
    await pair();
    await h.pairing.unpair(USER, "4242");
    expect(await h.pairing.lookup("4242")).toBeUndefined();
    expect(
      await h.stores.settings.get(KEYS.telegram.userPartition(4242), KEYS.telegram.userPairing),
    ).toBeUndefined();
  });

  it("answers non-text messages of a paired user without waking the agent", async () => {
    await pair();
    const update = textUpdate("x", 4242);
    const { text: _text, ...photo } = update.message;
    await h.post({ update_id: update.update_id, message: { ...photo, photo: [{ file_id: "f" }] } });
    expect(h.fake.sentTexts(4242)).toEqual([TELEGRAM_TEXT.textOnly]);
    expect(h.runner.starts).toEqual([]);
  });

  it("ignores groups, bots and updates it does not handle, without a write", async () => {
    await pair();
    const group = textUpdate("hello group", 4242);
    group.message.chat = { ...group.message.chat, id: -100123, type: "group" };
    const bot = textUpdate("beep", 4242);
    bot.message.from = { ...bot.message.from, is_bot: true };
    for (const body of [group, bot, { update_id: 1, edited_message: {} }, { update_id: 2 }, "not json", ""]) {
      expect((await h.post(body)).statusCode).toBe(200);
    }
    expect(h.writes).toEqual([]);
    expect(h.fake.calls).toEqual([]);
  });

  it("reads a base64-encoded body", async () => {
    const event = telegramEvent("", WEBHOOK_SECRET);
    event.body = Buffer.from(JSON.stringify(textUpdate("/help", 4242))).toString("base64");
    event.isBase64Encoded = true;
    expect((await h.handler(event)).statusCode).toBe(200);
    expect(h.fake.sentTexts(4242)[0]).toContain("/new");
  });
});

describe("Telegram webhook cold start", () => {
  it("asks getMe once when no bot info is cached, then caches it", async () => {
    const h = await startTelegramHarness({ cacheBotInfo: false });
    try {
      await h.post(textUpdate("/help", 1));
      await h.post(textUpdate("/help", 1));
      expect(h.fake.callsOf("getMe")).toHaveLength(1);
      expect(await h.stores.settings.get(KEYS.telegram.botPartition, KEYS.telegram.botInfo)).toMatchObject({
        username: BOT_INFO.username,
      });
    } finally {
      await h.stop();
    }
  });

  it("never calls getMe when bot info is cached", async () => {
    const h = await startTelegramHarness();
    try {
      await h.post(textUpdate("/help", 1));
      expect(h.fake.callsOf("getMe")).toHaveLength(0);
    } finally {
      await h.stop();
    }
  });
});

describe("a paired Telegram user without an AI provider", () => {
  it("gets the answer at once in the chat, and no agent is started", async () => {
    const h = await startTelegramHarness({ llmSetupCheck: true });
    try {
      const code = await h.pairing.createCode(USER);
      await h.post(textUpdate(`/pair ${code.code}`, 777));
      expect((await h.post(textUpdate("hello?", 777))).statusCode).toBe(200);
      expect(h.runner.starts).toHaveLength(0);
      const answer = h.fake.sentTexts(777).at(-1) ?? "";
      expect(answer).toContain("No AI provider is configured yet");
      expect(answer).toContain("OpenAI-compatible");
      expect(answer).toContain("Ollama");
      expect(await h.stores.pending.list(USER)).toHaveLength(0);
    } finally {
      await h.stop();
    }
  });
});
