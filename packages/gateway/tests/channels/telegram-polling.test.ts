import {
  POLL_CLIENT_MARGIN_SECONDS,
  startTelegramPolling,
  type TelegramPollingDeps,
} from "@serverless-openclaw/local/telegram-polling";
import { WAKING_MESSAGE } from "@serverless-openclaw/shared";
import { BOT_TOKEN } from "@serverless-openclaw/testkit/fake-bot-api";
import { until } from "@serverless-openclaw/testkit/until";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TELEGRAM_TEXT } from "../../src/channels/telegram-messages";
import { type Logger, silentLogger } from "../../src/deps";
import { startTelegramHarness, type TelegramHarness, textUpdate } from "./telegram-harness";

const USER = "6f1c2d3e-0000-4000-8000-00000000b0b0";

describe("Telegram long polling (local mode)", () => {
  let h: TelegramHarness;
  let polling: { stop(): Promise<void> } | undefined;
  beforeEach(async () => {
    h = await startTelegramHarness();
    await h.stores.secrets.delete("telegram/bot-token");
  });
  afterEach(async () => {
    await polling?.stop();
    polling = undefined;
    await h.stop();
  });

  const start = (options: Partial<TelegramPollingDeps> = {}) =>
    startTelegramPolling({
      secrets: h.stores.secrets,
      settings: h.stores.settings,
      clock: h.clock,
      logger: silentLogger,
      chat: h.services.chat,
      lifecycle: h.services.lifecycle,
      apiRoot: h.fake.apiRoot,
      token: BOT_TOKEN,
      pollTimeoutSeconds: 1,
      retryDelayMs: 50,
      ...options,
    });

  /** Every warn and error line, to prove a quiet bot logs none. */
  const recordingLogger = () => {
    const lines: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (message) => void lines.push(`warn ${message}`),
      error: (message) => void lines.push(`error ${message}`),
    };
    return { logger, lines };
  };

  it("waits out an idle poll held for its full timeout: no warning, no pause, the next poll at once", async () => {
    // Longer than the 10 s the bot's own HTTP client allows any call (a webhook must answer quickly), so
    // a poll sharing that client would be cut off. Telegram holds an idle poll this long and longer.
    const pollTimeoutSeconds = 12;
    expect(POLL_CLIENT_MARGIN_SECONDS).toBeGreaterThan(0);
    const { logger, lines } = recordingLogger();
    // A pause after a failed poll would outlast the test: a second poll proves there was none.
    polling = await start({ logger, pollTimeoutSeconds, retryDelayMs: 600_000 });
    await until(
      "an idle poll held to its end, and the next one",
      () => h.fake.polls.length >= 2 || lines.length > 0,
      {
        timeoutMs: 120_000,
        explain: () => JSON.stringify({ polls: h.fake.polls, lines }),
      },
    );
    expect(h.fake.polls[0]).toMatchObject({ timeout: pollTimeoutSeconds, outcome: "idle" });
    expect(lines).toEqual([]);

    // A message during a held poll is handled at once, not after it.
    h.fake.pushUpdate(textUpdate("/help", 31));
    await until("the answer", () => h.fake.sentTexts(31).length === 1, { timeoutMs: 60_000 });
    expect(lines).toEqual([]);
  }, 180_000);

  it("says plainly when another program polls the same bot, and keeps its own messages flowing afterwards", async () => {
    const { logger, lines } = recordingLogger();
    polling = await start({ pollTimeoutSeconds: 30 });
    await until("the first poller holds a poll", () => h.fake.polls.some((p) => p.endedAt === undefined));
    const second = await start({ logger, pollTimeoutSeconds: 30, retryDelayMs: 600_000 });
    try {
      await until("the second poller is refused", () => lines.length > 0);
      expect(h.fake.polls.some((p) => p.outcome === "conflict")).toBe(true);
      expect(lines).toEqual([expect.stringMatching(/^error Telegram: another program is polling this bot/)]);
    } finally {
      await second.stop();
    }
    h.fake.pushUpdate(textUpdate("/help", 32));
    await until("the first poller answers", () => h.fake.sentTexts(32).length === 1);
  });

  it("names a webhook as the reason polling is refused", async () => {
    const { logger, lines } = recordingLogger();
    h.fake.webhookUrl = "https://example.com/telegram/webhook";
    polling = await start({ logger, retryDelayMs: 600_000 });
    await until("the refusal is logged", () => lines.length > 0);
    expect(lines).toEqual([expect.stringMatching(/^error Telegram: this bot has a webhook set/)]);
  });

  it("pairs and routes messages like the webhook, and stores the token for the chat relay", async () => {
    polling = await start();
    expect(await h.stores.secrets.get("telegram/bot-token")).toBe(BOT_TOKEN);
    const { code } = await h.pairing.createCode(USER);
    h.fake.pushUpdate(textUpdate(`/pair ${code}`, 4242));
    const message = textUpdate("hello from polling", 4242);
    h.fake.pushUpdate(message);
    await until("two replies", () => h.fake.sentTexts(4242).length >= 2);
    expect(h.fake.sentTexts(4242)).toEqual([TELEGRAM_TEXT.paired(undefined), WAKING_MESSAGE]);
    expect(h.runner.starts).toHaveLength(1);
    expect((await h.stores.pending.list(USER)).map((m) => m.clientMessageId)).toEqual([
      `tg-${message.update_id}`,
    ]);
    // Confirmed updates are not fetched again: the next getUpdates asks past them.
    await until("the next offset", () =>
      h.fake.callsOf("getUpdates").some((c) => c.params.offset === message.update_id + 1),
    );
    expect(
      h.fake.callsOf("getUpdates").every((c) => (c.params.allowed_updates as string[])[0] === "message"),
    ).toBe(true);
  });

  it("retries an update whose handling failed, then answers it once", async () => {
    polling = await start();
    h.fake.failNext("sendMessage", { error_code: 500, description: "Internal Server Error" });
    h.fake.pushUpdate(textUpdate("anyone?", 777));
    await until("the retried reply", () => h.fake.callsOf("sendMessage").length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.sentTexts(777)).toEqual([TELEGRAM_TEXT.notPaired, TELEGRAM_TEXT.notPaired]);
    expect(h.fake.callsOf("sendMessage")).toHaveLength(2);
  });

  it("stops promptly, in the middle of a long poll", async () => {
    polling = await start();
    await until("a poll", () => h.fake.callsOf("getUpdates").length > 0);
    await polling.stop();
    polling = undefined;
    const calls = h.fake.callsOf("getUpdates").length;
    await new Promise((r) => setTimeout(r, 300));
    expect(h.fake.callsOf("getUpdates").length).toBe(calls);
  });
});
