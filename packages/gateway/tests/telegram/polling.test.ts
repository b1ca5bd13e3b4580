import { startTelegramPolling } from "@serverless-openclaw/local/telegram-polling";
import { WAKING_MESSAGE } from "@serverless-openclaw/shared";
import { until } from "@serverless-openclaw/testkit/until";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/deps";
import { TELEGRAM_TEXT } from "../../src/services/telegram-messages";
import { BOT_TOKEN } from "./fake-bot-api";
import { type Harness, startHarness, textUpdate } from "./harness";

const USER = "6f1c2d3e-0000-4000-8000-00000000b0b0";

describe("Telegram long polling (local mode)", () => {
  let h: Harness;
  let polling: { stop(): Promise<void> } | undefined;
  beforeEach(async () => {
    h = await startHarness();
    await h.stores.secrets.delete("telegram/bot-token");
  });
  afterEach(async () => {
    await polling?.stop();
    polling = undefined;
    await h.stop();
  });

  const start = () =>
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
    });

  it("pairs and routes messages like the webhook, and stores the token for the agent task", async () => {
    polling = await start();
    expect(await h.stores.secrets.get("telegram/bot-token")).toBe(BOT_TOKEN);
    const { code } = await h.pairing.createCode(USER);
    h.fake.pushUpdate(textUpdate(`/pair ${code}`, 4242));
    const message = textUpdate("hello from polling", 4242);
    h.fake.pushUpdate(message);
    await until("two replies", () => h.fake.sentTexts(4242).length >= 2);
    expect(h.fake.sentTexts(4242)).toEqual([TELEGRAM_TEXT.paired, WAKING_MESSAGE]);
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
