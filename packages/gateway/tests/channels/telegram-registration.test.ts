import { KEYS } from "@serverless-openclaw/shared";
import { BOT_INFO, BOT_TOKEN, FakeBotApi } from "@serverless-openclaw/testkit/fake-bot-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import type { Stores } from "../../src/adapters/stores";
import {
  deleteTelegramWebhook,
  ensureTelegramWebhook,
  registerTelegramWebhook,
} from "../../src/channels/telegram-webhook-registration";
import { GatewayError } from "../../src/errors";

const URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/telegram/webhook";

describe("Telegram webhook registration", () => {
  let fake: FakeBotApi;
  let stores: Stores;
  beforeEach(async () => {
    fake = await new FakeBotApi().start();
    stores = createMemoryStores();
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("creates a webhook secret, registers it with allowed_updates, and caches getMe", async () => {
    await stores.secrets.put("telegram/bot-token", BOT_TOKEN);
    const result = await ensureTelegramWebhook({
      secrets: stores.secrets,
      settings: stores.settings,
      url: URL,
      apiRoot: fake.apiRoot,
    });
    expect(result).toEqual({ bot: BOT_INFO, createdSecret: true });
    const secret = await stores.secrets.get("telegram/webhook-secret");
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fake.callsOf("setWebhook").map((c) => c.params)).toEqual([
      { url: URL, secret_token: secret, allowed_updates: ["message"], drop_pending_updates: false },
    ]);
    expect(await stores.settings.get(KEYS.telegram.botPartition, KEYS.telegram.botInfo)).toEqual(BOT_INFO);

    // Running it again keeps the secret Telegram already knows.
    expect(
      (await ensureTelegramWebhook({ secrets: stores.secrets, url: URL, apiRoot: fake.apiRoot }))
        .createdSecret,
    ).toBe(false);
    expect(fake.callsOf("setWebhook")[1]?.params.secret_token).toBe(secret);
  });

  it("explains what to do when no bot token is stored", async () => {
    const attempt = ensureTelegramWebhook({ secrets: stores.secrets, url: URL, apiRoot: fake.apiRoot });
    await expect(attempt).rejects.toBeInstanceOf(GatewayError);
    await expect(attempt).rejects.toMatchObject({ code: "TELEGRAM_NOT_CONFIGURED" });
    expect(fake.calls).toEqual([]);
  });

  it("refuses a non-HTTPS URL and a secret Telegram would refuse", async () => {
    const base = { token: BOT_TOKEN, apiRoot: fake.apiRoot };
    await expect(
      registerTelegramWebhook({ ...base, url: "http://x/telegram/webhook", secretToken: "ok" }),
    ).rejects.toThrow(/HTTPS/);
    await expect(registerTelegramWebhook({ ...base, url: URL, secretToken: "has space" })).rejects.toThrow(
      /secret/,
    );
    expect(fake.calls).toEqual([]);
  });

  it("removes the webhook", async () => {
    await deleteTelegramWebhook({ token: BOT_TOKEN, apiRoot: fake.apiRoot });
    expect(fake.callsOf("deleteWebhook")).toHaveLength(1);
  });
});
