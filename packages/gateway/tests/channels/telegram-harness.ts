import { SECRET_NAMES } from "@serverless-openclaw/shared";
import { BOT_INFO, BOT_TOKEN, FakeBotApi } from "@serverless-openclaw/testkit/fake-bot-api";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import type { Stores } from "../../src/adapters/stores";
import type { ChannelPairingService } from "../../src/channels/pairing";
import { channelPairing } from "../../src/channels/registry";
import { writeBotInfo } from "../../src/channels/telegram-bot-info";
import { silentLogger } from "../../src/deps";
import { createTelegramWebhookHandler } from "../../src/handlers/telegram-webhook";
import type { GatewayServices } from "../../src/services";
import { channelGateway, FakeClock, httpEvent, type RecordingTaskRunner } from "./harness";

export const WEBHOOK_SECRET = "webhook-secret_0123456789abcdefABCDEF";

/** The Telegram webhook handler on in-memory stores, a recording TaskRunner and a fake Bot API on loopback. */
export interface TelegramHarness {
  fake: FakeBotApi;
  stores: Stores;
  clock: FakeClock;
  runner: RecordingTaskRunner;
  writes: string[];
  pairing: ChannelPairingService;
  services: GatewayServices;
  handler: (event: unknown) => Promise<{ statusCode: number; body?: string }>;
  post: (body: unknown, secret?: string | null) => Promise<{ statusCode: number; body?: string }>;
  stop: () => Promise<void>;
}

/** `llmSetupCheck`: users without an AI provider are answered by the gateway (off: fake agents answer). */
export async function startTelegramHarness(
  opts: { cacheBotInfo?: boolean; llmSetupCheck?: boolean } = {},
): Promise<TelegramHarness> {
  const fake = await new FakeBotApi().start();
  const clock = new FakeClock();
  const raw = createMemoryStores({ clock });
  await raw.secrets.put(SECRET_NAMES.telegramBotToken, BOT_TOKEN);
  await raw.secrets.put(SECRET_NAMES.telegramWebhookSecret, WEBHOOK_SECRET);
  if (opts.cacheBotInfo ?? true) await writeBotInfo(raw.settings, BOT_INFO);
  const { stores, writes, runner, services } = channelGateway(raw, clock, {
    telegramEnabled: true,
    skipLlmSetupCheck: !opts.llmSetupCheck,
  });
  const handler = createTelegramWebhookHandler({
    secrets: stores.secrets,
    settings: stores.settings,
    clock,
    logger: silentLogger,
    chat: services.chat,
    lifecycle: services.lifecycle,
    apiRoot: fake.apiRoot,
  });
  const pairing = channelPairing(
    { settings: raw.settings, clock, telegramBotUsername: BOT_INFO.username },
    "telegram",
  );
  return {
    fake,
    stores: raw,
    clock,
    runner,
    writes,
    pairing,
    services,
    handler,
    post: (body, secret = WEBHOOK_SECRET) => handler(telegramEvent(body, secret)),
    stop: () => fake.stop(),
  };
}

/** An update as Telegram posts it to the webhook, with the secret-token header unless `secret` is null. */
export function telegramEvent(body: unknown, secret: string | null): APIGatewayProxyEventV2 {
  return httpEvent(
    "/telegram/webhook",
    typeof body === "string" ? body : JSON.stringify(body),
    {
      "content-type": "application/json",
      ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }),
    },
    "149.154.167.1",
  );
}

// Made by the fake Bot API (testkit), which local mode's tests and the benches share.
export { nextId, textUpdate } from "@serverless-openclaw/testkit/fake-bot-api";
